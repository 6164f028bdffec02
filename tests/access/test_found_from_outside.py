"""Regressions for what the outside review found leaking or failing (issue 11, findings 1 to
6; 7 to 10 are in tests/api and tests/intelligence/test_taxii_conformance). Each reproduces
the finding as it was reported, with the personas of the demo world.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from concord.core.models import Share
from concord.meetings import services as meetings
from concord.meetings.models import Decision, Forum, MeetingAction
from concord.ownership import services as ownership
from concord.ownership import transfers
from concord.ownership.models import Appointment, TransferRequest
from concord.plans import services as plans
from concord.plans.models import Action, Disruption
from tests.access.derived import LABEL
from tests.access.reading import text_of
from tests.access.registry import make_ocg
from tests.access.test_matrix import client_for
from tests.factories import UserFactory, organisation, persona

pytestmark = pytest.mark.django_db


def sc(username: str, code: str = "DYP", roles=("sio", "lro", "analyst")):
    return UserFactory(
        username=username, organisation=organisation(code), roles=list(roles), vetting_level="SC"
    )


def secret_dyp_ocg():
    """A SECRET Dyfed-Powys OCG; its mapper, dp.analyst, is back to NPPV3 afterwards (as in
    the demo world), so no Dyfed-Powys persona is cleared for it."""
    from concord.organisations.models import User

    ocg = make_ocg("DYP", "SECRET", False)
    User.objects.filter(username="dp.analyst").update(vetting_level="NPPV3")
    return ocg


def test_1_disruptions_of_a_secret_ocg_are_hidden_from_its_force_staff_without_sc():
    ocg = secret_dyp_ocg()
    claimant = sc("dp.sc.sio")
    plans.claim_disruption(
        actor=claimant,
        item=ocg,
        strand="pursue",
        impact="major",
        occurred_on=timezone.localdate(),
        narrative=f"{LABEL} warrant at the farm, 4 kg seized",
        outcomes={"arrests": "2", "drugs_kg": "4"},
    )
    assert Disruption.objects.filter(ocg=ocg).count() == 1
    for who in ("dp.sio", "dp.analyst"):
        client = client_for(persona(who))
        for url in ("/disruptions/", "/disruptions/?export=csv", "/api/v1/disruptions?limit=100"):
            shown = text_of(client.get(url))
            assert ocg.reference not in shown, (who, url)
            assert LABEL not in shown, (who, url)
        assert client.get("/api/v1/disruptions").json()["count"] == 0
    # The claimant's colleague with SC sees it, so the list is not simply empty.
    assert LABEL in text_of(client_for(sc("dp.sc.analyst")).get("/disruptions/"))


def test_2_actions_of_a_secret_plan_are_neither_read_nor_changed_without_sc():
    ocg = secret_dyp_ocg()
    lro = persona("dp.lro")
    objective = plans.add_objective(
        actor=sc("dp.sc.lro"), item=ocg, strand="prevent", text=f"{LABEL} objective"
    )
    action = plans.add_action(
        actor=sc("dp.sc.lro"),
        objective=objective,
        description=f"{LABEL} school visits",
        due_on=timezone.localdate() + dt.timedelta(days=10),
        owner_person=lro,
    )
    client = client_for(lro)
    for url in ("/actions/", "/actions/?export=csv", "/api/v1/actions?limit=100"):
        assert LABEL not in text_of(client.get(url)), url
    response = client.post(
        f"/api/v1/actions/{action.pk}",
        json.dumps({"status": "done", "outcome": "Visited"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Action.objects.get(pk=action.pk).status == "open"


def test_3_transfer_lists_show_only_what_the_reader_may_see():
    """An OFFICIAL-SENSITIVE GMP group's transfer to the NCA: not for the NCA's auditor and
    administrator (no operational role), nor its reason; a SECRET group's transfer not for
    those without SC."""
    sensitive = make_ocg("GMP", "OFFICIAL", True)
    transfer = transfers.request_transfer(
        actor=persona("gmp.sio"),
        item=sensitive,
        kind="transfer",
        to_organisation=organisation("NWROCU"),
        reason=f"{LABEL}: the group's reach is now regional",
        asked="Take ownership",
    )
    for who in ("psd.auditor", "admin"):
        client = client_for(persona(who))
        for url in ("/transfers/", "/transfers/?export=csv", "/api/v1/transfers?limit=100"):
            shown = text_of(client.get(url))
            assert sensitive.reference not in shown, (who, url)
            assert LABEL not in shown, (who, url)
        assert client.get(f"/transfers/{transfer.pk}/").status_code == 404
        assert client.get(f"/api/v1/transfers/{transfer.pk}").status_code == 404
    secret = secret_dyp_ocg()
    TransferRequest.objects.create(
        ocg=secret,
        kind="support",
        from_organisation=organisation("DYP"),
        to_organisation=organisation("TARIAN"),
        reason="SIO support",
        asked="An SIO",
        requested_by=sc("dp.sc.sio"),
        requested_at=timezone.now(),
    )
    client = client_for(persona("dp.lro"))
    for url in ("/transfers/", "/transfers/?export=xlsx", "/api/v1/transfers?limit=100"):
        assert secret.reference not in text_of(client.get(url)), url
    # The receiving ROCU's people, entitled to it, still see the GMP request.
    assert sensitive.reference in text_of(client_for(persona("nwrocu.chair")).get("/transfers/"))


def test_4_a_share_is_ended_by_its_cause_whatever_language_made_it():
    """Requested in Welsh, declined in English: the receiving ROCU loses sight of the OCG."""
    ocg = make_ocg("DYP", "OFFICIAL", True)  # SENSITIVE: Tarian sees it only by the share
    with translation.override("cy"):
        transfer = transfers.request_transfer(
            actor=persona("dp.sio"),
            item=ocg,
            kind="support",
            to_organisation=organisation("TARIAN"),
            reason="Angen cymorth SIO rhanbarthol",
            asked="SIO am chwe wythnos",
        )
    chair = persona("tarian.chair")
    assert client_for(chair).get(f"/ocgs/{ocg.reference}/").status_code == 200
    with translation.override("en"):
        transfers.decide_transfer(
            actor=chair, transfer=transfer, decision="decline", reason="No capacity this month"
        )
    assert not Share.objects.filter(
        object_id=ocg.pk, to_organisation__code="TARIAN", revoked_at__isnull=True
    ).exists()
    assert client_for(chair).get(f"/ocgs/{ocg.reference}/").status_code == 404


def test_5_forum_and_meeting_pages_leave_out_decisions_and_actions_on_unseen_records():
    secret = secret_dyp_ocg()
    chair = sc("dp.sc.chair", roles=("tasking_chair", "sio", "analyst"))
    forum = Forum.objects.create(
        organisation=organisation("DYP"),
        name="Dyfed-Powys SOC tasking",
        level="force",
        kind="tactical",
        chair=chair,
    )
    lro = persona("dp.lro")
    forum.members.set([lro])
    meeting = meetings.schedule(
        actor=chair, forum=forum, starts_at=timezone.now() + dt.timedelta(days=1)
    )
    meetings.build_agenda(actor=chair, meeting=meeting)
    item = meeting.items.get(ocg=secret)
    meetings.decide(
        actor=chair, item=item, outcome="no_action", rationale=f"{LABEL} noted by chair"
    )
    meetings.add_action(
        actor=chair,
        meeting=meeting,
        description=f"{LABEL} covert follow-up",
        owner=chair,
        due_on=timezone.localdate() + dt.timedelta(days=5),
        item=item,
    )
    assert Decision.objects.filter(item=item).exists()
    assert MeetingAction.objects.filter(item=item).exists()
    client = client_for(lro)
    for url in (
        f"/meetings/forums/{forum.pk}/",
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/minutes/",
        f"/meetings/{meeting.pk}/pack/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        shown = text_of(response)
        assert LABEL not in shown, url
        assert secret.reference not in shown, url
    shown = text_of(client_for(chair).get(f"/meetings/forums/{forum.pk}/"))
    assert LABEL in shown


def test_6_an_appointee_must_be_cleared_to_see_the_record():
    secret = secret_dyp_ocg()
    with pytest.raises(ValidationError) as refused:
        ownership.appoint(
            actor=sc("dp.sc.analyst2"), item=secret, role="sio", person=persona("dp.sio")
        )
    assert "person" in refused.value.message_dict
    assert secret.reference in refused.value.message_dict["person"][0]
    assert not Appointment.objects.filter(ocg=secret, person__username="dp.sio").exists()
    # Cleared, the same appointment is made.
    ownership.appoint(actor=sc("dp.sc.analyst2"), item=secret, role="sio", person=sc("dp.sc.sio"))
    assert Appointment.objects.filter(ocg=secret, role="sio", ended_on__isnull=True).exists()


@pytest.mark.parametrize("by_key_up_to", [200, 0], ids=["each-by-key", "gathered"])
def test_a_message_about_a_record_reaches_only_those_who_may_see_it(
    mailoutbox, django_capture_on_commit_callbacks, monkeypatch, by_key_up_to
):
    """Notifications and e-mails cannot diverge from the policy: a message about a SECRET
    OCG goes to the cleared person only, in Concord and by e-mail, and a notification already
    sent leaves the list when its reader loses sight of the record. The unread count looks
    each record up by its key for a few notifications, and gathers what the reader may see for
    many: both ways agree with the policy."""
    from concord.core import policy
    from concord.organisations import notifications
    from concord.organisations.models import Notification, User
    from concord.organisations.notifications import notify, unread

    monkeypatch.setattr(notifications, "BY_KEY_UP_TO", by_key_up_to)

    secret = secret_dyp_ocg()
    cleared, lro = sc("dp.sc.reader"), persona("dp.lro")
    with django_capture_on_commit_callbacks(execute=True):
        sent = notify(
            [cleared, lro],
            code="transfer.answered",
            params={"ref": secret.reference},
            about=secret,
        )
    assert sent == 1
    assert [m.to for m in mailoutbox] == [[cleared.email]]
    assert not Notification.objects.filter(person=lro).exists()
    assert unread(cleared) == 1
    User.objects.filter(pk=cleared.pk).update(vetting_level="NPPV3")
    cleared.refresh_from_db()
    policy.forget(cleared)
    assert unread(cleared) == 0
    assert secret.reference not in text_of(client_for(cleared).get("/notifications/"))


def test_a_message_about_a_meeting_action_follows_the_record_behind_it():
    """A notification about something that hangs off a record (a meeting action on a SECRET
    OCG) is read through that thing's own declaration, however deep."""
    from concord.core import policy
    from concord.organisations.models import Notification, User
    from concord.organisations.notifications import notify
    from tests.access.derived import make_meeting_action

    secret = secret_dyp_ocg()
    action = make_meeting_action(secret)
    owner = sc("dp.sc.owner")
    notify(
        [owner],
        code="meeting.action",
        params={"forum": "Tasking", "action": "An action for you"},
        about=action,
    )
    assert Notification.objects.visible_to(owner).count() == 1
    User.objects.filter(pk=owner.pk).update(vetting_level="NPPV3")
    owner.refresh_from_db()
    policy.forget(owner)
    assert Notification.objects.visible_to(owner).count() == 0


def test_a_message_about_a_kind_of_record_notifications_do_not_name_is_refused():
    from concord.organisations.notifications import notify
    from tests.access.derived import make_review

    review = make_review(make_ocg("DYP", "OFFICIAL", False))
    with pytest.raises(ValueError, match=r"plans\.planreview"):
        notify([persona("dp.lro")], code="tasking.done", params={"ref": "T-1"}, about=review)
