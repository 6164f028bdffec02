"""Tasking and coordination meetings: agendas built from the register through the chair's
access, decisions acting through the same services, packs per reader, minutes, invitations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.meetings import agenda, services
from concord.meetings.models import Meeting
from concord.ownership import transfers
from concord.ownership.models import TransferRequest
from tests.access.registry import make_ocg
from tests.factories import organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalation(cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    return services_request(cast, ocg)


def services_request(cast, ocg):
    return transfers.request_transfer(
        actor=cast("dp.sio"),
        item=ocg,
        kind="support",
        to_organisation=organisation("TARIAN"),
        reason="Firearms supply across three force areas",
        asked="An SIO and surveillance",
    )


def test_the_agenda_holds_the_escalation_and_the_meeting_accepts_it(cast, meeting, escalation):
    chair = cast("tarian.chair")
    items = services.build_agenda(actor=chair, meeting=meeting)
    transfer_items = [i for i in items if i.kind == "transfer"]
    assert len(transfer_items) == 1
    assert escalation.subject.reference in transfer_items[0].title
    assert items[0] == transfer_items[0]  # decisions awaited come first
    decision = services.decide(
        actor=chair,
        item=transfer_items[0],
        outcome="accept",
        rationale="Regional firearms threat; Tarian SIO to lead",
    )
    escalation.refresh_from_db()
    assert escalation.status == "accepted"
    assert escalation.decided_by == chair
    assert escalation.decided_at_meeting.startswith("Regional tasking")
    assert "accepted" in decision.effect.lower()
    with pytest.raises(ValidationError, match="already been decided"):
        services.decide(
            actor=chair, item=transfer_items[0], outcome="decline", rationale="Changed our mind"
        )


def widen(meeting: Meeting) -> None:
    """Take the agenda's items from force level up (a regional forum's default leaves out
    force-owned items not yet banded for the region)."""
    services.set_agenda_level(actor=meeting.forum.chair, meeting=meeting, level="force")


def test_only_the_chair_runs_it_and_new_and_mismatched_items_appear(cast, meeting):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    make_ocg("GMP", "OFFICIAL", False)  # another region: not this forum's business
    with pytest.raises(PermissionDenied):
        services.build_agenda(actor=cast("tarian.sio"), meeting=meeting)
    widen(meeting)
    items = services.build_agenda(actor=cast("tarian.chair"), meeting=meeting)
    titles = " ".join(i.title for i in items)
    assert ocg.reference in titles
    assert "OCG-GMP" not in titles
    # Vacancies: the new group has no LRO yet but is only just mapped, so it is not one.
    assert not [i for i in items if i.kind == "vacancy"]


def test_issuing_versions_the_agenda_and_a_rebuild_keeps_the_chairs_items(
    cast, meeting, escalation
):
    chair = cast("tarian.chair")
    services.build_agenda(actor=chair, meeting=meeting)
    services.add_item(actor=chair, meeting=meeting, title="Update on county lines week of action")
    first = services.issue_agenda(actor=chair, meeting=meeting)
    services.build_agenda(actor=chair, meeting=meeting)
    second = services.issue_agenda(actor=chair, meeting=meeting)
    assert (first.version, second.version) == (1, 2)
    assert any("week of action" in i["title"] for i in second.items)
    meeting.refresh_from_db()
    assert meeting.status == "issued"


def test_a_partners_pack_leaves_out_what_it_may_not_see(client, cast, meeting, escalation):
    chair = cast("tarian.chair")
    secret = make_ocg("DYP", "OFFICIAL", True)  # SENSITIVE: Tarian's chair cannot see it
    services.build_agenda(actor=chair, meeting=meeting)
    services.add_item(actor=chair, meeting=meeting, title="Any other business")
    client.force_login(cast("bf.partner"))
    pack = client.get(f"/meetings/{meeting.pk}/pack/").content.decode()
    assert escalation.subject.reference not in pack
    assert secret.reference not in pack
    assert "Any other business" in pack
    client.force_login(chair)
    full = client.get(f"/meetings/{meeting.pk}/pack/").content.decode()
    assert escalation.subject.reference in full
    assert secret.reference not in full  # built through the chair's access too
    client.force_login(cast("gmp.lro"))  # not on the forum at all
    assert client.get(f"/meetings/{meeting.pk}/pack/").status_code == 404


def test_minutes_and_invitation(client, cast, meeting, escalation):
    chair = cast("tarian.chair")
    items = services.build_agenda(actor=chair, meeting=meeting)
    services.decide(actor=chair, item=items[0], outcome="accept", rationale="Tarian SIO to lead it")
    services.add_action(
        actor=chair,
        meeting=meeting,
        description="Brief the Tarian SIO",
        owner=cast("tarian.sio"),
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    services.record_attendance(actor=chair, meeting=meeting, people=[chair])
    with pytest.raises(ValidationError, match="recorded as held from that day"):
        services.mark_held(actor=chair, meeting=meeting)  # it is in three days
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now())
    meeting.refresh_from_db()
    services.mark_held(actor=chair, meeting=meeting)
    client.force_login(chair)
    minutes = client.get(f"/meetings/{meeting.pk}/minutes/").content.decode()
    assert "Tarian SIO to lead it" in minutes
    assert "Brief the Tarian SIO" in minutes
    ics = client.get(f"/meetings/{meeting.pk}/invite.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert "BEGIN:VEVENT" in body
    assert "LOCATION:Bridgend" in body
    assert escalation.subject.reference not in body  # no agenda content in an invitation
    # The open action shows on the forum's next agenda.
    later = services.schedule(
        actor=chair, forum=meeting.forum, starts_at=timezone.now() + dt.timedelta(days=30)
    )
    next_items = services.build_agenda(actor=chair, meeting=later)
    assert any(i.kind == "action" and "Brief the Tarian SIO" in i.title for i in next_items)


def test_agenda_building_queries_do_not_grow_with_the_register(cast, meeting):
    chair = cast("tarian.chair")
    widen(meeting)
    make_ocg("DYP", "OFFICIAL", False)
    agenda.build(meeting)  # warm the policy's and content types' caches
    with CaptureQueriesContext(connection) as few:
        agenda.build(meeting)
    for _ in range(6):
        make_ocg("DYP", "OFFICIAL", False)
    with CaptureQueriesContext(connection) as many:
        entries = agenda.build(meeting)
    assert len([e for e in entries if e.kind == "new"]) == 7
    assert len(many) == len(few)
    assert chair.pk == meeting.forum.chair_id


def test_a_transfer_declined_in_the_meeting_carries_its_reason(cast, meeting, escalation):
    chair = cast("tarian.chair")
    items = services.build_agenda(actor=chair, meeting=meeting)
    with pytest.raises(ValidationError):
        services.decide(actor=chair, item=items[0], outcome="decline", rationale="short")
    services.decide(
        actor=chair,
        item=items[0],
        outcome="decline",
        rationale="No regional SIO capacity until March",
    )
    transfer = TransferRequest.objects.get(pk=escalation.pk)
    assert transfer.status == "declined"
    assert transfer.decision_reason == "No regional SIO capacity until March"


def _pdf_pages(response) -> list[str]:
    import io

    from pypdf import PdfReader

    assert response["Content-Type"] == "application/pdf"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_the_pdf_pack_is_built_per_reader_and_marked_at_its_highest(
    client, cast, meeting, escalation
):
    chair = cast("tarian.chair")
    secret_owner = cast("dp.analyst")
    secret_owner.vetting_level = "SC"
    secret_owner.save()
    # A SECRET group the chair (SC-vetted here) sees through a share; the partner does not.
    chair.vetting_level = "SC"
    chair.save()
    from concord.core import policy
    from concord.core.services import share_record

    policy.forget(secret_owner)
    secret = make_ocg("DYP", "SECRET", False)
    policy.forget(chair)
    share_record(
        actor=secret_owner,
        obj=secret,
        purpose="Regional tasking",
        to_organisation=organisation("TARIAN"),
    )
    widen(meeting)
    for n in range(40):  # enough items for several pages
        services.add_item(
            actor=chair, meeting=meeting, title=f"Standing item {n} on the county lines threat"
        )
    services.build_agenda(actor=chair, meeting=meeting)
    client.force_login(chair)
    pages = _pdf_pages(client.get(f"/meetings/{meeting.pk}/pack/?format=pdf"))
    text = "\n".join(pages)
    assert len(pages) > 1
    assert secret.reference in text
    assert escalation.subject.reference in text
    assert all(page.count("SECRET") >= 2 for page in pages)  # header and footer of every page
    client.force_login(cast("bf.partner"))
    partner_pages = _pdf_pages(client.get(f"/meetings/{meeting.pk}/pack/?format=pdf"))
    partner_text = "\n".join(partner_pages)
    assert secret.reference not in partner_text
    assert escalation.subject.reference not in partner_text
    assert "Standing item 39" in partner_text
    assert all("SECRET" not in page and page.count("OFFICIAL") >= 2 for page in partner_pages)


def test_the_owner_marks_an_action_done_and_it_leaves_the_next_agenda(client, cast, meeting):
    chair, sio = cast("tarian.chair"), cast("tarian.sio")
    action = services.add_action(
        actor=chair,
        meeting=meeting,
        description="Brief the surveillance team",
        owner=sio,
        due_on=timezone.localdate() + dt.timedelta(days=5),
    )
    client.force_login(sio)
    client.post(
        f"/meetings/{meeting.pk}/", {"step": "done", "action": action.pk, "outcome": "Briefed"}
    )
    action.refresh_from_db()
    assert action.done_at is not None
    assert action.outcome == "Briefed"
    later = services.schedule(
        actor=chair, forum=meeting.forum, starts_at=timezone.now() + dt.timedelta(days=30)
    )
    assert not [i for i in services.build_agenda(actor=chair, meeting=later) if i.kind == "action"]
