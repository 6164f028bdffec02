"""Gaps kept from the allocation, put on the regional tasking agenda, and answered there by the
chair (lend, bid, accept the risk) through the capabilities services, with the audit trail; an
agreed loan is pinned in every later run, so the gap stays closed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from concord.capabilities import demand, gaps, planning
from concord.capabilities.choices import GapStatus
from concord.capabilities.models import AllocationRun, Gap
from concord.core.models import AuditEntry
from concord.meetings import services as meetings
from concord.meetings.choices import ForumKind, ForumLevel, ItemKind, Outcome
from concord.meetings.models import Decision, Forum
from concord.organisations.models import User
from tests.access.test_matrix import body, client_for
from tests.factories import organisation

pytestmark = pytest.mark.django_db

TS = "technical-surveillance"


def _run(cast) -> AllocationRun:
    return demand.run_allocation(actor=cast("tarian.chair"), starts=timezone.localdate(), weeks=6)


def _open_gaps(escalated):
    return Gap.objects.filter(ocg=escalated, capability__code=TS, status=GapStatus.OPEN)


def _gap(escalated) -> Gap:
    return Gap.objects.get(ocg=escalated, capability__code=TS, status=GapStatus.OPEN)


@pytest.fixture
def regional_meeting(cast):
    chair = cast("tarian.chair")
    forum = Forum.objects.create(
        organisation=organisation("TARIAN"),
        name="Regional tasking and coordination group",
        level=ForumLevel.REGION,
        kind=ForumKind.TACTICAL,
        chair=chair,
    )
    forum.members.set([chair, cast("tarian.sio")])
    return meetings.schedule(actor=chair, forum=forum, starts_at=timezone.now())


def test_a_run_keeps_the_gap_and_proposes_the_south_wests_loan(escalated, cast):
    run = _run(cast)
    gap = _gap(escalated)
    assert (gap.organisation.code, gap.region, gap.needed, gap.unmet) == (
        "DYP",
        "southern-wales",
        1,
        0,
    )
    assert (gap.proposed_from.code, gap.proposed, gap.first_run, gap.last_run) == (
        "SWROCU",
        1,
        run,
        run,
    )
    assert gap.is_flex_request
    # A second run updates the same open gap rather than opening another.
    again = _run(cast)
    assert Gap.objects.filter(ocg=escalated, capability__code=TS).count() == 1
    assert _gap(escalated).last_run == again


def test_the_nearest_region_is_proposed_before_a_distant_one():
    costs = planning.flex_costs()
    from_wales = {b: c for (a, b), c in costs.items() if a == "southern-wales"}
    assert min(from_wales, key=from_wales.__getitem__) == "south-west"
    assert costs["southern-wales", "north-east"] > costs["southern-wales", "west-midlands"]
    assert costs["south-west", "southern-wales"] == costs["southern-wales", "south-west"]


def test_the_chair_agrees_the_loan_at_the_regional_meeting_and_the_gap_closes(
    escalated, cast, regional_meeting
):
    _run(cast)
    chair = cast("tarian.chair")
    items = meetings.build_agenda(actor=chair, meeting=regional_meeting)
    entry = next(i for i in items if i.object_id == _gap(escalated).pk)
    assert (entry.kind, entry.register_item) == (ItemKind.CAPACITY, escalated)
    assert [v for v, _label in meetings.outcomes_for(entry)] == [
        Outcome.LEND,
        Outcome.BID,
        Outcome.ACCEPT_RISK,
        Outcome.NO_ACTION,
    ]
    assert "SWROCU" in " ".join(entry.note_texts)
    decision = meetings.decide(
        actor=chair,
        item=entry,
        outcome=Outcome.LEND,
        rationale="The South West's team is free for the six weeks; agreed with its chief.",
    )
    gap = Gap.objects.get(pk=entry.object_id)
    assert (gap.status, gap.lender.code, gap.lent) == (GapStatus.LOAN, "SWROCU", 1)
    assert gap.decided_in.startswith("Regional tasking and coordination group")
    assert "SWROCU" in decision.effect
    audit = AuditEntry.objects.get(object_type="capabilities.gap", object_id=str(gap.pk))
    assert audit.detail["gap"] == "loan agreed"
    assert audit.actor_username == "tarian.chair"
    assert AuditEntry.objects.filter(
        object_type="meetings.meeting", detail__meeting="decision"
    ).exists()
    # The next run pins the loan: the need is served by it, and no gap opens again.
    run = _run(cast)
    assert [(x["threat"], x["pool"], x["amount"]) for x in run.result["loans"]] == [
        (escalated.reference, f"SWROCU/{TS}", 1)
    ]
    assert not _open_gaps(escalated).exists()
    world = planning.build(starts=timezone.localdate(), weeks=6)
    assert f"{escalated.reference}/{TS}" not in {n.id for n in planning.problem_of(world).needs}
    # …and it is off the next agenda.
    rebuilt = meetings.build_agenda(actor=chair, meeting=regional_meeting)
    about_it = [
        i.pk
        for i in rebuilt
        if i.kind == ItemKind.CAPACITY and i.title.endswith("Technical surveillance")
    ]
    assert about_it == [entry.pk]  # the decided entry is kept; no new one is made


def test_the_lender_sees_the_loan_but_never_the_threat(escalated, cast):
    _run(cast)
    gap = gaps.agree_loan(
        actor=cast("tarian.chair"), gap=_gap(escalated), rationale="Agreed by both chiefs."
    )
    sw = User.objects.get(username="sw.chief")
    assert Gap.objects.visible_to(sw).filter(pk=gap.pk).exists()
    page = client_for(sw).get(f"/capabilities/gaps/{gap.pk}/").content.decode()
    assert "Another threat (you may not see it)" in page
    assert escalated.reference not in page
    listing = client_for(sw).get("/capabilities/gaps/?status=loan").content.decode()
    assert gap.reference in listing
    assert escalated.reference not in listing
    # The South West's chief was told; the loan's page is where the link goes.
    from concord.organisations.models import Notification

    assert Notification.objects.filter(
        person=sw, code="capabilities.loan_agreed", link=gap.get_absolute_url()
    ).exists()


def test_those_who_may_not_see_the_threat_get_nothing(escalated, cast):
    _run(cast)
    gap = _gap(escalated)
    url = f"/capabilities/gaps/{gap.pk}/"
    for name in ("gmp.sio", "bf.partner", "nwrocu.chair"):
        client = client_for(cast(name))
        assert client.get(url).status_code == 404, name
        assert gap.reference not in client.get("/capabilities/gaps/?status=all").content.decode()
        assert gap.reference not in body(client.get("/capabilities/gaps/?export=csv&status=all"))
    # An open gap is not the proposed lender's to see until a loan is agreed.
    assert client_for(User.objects.get(username="sw.chief")).get(url).status_code == 404
    tarian = client_for(cast("tarian.chair"))
    assert escalated.reference in tarian.get(url).content.decode()
    assert gap.reference in body(tarian.get("/capabilities/gaps/?export=xlsx"))


def test_bad_answers_are_refused_by_name_and_change_nothing(escalated, cast, regional_meeting):
    _run(cast)
    gap = _gap(escalated)
    chair = cast("tarian.chair")
    with pytest.raises(ValidationError) as short:
        gaps.agree_loan(actor=chair, gap=gap, rationale="ok")
    assert "rationale" in short.value.message_dict
    with pytest.raises(ValidationError) as own:
        gaps.agree_loan(
            actor=chair, gap=gap, rationale="Lend it to ourselves.", lender=organisation("DYP")
        )
    assert "lender" in own.value.message_dict
    with pytest.raises(ValidationError) as none_held:
        gaps.agree_loan(
            actor=chair, gap=gap, rationale="From the north east.", lender=organisation("NEROCU")
        )
    assert "holds no unit" in none_held.value.message_dict["lender"][0]
    with pytest.raises(ValidationError) as past:
        gaps.accept_risk(
            actor=chair,
            gap=gap,
            rationale="Accept it for now.",
            review_on=timezone.localdate() - dt.timedelta(days=1),
        )
    assert "review_on" in past.value.message_dict
    with pytest.raises(ValidationError) as posts:
        gaps.make_bid(actor=chair, gap=gap, rationale="Bid for posts.", posts=500)
    assert "posts" in posts.value.message_dict
    # A force's LRO may not decide a regional gap.
    with pytest.raises(PermissionDenied):
        gaps.accept_risk(actor=cast("dp.lro"), gap=gap, rationale="Not mine to accept.")
    gap.refresh_from_db()
    assert gap.status == GapStatus.OPEN
    assert not AuditEntry.objects.filter(object_type="capabilities.gap").exists()
    # At the meeting: lend is only for a gap, and a gap is answered once.
    items = meetings.build_agenda(actor=chair, meeting=regional_meeting)
    other = next(i for i in items if i.content_type is None or i.content_type.model != "gap")
    with pytest.raises(ValidationError):
        meetings.decide(actor=chair, item=other, outcome=Outcome.LEND, rationale="Lend it, then.")
    entry = next(i for i in items if i.object_id == gap.pk and i.kind == ItemKind.CAPACITY)
    gaps.make_bid(actor=chair, gap=gap, rationale="Bid for two posts.", posts=2)
    with pytest.raises(ValidationError):
        meetings.decide(actor=chair, item=entry, outcome=Outcome.LEND, rationale="Too late now.")
    assert not Decision.objects.filter(item=entry).exists()


def test_a_bid_or_accepted_risk_keeps_the_gap_off_until_its_review(escalated, cast):
    _run(cast)
    chair = cast("tarian.chair")
    review = timezone.localdate() + dt.timedelta(weeks=10)
    gap = gaps.accept_risk(
        actor=chair, gap=_gap(escalated), rationale="Surveillance is lower risk.", review_on=review
    )
    assert (gap.status, gap.review_on) == (GapStatus.RISK, review)
    _run(cast)
    assert not _open_gaps(escalated).exists()
    # Past the review date the gap opens again.
    Gap.objects.filter(pk=gap.pk).update(review_on=timezone.localdate() - dt.timedelta(days=1))
    _run(cast)
    assert _open_gaps(escalated).count() == 1


def test_ending_a_loan_opens_the_gap_again_at_the_next_run(escalated, cast):
    _run(cast)
    gap = gaps.agree_loan(
        actor=cast("tarian.chair"), gap=_gap(escalated), rationale="Agreed by both chiefs."
    )
    sw = User.objects.get(username="sw.chief")
    with pytest.raises(ValidationError):
        gaps.end_loan(actor=cast("gmp.sio"), gap=gap, reason="Not ours to end at all.")
    gaps.end_loan(actor=sw, gap=gap, reason="The team is needed for a kidnap in Bristol.")
    gap.refresh_from_db()
    assert gap.status == GapStatus.ENDED
    _run(cast)
    assert _open_gaps(escalated).count() == 1


def test_the_chair_answers_a_gap_on_its_page(escalated, cast):
    _run(cast)
    gap = _gap(escalated)
    url = f"/capabilities/gaps/{gap.pk}/"
    chair = client_for(cast("tarian.chair"))
    refused = chair.post(url, {"step": "risk", "rationale": "no"}, follow=True).content.decode()
    assert "Give the rationale (at least ten characters)." in refused
    assert client_for(cast("dp.lro")).post(url, {"step": "risk"}).status_code == 404
    chair.post(url, {"step": "lend", "rationale": "Agreed with the South West's chief."})
    gap.refresh_from_db()
    assert gap.status == GapStatus.LOAN
    assert "Loan agreed" in chair.get(url).content.decode()


def test_the_gap_list_takes_a_fixed_number_of_queries(
    escalated, cast, django_assert_max_num_queries
):
    _run(cast)
    client = client_for(cast("nca.tasking"))
    client.get("/capabilities/gaps/?status=all")  # warm the per-person caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/capabilities/gaps/?status=all")
    template = _gap(escalated)
    for n in range(8):
        Gap.objects.create(
            ocg=template.ocg,
            capability=template.capability,
            organisation=template.organisation,
            region=template.region,
            starts=template.starts,
            ends=template.ends,
            status=GapStatus.MET,
            needed=n + 1,
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/capabilities/gaps/?status=all").content.decode()
    assert page.count("GAP-") >= 9
