"""The home page's "Needs your attention" (web/attention.py and each app's attention.py).

For each provider: the person whose work it is sees the entry, its count and a row that links
to the page where it is done (which opens for them); a person who may not see the record (other
force, not vetted for SECRET, partner) or whose work it is not does not, and the count leaves
the record out. Every row passes the named action's own rule. The page costs a fixed number of
queries however much is waiting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.core import policy
from concord.intelligence import services as intel
from concord.intelligence.models import IntelReport
from concord.meetings import services as meeting_services
from concord.meetings.choices import ForumKind, ForumLevel
from concord.meetings.models import Forum
from concord.monitoring.models import Alert
from concord.organisations.models import User
from concord.organisations.notifications import notify
from concord.ownership import services as ownership
from concord.ownership import tasking, transfers
from concord.ownership.models import TransferRequest
from concord.plans import services as plans
from concord.plans.models import Action, Plan
from concord.threats.models import Ocg
from concord.web import attention
from tests.access.registry import make_ocg
from tests.factories import UserFactory, organisation

pytestmark = pytest.mark.django_db

TOPICS = ["intelligence", "risks", "safeguarding", "actions"]


def entries(user: User) -> dict[str, attention.Entry]:
    fresh = User.objects.get(pk=user.pk)  # a new request: nothing cached on the person
    return {e.key: e for e in attention.entries_for(fresh)}


def count(user: User, key: str) -> int:
    found = entries(user).get(key)
    return found.count if found else 0


def opens(client: Client, user: User, url: str) -> str:
    """Follow a row's link as the person (giving a reason where the record asks one): the
    page where the work is done, as text."""
    client.force_login(user)
    response = client.get(url)
    if response.status_code == 302 and response["Location"].startswith("/access-reason/"):
        response = client.post(
            response["Location"], {"reason": "Reading what was shared with us"}, follow=True
        )
    assert response.status_code == 200, url
    return response.content.decode()


def support_request(sio: User, ocg: Ocg, to: str = "TARIAN") -> TransferRequest:
    return transfers.request_transfer(
        actor=sio,
        item=ocg,
        kind="support",
        to_organisation=organisation(to),
        reason="Firearms supply across three force areas",
        asked="An SIO and a surveillance team",
    )


# The registry ---------------------------------------------------------------------------


def test_every_app_registers_its_providers():
    assert {
        "ownership",
        "plans",
        "scoring",
        "intelligence",
        "meetings",
        "monitoring",
        "organisations",
    } <= set(attention.providers())


def test_entries_leave_out_what_is_empty_and_come_in_order(cast):
    def two(user: Any) -> list[attention.Entry]:
        return [
            attention.Entry("test.later", "Later", 2, order=99),
            attention.Entry("test.empty", "Empty", 0, order=1),
            attention.Entry("test.sooner", "Sooner", 1, order=0),
        ]

    attention.register("test", two)
    try:
        keys = [e.key for e in attention.entries_for(cast("wilts.analyst"))]
    finally:
        del attention._PROVIDERS["test"]
    assert keys == ["test.sooner", "test.later"]


def test_sample_counts_only_when_there_are_more_than_it_shows(cast):
    for _ in range(7):
        make_ocg("DYP", "OFFICIAL", False)
    everything = Ocg.objects.order_by("pk")
    with CaptureQueriesContext(connection) as few:
        total, rows = attention.sample(Ocg.objects.filter(reference="OCG-NONE-0"), str)
    assert (total, rows) == (0, [])
    assert len(few) == 1
    with CaptureQueriesContext(connection) as many:
        total, rows = attention.sample(
            everything, lambda o: attention.Row(o.reference, o.name, "/")
        )
    assert total == 7
    assert len(rows) == attention.EXAMPLES
    assert len(many) == 2


def test_nothing_waiting_shows_the_empty_state(client, cast):
    client.force_login(cast("wilts.analyst"))
    page = client.get("/").content.decode()
    assert "Needs your attention" in page
    assert "Nothing is waiting for you." in page
    assert 'data-testid="home-organisation"' in page  # the profile facts are still there


# Ownership ----------------------------------------------------------------------------


def test_a_transfer_to_decide_is_the_receiving_deciders_and_nobody_elses(client, cast):
    dp_sio, chair = cast("dp.sio"), cast("tarian.chair")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    request = support_request(dp_sio, ocg)
    entry = entries(chair)["ownership.transfers_to_decide"]
    assert entry.count == 1
    assert entry.rows[0].reference == ocg.reference
    assert entry.rows[0].url == f"/transfers/{request.pk}/"
    assert policy.may(chair, policy.Act.DECIDE_TRANSFER, request)
    page = opens(client, chair, entry.rows[0].url)
    assert "Record the decision" in page
    # Not another region's chair, not Tarian's SIO (no deciding role), not the sender.
    for other in (cast("nwrocu.chair"), cast("tarian.sio"), dp_sio):
        assert count(other, "ownership.transfers_to_decide") == 0
    # Queried, it waits for the requester's answer instead.
    transfers.decide_transfer(
        actor=chair, transfer=request, decision="query", reason="Which force areas exactly?"
    )
    assert count(chair, "ownership.transfers_to_decide") == 0
    query = entries(dp_sio)["ownership.transfer_queries"]
    assert query.rows[0].url == f"/transfers/{request.pk}/"
    assert count(cast("dp.analyst"), "ownership.transfer_queries") == 0  # not theirs to answer
    assert "Send the answer" in opens(client, dp_sio, query.rows[0].url)


def test_a_decider_not_vetted_for_secret_is_not_counted_a_secret_request(cast):
    dp_sio = cast("dp.sio")
    sro = UserFactory(organisation=organisation("TARIAN"), roles=["sro"], vetting_level="NPPV3")
    support_request(dp_sio, make_ocg("DYP", "OFFICIAL", False))
    secret = make_ocg("DYP", "SECRET", False)
    dp_sio.vetting_level = "SC"
    dp_sio.save()
    policy.forget(dp_sio)
    secret_request = support_request(dp_sio, secret)
    assert count(sro, "ownership.transfers_to_decide") == 1
    assert not policy.may(sro, policy.Act.DECIDE_TRANSFER, secret_request)
    assert count(cast("tarian.chair"), "ownership.transfers_to_decide") == 2  # SC-vetted


def test_an_adoption_the_nca_proposes_is_decided_by_the_owner(cast):
    nca = cast("nca.tasking")
    chief = UserFactory(organisation=organisation("DYP"), roles=["chief_officer"])
    ocg = make_ocg("DYP", "OFFICIAL", False)
    proposal = transfers.request_transfer(
        actor=nca,
        item=ocg,
        kind="adoption",
        to_organisation=organisation("NCA"),
        reason="National picture: links to three regions",
        asked="Adopt the group nationally",
    )
    assert transfers.deciding_organisation(proposal) == organisation("DYP").pk
    assert entries(chief)["ownership.transfers_to_decide"].rows[0].reference == ocg.reference
    assert policy.may(chief, policy.Act.DECIDE_TRANSFER, proposal)
    assert count(nca, "ownership.transfers_to_decide") == 0


def test_handovers_wait_for_the_sender_then_the_receiver(client, cast):
    dp_sio, chair = cast("dp.sio"), cast("tarian.chair")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    request = support_request(dp_sio, ocg)
    transfers.decide_transfer(actor=chair, transfer=request, decision="accept")
    to_write = entries(dp_sio)["ownership.handovers_to_write"]
    assert to_write.count == 1
    assert "0 of 4" in str(to_write.rows[0].note)
    assert "Save the handover note" in opens(client, dp_sio, to_write.rows[0].url)
    assert count(cast("dp.analyst"), "ownership.handovers_to_write") == 0
    assert count(chair, "ownership.handovers_to_receive") == 0  # nothing written yet
    for topic in TOPICS:
        transfers.write_handover(actor=dp_sio, transfer=request, topic=topic, text="See the file")
    assert count(dp_sio, "ownership.handovers_to_write") == 0
    to_confirm = entries(chair)["ownership.handovers_to_receive"]
    assert "Confirm" in opens(client, chair, to_confirm.rows[0].url)
    assert count(cast("nwrocu.chair"), "ownership.handovers_to_receive") == 0
    for topic in TOPICS:
        transfers.confirm_handover(actor=chair, transfer=request, topic=topic)
    # All confirmed: it waits for the receiver to complete it.
    assert "Complete the transfer" in opens(
        client, chair, entries(chair)["ownership.handovers_to_receive"].rows[0].url
    )
    transfers.complete_transfer(actor=chair, transfer=request, sio=cast("tarian.sio"))
    assert count(chair, "ownership.handovers_to_receive") == 0


def test_tasking_to_decide_then_its_outcome_to_record(client, cast):
    dp_sio, chair = cast("dp.sio"), cast("tarian.chair")
    request = tasking.request_tasking(
        actor=dp_sio,
        to_organisation=organisation("TARIAN"),
        capability="Covert surveillance",
        asked="Two weeks of surveillance on the group's stash house",
        reason="Firearms supply into Carmarthen",
        respond_by=timezone.localdate() + dt.timedelta(days=5),
    )
    entry = entries(chair)["ownership.taskings_to_decide"]
    assert (entry.count, entry.rows[0].reference) == (1, request.reference)
    assert entry.rows[0].due == request.respond_by
    assert policy.may(chair, policy.Act.DECIDE_TASKING, request)
    assert "Record the decision" in opens(client, chair, entry.rows[0].url)
    for other in (cast("nwrocu.chair"), cast("tarian.sio"), dp_sio, cast("bf.partner")):
        assert count(other, "ownership.taskings_to_decide") == 0
    tasking.decide_tasking(actor=chair, tasking=request, decision="accept")
    assert count(chair, "ownership.taskings_to_decide") == 0
    outcome = entries(chair)["ownership.outcomes_to_record"]
    assert "Record the outcome" in opens(client, chair, outcome.rows[0].url)
    assert count(cast("tarian.sio"), "ownership.outcomes_to_record") == 0


def test_a_tasking_query_waits_for_the_sender(cast):
    dp_sio, chair = cast("dp.sio"), cast("tarian.chair")
    request = tasking.request_tasking(
        actor=dp_sio,
        to_organisation=organisation("TARIAN"),
        capability="Covert surveillance",
        asked="Two weeks of surveillance",
        reason="Firearms supply into Carmarthen",
        respond_by=timezone.localdate() + dt.timedelta(days=5),
    )
    tasking.decide_tasking(actor=chair, tasking=request, decision="query", reason="Which house?")
    assert count(chair, "ownership.taskings_to_decide") == 0
    assert entries(dp_sio)["ownership.tasking_queries"].rows[0].reference == request.reference
    assert count(cast("gmp.sio"), "ownership.tasking_queries") == 0


def _mapped_days_ago(ocg: Ocg, days: int) -> None:
    Ocg.objects.filter(pk=ocg.pk).update(
        mapped_on=timezone.localdate() - dt.timedelta(days=days),
        created_at=timezone.now() - dt.timedelta(days=days),
    )


def test_vacancies_are_for_those_who_appoint_in_the_owning_organisation(client, cast, settings):
    dp_sio = cast("dp.sio")
    old = make_ocg("DYP", "OFFICIAL", False)
    _mapped_days_ago(old, settings.CONCORD_LRO_VACANCY_DAYS + 1)
    new = make_ocg("DYP", "OFFICIAL", False)  # mapped today: no vacancy yet
    secret = make_ocg("DYP", "SECRET", False)
    _mapped_days_ago(secret, settings.CONCORD_LRO_VACANCY_DAYS + 1)
    entry = entries(dp_sio)["ownership.vacancies_ocg"]
    assert entry.count == 1  # dp.sio (NPPV3) may not see the SECRET one
    assert [r.reference for r in entry.rows] == [old.reference]
    assert "No LRO" in str(entry.rows[0].note)
    old.refresh_from_db()
    assert ownership.vacancies(old)
    assert not ownership.vacancies(new)
    assert policy.may(dp_sio, policy.Act.APPOINT, old)
    assert "Appoint" in opens(client, dp_sio, entry.rows[0].url)
    for other in (cast("dp.analyst"), cast("gmp.sio"), cast("tarian.chair"), cast("bf.partner")):
        assert count(other, "ownership.vacancies_ocg") == 0
    # An LRO fills it; an LRO whose vetting lapses opens it again.
    lro = cast("dp.lro")
    ownership.appoint(actor=dp_sio, item=old, role="lro", person=lro)
    assert count(dp_sio, "ownership.vacancies_ocg") == 0
    User.objects.filter(pk=lro.pk).update(vetting_expires=timezone.localdate() - dt.timedelta(1))
    assert count(dp_sio, "ownership.vacancies_ocg") == 1


def test_a_vacancy_is_counted_on_the_day_the_service_says(cast, settings):
    """The query and `services.vacancies` agree at the boundary day."""
    dp_sio = cast("dp.sio")
    for days in (settings.CONCORD_LRO_VACANCY_DAYS - 1, settings.CONCORD_LRO_VACANCY_DAYS):
        ocg = make_ocg("DYP", "OFFICIAL", False)
        _mapped_days_ago(ocg, days)
    shown = {r.reference for r in entries(dp_sio)["ownership.vacancies_ocg"].rows}
    expected = {o.reference for o in Ocg.objects.all() if ownership.vacancies(o)}
    assert shown == expected
    assert len(expected) == 1


# Plans --------------------------------------------------------------------------------


def _plan_with_action(owner_code: str, **owner: Any) -> Action:
    sio = cast_sio(owner_code)
    ocg = make_ocg(owner_code, "OFFICIAL", False)
    objective = plans.add_objective(
        actor=sio, item=ocg, strand="prevent", text="Safeguard the children it exploits"
    )
    action = plans.add_action(
        actor=sio,
        objective=objective,
        description="Visit the schools on the line",
        due_on=timezone.localdate(),
        **owner,
    )
    Action.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - dt.timedelta(1))
    return action


def cast_sio(code: str) -> User:
    from tests.factories import persona

    return persona({"DYP": "dp.sio", "GMP": "gmp.sio"}[code])


def test_a_partner_sees_only_its_own_overdue_actions(client, cast):
    partner, other = cast("bf.partner"), cast("mcc.partner")
    action = _plan_with_action("DYP", owner_organisation=organisation("BF"))
    _plan_with_action("GMP", owner_organisation=organisation("MCC"))
    found = entries(partner)
    assert set(found) <= {"plans.actions_due", "organisations.notifications"}
    entry = found["plans.actions_due"]
    assert entry.count == 1
    assert entry.rows[0].overdue
    assert entry.rows[0].title == action.description
    assert "Visit the schools on the line" in opens(client, partner, entry.rows[0].url)
    assert count(other, "plans.actions_due") == 1  # its own, not Border Force's
    assert count(cast("wilts.analyst"), "plans.actions_due") == 0


def test_actions_far_off_or_done_are_not_waiting(cast):
    lro = cast("dp.lro")
    action = _plan_with_action("DYP", owner_person=lro)
    assert count(lro, "plans.actions_due") == 1
    Action.objects.filter(pk=action.pk).update(due_on=timezone.localdate() + dt.timedelta(days=60))
    assert count(lro, "plans.actions_due") == 0
    Action.objects.filter(pk=action.pk).update(due_on=timezone.localdate(), status="done")
    assert count(lro, "plans.actions_due") == 0


def test_a_plan_review_overdue_waits_for_the_items_sio_and_lro(client, cast):
    dp_sio, lro = cast("dp.sio"), cast("dp.lro")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    ownership.appoint(actor=dp_sio, item=ocg, role="lro", person=lro)
    plans.add_objective(actor=lro, item=ocg, strand="pursue", text="Dismantle the supply line")
    Plan.objects.filter(ocg=ocg).update(next_review_on=timezone.localdate() - dt.timedelta(3))
    entry = entries(lro)["plans.reviews_overdue"]
    assert entry.rows[0].reference == ocg.reference
    assert entry.rows[0].overdue
    assert "Record the review" in opens(client, lro, entry.rows[0].url)
    for other in (dp_sio, cast("dp.analyst"), cast("gmp.lro")):  # dp.sio holds no post on it
        assert count(other, "plans.reviews_overdue") == 0


def test_a_disruption_waits_for_a_second_person_who_may_validate(client, cast):
    dp_sio, lro = cast("dp.sio"), cast("dp.lro")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    ownership.appoint(actor=dp_sio, item=ocg, role="lro", person=lro)
    claim = plans.claim_disruption(
        actor=dp_sio,
        item=ocg,
        strand="pursue",
        impact="major",
        occurred_on=timezone.localdate(),
        narrative="Warrants executed at three addresses",
        outcomes={"arrests": "3"},
    )
    entry = entries(lro)["plans.disruptions_to_validate"]
    assert entry.count == 1
    assert policy.may(lro, policy.Act.VALIDATE_DISRUPTION, claim)
    assert "Validate" in opens(client, lro, entry.rows[0].url)
    # Not the claimant, not another force, not a partner, not an analyst.
    for other in (dp_sio, cast("gmp.sio"), cast("bf.partner"), cast("dp.analyst")):
        assert count(other, "plans.disruptions_to_validate") == 0
    plans.validate_disruption(actor=lro, disruption=claim, accept=True)
    assert count(lro, "plans.disruptions_to_validate") == 0


# Scoring ------------------------------------------------------------------------------


def test_re_assessments_overdue_on_what_the_organisation_owns(client, cast):
    analyst = UserFactory(organisation=organisation("DYP"), roles=["analyst"])  # NPPV3
    due = make_ocg("DYP", "OFFICIAL", False)
    secret = make_ocg("DYP", "SECRET", False)
    theirs = make_ocg("GMP", "OFFICIAL", False)
    past = timezone.localdate() - dt.timedelta(days=2)
    Ocg.objects.filter(pk__in=[due.pk, secret.pk, theirs.pk]).update(review_due_on=past)
    entry = entries(analyst)["scoring.reassessments_ocg"]
    assert (entry.count, entry.rows[0].reference) == (1, due.reference)
    assert entry.rows[0].due == past
    assert policy.can(analyst, policy.CHANGE, due)
    opens(client, analyst, entry.rows[0].url)
    assert count(cast("gmp.sio"), "scoring.reassessments_ocg") == 1  # its own
    for other in (cast("tarian.chair"), cast("bf.partner")):  # regional reach is not owning
        assert count(other, "scoring.reassessments_ocg") == 0


# Intelligence -------------------------------------------------------------------------


def _report(analyst: User, code: str = "P", **extra: Any) -> IntelReport:
    conditions = "Not outside law enforcement" if code == "C" else ""
    return intel.record_report(
        actor=analyst,
        title="Deal phone moving between addresses",
        text="The line's phone moved between three addresses in Carmarthen.",
        information_date=timezone.localdate(),
        grading=intel.Grading("2", "B", code, conditions),
        **extra,
    )


def test_a_release_waits_for_a_second_person_of_the_originating_organisation(client, cast):
    analyst = cast("dp.analyst")
    approver = UserFactory(organisation=organisation("DYP"), roles=["sro"])
    report = _report(analyst, "C")
    intel.release(actor=analyst, report=report)
    entry = entries(approver)["intelligence.releases_to_approve"]
    assert entry.rows[0].reference == report.reference
    assert policy.may(approver, policy.Act.APPROVE_RELEASE, report)
    assert "Approve" in opens(client, approver, entry.rows[0].url)
    other = UserFactory(organisation=organisation("GMP"), roles=["sro"])
    for person in (analyst, other, cast("tarian.chair")):
        assert count(person, "intelligence.releases_to_approve") == 0


def test_new_intelligence_waits_until_it_is_opened(client, cast):
    analyst, wilts = cast("dp.analyst"), cast("wilts.analyst")
    report = _report(analyst)
    intel.release(actor=analyst, report=report)
    intel.disseminate(actor=analyst, report=report, to=[organisation("WIL")], purpose="Supply")
    entry = entries(wilts)["intelligence.new_shares"]
    assert entry.rows[0].reference == report.reference
    assert count(cast("gmp.sio"), "intelligence.new_shares") == 0  # not shared with GMP
    assert count(analyst, "intelligence.new_shares") == 0  # its own
    assert count(cast("tarian.chair"), "intelligence.new_shares") == 0  # no reach by region
    opens(client, wilts, entry.rows[0].url)
    assert count(wilts, "intelligence.new_shares") == 0
    # Recalled, it is gone whoever had not opened it.
    other = UserFactory(organisation=organisation("WIL"), roles=["intelligence_officer"])
    assert count(other, "intelligence.new_shares") == 1
    intel.recall(actor=analyst, report=report, reason="Source compromised; do not act")
    assert count(other, "intelligence.new_shares") == 0


def test_c_coded_intelligence_asks_its_conditions_first_and_is_listed_once(client, cast):
    analyst, wilts = cast("dp.analyst"), cast("wilts.analyst")
    approver = UserFactory(organisation=organisation("DYP"), roles=["sro"])
    report = _report(analyst, "C")
    intel.release(actor=analyst, report=report)
    intel.approve_release(actor=approver, report=report)
    intel.disseminate(actor=analyst, report=report, to=[organisation("WIL")], purpose="Supply")
    found = entries(wilts)
    assert found["intelligence.conditions_to_accept"].rows[0].reference == report.reference
    assert "intelligence.new_shares" not in found
    page = opens(client, wilts, found["intelligence.conditions_to_accept"].rows[0].url)
    assert "Accept the conditions and open the report" in page
    intel.accept_conditions(actor=wilts, report=report)
    assert count(wilts, "intelligence.conditions_to_accept") == 0


def test_a_partner_is_offered_no_intelligence(cast):
    analyst, partner = cast("dp.analyst"), cast("bf.partner")
    report = _report(analyst, "C")
    intel.release(actor=analyst, report=report)
    intel.approve_release(
        actor=UserFactory(organisation=organisation("DYP"), roles=["sro"]), report=report
    )
    intel.disseminate(actor=analyst, report=report, to=[organisation("BF")], purpose="Ports")
    assert not set(entries(partner)) & {
        "intelligence.conditions_to_accept",
        "intelligence.new_shares",
    }


# Monitoring ---------------------------------------------------------------------------


def test_alerts_wait_for_the_auditors_who_oversee_them(client, cast):
    subject = cast("dp.analyst")
    alert = Alert.objects.create(
        kind="bulk_viewing",
        person=subject,
        organisation=organisation("DYP"),
        explanation="Viewed 400 records in an hour",
    )
    national = cast("psd.auditor")
    entry = entries(national)["monitoring.alerts"]
    assert entry.rows[0].url == f"/audit/alerts/{alert.pk}/"
    assert policy.may(national, policy.Act.REVIEW_ALERT, alert)
    assert "Record the review" in opens(client, national, entry.rows[0].url)
    dyfed = UserFactory(organisation=organisation("DYP"), roles=["auditor"])
    gwent = UserFactory(organisation=organisation("GMP"), roles=["auditor"])
    assert count(dyfed, "monitoring.alerts") == 1
    assert count(gwent, "monitoring.alerts") == 0  # not in its scope
    assert count(subject, "monitoring.alerts") == 0  # not an auditor
    Alert.objects.filter(pk=alert.pk).update(status="reviewed")
    assert count(national, "monitoring.alerts") == 0


# Meetings -----------------------------------------------------------------------------


def _forum(chair: User) -> Forum:
    forum = Forum.objects.create(
        organisation=organisation("TARIAN"),
        name="Regional tasking and coordination group",
        level=ForumLevel.REGION,
        kind=ForumKind.TACTICAL,
        chair=chair,
    )
    forum.members.add(chair)
    return forum


def test_a_chair_is_told_of_an_agenda_to_issue_and_an_owner_of_a_meeting_action(client, cast):
    chair, sio = cast("tarian.chair"), cast("tarian.sio")
    forum = _forum(chair)
    forum.members.add(sio)
    soon = meeting_services.schedule(
        actor=chair, forum=forum, starts_at=timezone.now() + dt.timedelta(days=3)
    )
    meeting_services.schedule(
        actor=chair, forum=forum, starts_at=timezone.now() + dt.timedelta(days=40)
    )
    entry = entries(chair)["meetings.agendas_to_issue"]
    assert entry.count == 1
    assert "Issue the agenda" in opens(client, chair, entry.rows[0].url)
    assert count(sio, "meetings.agendas_to_issue") == 0
    action = meeting_services.add_action(
        actor=chair,
        meeting=soon,
        description="Brief the region's forces on the supply line",
        owner=sio,
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    given = entries(sio)["meetings.actions"]
    assert given.rows[0].title == action.description
    assert "Mark done" in opens(client, sio, given.rows[0].url)
    assert count(chair, "meetings.actions") == 0
    meeting_services.add_item(actor=chair, meeting=soon, title="Regional supply lines")
    meeting_services.issue_agenda(actor=chair, meeting=soon)
    assert count(chair, "meetings.agendas_to_issue") == 0


# Organisations ------------------------------------------------------------------------


def test_unread_notifications_until_the_list_is_read(client, cast):
    lro = cast("dp.lro")
    notify([lro], code="tasking.done", params={"ref": "TSK-DYP-000001"}, link="/actions/")
    entry = entries(lro)["organisations.notifications"]
    assert (entry.count, entry.rows[0].url) == (1, "/actions/")
    assert count(cast("dp.sio"), "organisations.notifications") == 0
    opens(client, lro, "/notifications/")
    assert count(lro, "organisations.notifications") == 0


def test_a_notification_about_a_record_no_longer_seen_is_not_counted(cast):
    dp_sio, chair = cast("dp.sio"), cast("tarian.chair")
    request = support_request(dp_sio, make_ocg("DYP", "OFFICIAL", True))
    assert count(chair, "organisations.notifications") == 1
    transfers.withdraw_transfer(actor=dp_sio, transfer=request, reason="Dealt with locally now")
    assert count(chair, "organisations.notifications") == 0


def test_an_administrator_sees_vetting_to_renew_in_their_organisation(client, cast):
    admin = UserFactory(organisation=organisation("DYP"), roles=["administrator"])
    lapsing = UserFactory(
        organisation=organisation("DYP"),
        vetting_expires=timezone.localdate() + dt.timedelta(days=10),
    )
    UserFactory(
        organisation=organisation("GMP"),
        vetting_expires=timezone.localdate() + dt.timedelta(days=10),
    )
    entry = entries(admin)["organisations.vetting"]
    assert [r.reference for r in entry.rows] == [lapsing.username]
    assert "Vetting" in opens(client, admin, entry.rows[0].url)
    assert count(cast("dp.lro"), "organisations.vetting") == 0


# The page -----------------------------------------------------------------------------


def test_the_home_page_lists_each_entry_with_its_count_and_links(client, cast):
    dp_sio, chair = cast("dp.sio"), cast("tarian.chair")
    request = support_request(dp_sio, make_ocg("DYP", "OFFICIAL", False))
    client.force_login(chair)
    page = client.get("/").content.decode()
    assert page.index("Needs your attention") < page.index('data-testid="home-organisation"')
    assert "Transfer requests to decide" in page
    assert "1 waiting" in page
    assert f'href="/transfers/{request.pk}/"' in page
    assert "Nothing is waiting for you." not in page


def test_the_home_page_is_in_welsh(client, cast):
    dp_sio, chair = cast("dp.sio"), cast("tarian.chair")
    support_request(dp_sio, make_ocg("DYP", "OFFICIAL", False))
    client.force_login(chair)
    client.post("/i18n/setlang/", {"language": "cy", "next": "/"})
    page = client.get("/").content.decode()
    assert "Angen eich sylw" in page
    assert "Ceisiadau trosglwyddo i benderfynu arnynt" in page
    assert "1 yn aros" in page


def _busy_world(chair: User, size: int, start: int) -> None:
    """`size` of everything that waits for Tarian's chair."""
    dp_sio, sio = persona_of("dp.sio"), persona_of("tarian.sio")
    forum = Forum.objects.filter(chair=chair).first() or _forum(chair)
    for n in range(size):
        support_request(dp_sio, make_ocg("DYP", "OFFICIAL", False))
        tasking.request_tasking(
            actor=dp_sio,
            to_organisation=organisation("TARIAN"),
            capability=f"Surveillance {start + n}",
            asked="Two weeks of surveillance",
            reason="Firearms supply into Carmarthen",
            respond_by=timezone.localdate() + dt.timedelta(days=5),
        )
        meeting = meeting_services.schedule(
            actor=chair, forum=forum, starts_at=timezone.now() + dt.timedelta(days=2, hours=n)
        )
        meeting_services.add_action(
            actor=chair,
            meeting=meeting,
            description=f"Report back on the line {start + n}",
            owner=chair,
            due_on=timezone.localdate(),
        )
        owned = make_ocg("DYP", "OFFICIAL", False)
        Ocg.objects.filter(pk=owned.pk).update(owner=organisation("TARIAN"))
        Ocg.objects.filter(pk=owned.pk).update(
            review_due_on=timezone.localdate() - dt.timedelta(days=1),
            mapped_on=timezone.localdate() - dt.timedelta(days=60),
        )
        ownership.appoint(actor=chair, item=Ocg.objects.get(pk=owned.pk), role="sio", person=sio)


def persona_of(username: str) -> User:
    from tests.factories import persona

    return persona(username)


def test_the_home_page_costs_the_same_queries_however_much_waits(client, cast):
    chair = cast("tarian.chair")
    _busy_world(chair, attention.EXAMPLES + 1, 0)
    client.force_login(chair)

    def measure() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/")
        assert response.status_code == 200
        return len(queries), response.content.decode()

    measure()  # warm the content type cache
    few, _page = measure()
    _busy_world(chair, attention.EXAMPLES + 1, 1)
    many, page = measure()
    for heading in (
        "Transfer requests to decide",
        "Tasking requests to decide",
        "Agendas to issue",
        "Meeting actions given to you",
        "OCG re-assessments overdue",
        "OCGs with a vacancy",
        "Unread notifications",
    ):
        assert heading in page
    assert f"{2 * (attention.EXAMPLES + 1)} waiting" in page
    assert many == few
    assert many <= 60
