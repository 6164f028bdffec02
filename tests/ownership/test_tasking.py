"""Tasking requests: the routes, the NCA tasking a ROCU, decline with reason, query and answer,
outcome, and escalation of overdue requests to the receiver's chief officers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.organisations.models import Notification
from concord.ownership import tasking
from concord.ownership.models import TaskingRequest
from tests.access.registry import make_ocg
from tests.factories import UserFactory, organisation

pytestmark = pytest.mark.django_db


def send(actor, to: str, **extra) -> TaskingRequest:
    return tasking.request_tasking(
        actor=actor,
        to_organisation=organisation(to),
        capability=extra.pop("capability", "Covert surveillance"),
        asked="Two weeks of mobile surveillance on the principal",
        reason="Supply route into the region, firearms linked",
        respond_by=extra.pop("respond_by", timezone.localdate() + dt.timedelta(days=5)),
        **extra,
    )


def test_the_nca_tasks_a_rocu_which_declines_with_a_reason(cast):
    nca, chair = cast("nca.tasking"), cast("tarian.chair")
    request = send(nca, "TARIAN", capability="Regional asset recovery team")
    assert request.reference.startswith("TSK-NCA-")
    assert Notification.objects.filter(person=chair, params__ref=request.reference).exists()
    assert TaskingRequest.objects.visible_to(chair).filter(pk=request.pk).exists()
    with pytest.raises(ValidationError) as short:
        tasking.decide_tasking(actor=chair, tasking=request, decision="decline", reason="No")
    assert "reason" in short.value.message_dict
    tasking.decide_tasking(
        actor=chair,
        tasking=request,
        decision="decline",
        reason="Team committed to Operation Larch until March",
    )
    request.refresh_from_db()
    assert request.status == "declined"
    assert request.decision_reason == "Team committed to Operation Larch until March"
    assert any("declined" in n.subject for n in Notification.objects.filter(person=nca))


def test_routes_are_force_to_rocu_rocu_to_force_or_nca_nca_to_rocu(cast):
    with pytest.raises(ValidationError) as other_region:
        send(cast("dp.sio"), "NWROCU")
    assert "to_organisation" in other_region.value.message_dict
    with pytest.raises(ValidationError):
        send(cast("dp.sio"), "NCA")  # a force goes through its ROCU
    with pytest.raises(ValidationError):
        send(cast("nca.tasking"), "DYP")  # the NCA tasks ROCUs
    with pytest.raises(PermissionDenied):
        send(cast("bf.partner"), "TARIAN")
    assert send(cast("tarian.chair"), "DYP").to_organisation.code == "DYP"
    assert send(cast("tarian.chair"), "NCA").to_organisation.code == "NCA"
    assert not TaskingRequest.objects.filter(to_organisation__code="NWROCU").exists()


def test_bad_input_names_the_field_and_changes_nothing(cast):
    for field, extra in (
        ("respond_by", {"respond_by": timezone.localdate() - dt.timedelta(days=1)}),
        ("capability", {"capability": "x"}),
        ("urgency", {"urgency": "whenever"}),
    ):
        with pytest.raises(ValidationError) as bad:
            send(cast("dp.sio"), "TARIAN", **extra)
        assert field in bad.value.message_dict
    assert not TaskingRequest.objects.exists()


def test_query_answer_accept_and_outcome(cast):
    dp_sio, chair = cast("dp.sio"), cast("tarian.chair")
    ocg = make_ocg("DYP", "OFFICIAL", True)  # the ROCU sees it only through the request
    request = send(dp_sio, "TARIAN", ocg=ocg)
    assert request.sensitive  # marked at least as high as what it concerns
    tasking.decide_tasking(actor=chair, tasking=request, decision="query", reason="Which nights?")
    with pytest.raises(PermissionDenied):
        tasking.answer_tasking_query(actor=chair, tasking=request, text="Not the receiver's")
    tasking.answer_tasking_query(actor=dp_sio, tasking=request, text="Thursdays and Fridays")
    with pytest.raises(PermissionDenied):
        tasking.decide_tasking(actor=cast("tarian.sio"), tasking=request, decision="accept")
    tasking.decide_tasking(actor=chair, tasking=request, decision="accept")
    with pytest.raises(ValidationError, match="already accepted"):
        tasking.decide_tasking(
            actor=chair, tasking=TaskingRequest.objects.get(pk=request.pk), decision="accept"
        )
    tasking.record_tasking_outcome(
        actor=cast("tarian.sio"), tasking=request, outcome="Surveillance deployed on 4 nights"
    )
    assert TaskingRequest.objects.get(pk=request.pk).status == "done"
    assert [m.text for m in request.messages.all()] == ["Which nights?", "Thursdays and Fridays"]


def test_overdue_requests_escalate_once_to_the_receivers_chief_officers(cast):
    nca = cast("nca.tasking")
    chief = UserFactory(
        username="tarian.acc", organisation=organisation("TARIAN"), roles=["chief_officer"]
    )
    request = send(nca, "TARIAN")
    later = timezone.localdate() + dt.timedelta(days=6)
    assert tasking.escalate_overdue(on=timezone.localdate()) == []
    assert [t.pk for t in tasking.escalate_overdue(on=later)] == [request.pk]
    assert tasking.escalate_overdue(on=later) == []  # once only
    request.refresh_from_db()
    assert request.escalated_at is not None
    assert Notification.objects.filter(person=chief, code="tasking.overdue").count() == 1
    # The chair (also a chief officer in the demo) hears too; the NCA's own people do not.
    assert not Notification.objects.filter(person=nca, code="tasking.overdue").exists()


def test_the_escalation_command_reports_what_it_did(cast):
    request = send(cast("nca.tasking"), "TARIAN")
    TaskingRequest.objects.filter(pk=request.pk).update(
        respond_by=timezone.localdate() - dt.timedelta(days=1)
    )
    from io import StringIO

    out = StringIO()
    call_command("escalate_tasking", stdout=out)
    assert f"escalated {request.reference} to TARIAN" in out.getvalue()
    assert "1 overdue request(s) escalated." in out.getvalue()


def test_pages_decide_and_list_with_constant_queries(client, cast):
    chair, dp_sio = cast("tarian.chair"), cast("dp.sio")
    request = send(dp_sio, "TARIAN")
    client.force_login(chair)
    page = client.get(f"/tasking/{request.reference}/").content.decode()
    assert "Record the decision" in page
    done = client.post(
        f"/tasking/{request.reference}/",
        {
            "action": "decide",
            "decide-decision": "decline",
            "decide-reason": "Capacity is committed",
        },
        follow=True,
    )
    assert "Capacity is committed" in done.content.decode()
    client.get("/tasking/")
    with CaptureQueriesContext(connection) as few:
        client.get("/tasking/")
    for _ in range(5):
        send(dp_sio, "TARIAN")
    with CaptureQueriesContext(connection) as many:
        listed = client.get("/tasking/").content.decode()
    assert listed.count("/tasking/TSK-DYP-") == 6
    assert len(many) == len(few)


def test_the_sender_fills_the_form(client, cast):
    client.force_login(cast("dp.sio"))
    ocg = make_ocg("DYP", "OFFICIAL", False)
    form = {
        "to_organisation": "TARIAN",
        "capability": "Financial investigator",
        "asked": "Cash seizure support",
        "reason": "Large cash movements on the M4",
        "urgency": "urgent",
        "respond_by": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
    }
    elsewhere = make_ocg("GMP", "OFFICIAL", False)
    wrong = client.post("/tasking/new/", {**form, "about": elsewhere.reference})
    assert "No OCG or priority individual you can see has that reference." in wrong.content.decode()
    assert not TaskingRequest.objects.exists()
    response = client.post("/tasking/new/", {**form, "about": ocg.reference})
    made = TaskingRequest.objects.get()
    assert response["Location"] == f"/tasking/{made.reference}/"
    assert made.ocg == ocg


def test_a_query_is_answered_from_the_request_page(client, cast):
    dp_sio, chair = cast("dp.sio"), cast("tarian.chair")
    request = send(dp_sio, "TARIAN")
    client.force_login(chair)
    client.post(
        f"/tasking/{request.reference}/",
        {"action": "decide", "decide-decision": "query", "decide-reason": "Which nights exactly?"},
    )
    client.force_login(dp_sio)
    page = client.get(f"/tasking/{request.reference}/").content.decode()
    assert "Which nights exactly?" in page
    assert "Answer the query" in page
    assert "Record the decision" not in page
    client.post(f"/tasking/{request.reference}/", {"action": "answer", "answer-text": "Thursdays"})
    assert TaskingRequest.objects.get(pk=request.pk).status == "requested"
