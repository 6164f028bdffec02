"""Records that show a protected record, registered for the leak matrix: how to make one
hanging off a Dyfed-Powys record, the text that identifies it, and where it shows.

Every model that declares `access = Restricted(...)` must be here (test_surfaces checks), so a
new model hanging off an OCG cannot join the code without joining the matrix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from tests.access.registry import RECORD_TYPES
from tests.factories import organisation, persona

LABEL = "Wrexlington"  # appears nowhere else in the world the tests build


@dataclass(frozen=True)
class Derived:
    """A record type that shows a protected record."""

    # The protected record it hangs off (a key of RECORD_TYPES).
    parent: str
    # make(parent) -> the record; its text carries LABEL where it has text.
    make: Callable[[Any], Any]
    # Whether LABEL is shown anywhere (rows without text are checked by query and count).
    shows_label: bool = True
    # Pages and API reads of the one record: 404 for those who may not see it.
    pages: Callable[[Any], list[str]] = field(default=lambda obj: [])
    # Lists, exports, packs and feeds that must never show LABEL to them.
    listings: Callable[[Any], list[str]] = field(default=lambda obj: [])
    # Writes they must be refused (404), leaving the record as it was: (url, JSON payload).
    writes: Callable[[Any], list[tuple[str, dict[str, Any]]]] = field(default=lambda obj: [])
    # Only the person it belongs to could ever see it (a notification: dp.lro's own).
    personal: bool = False
    # Who is entitled to it, where not whoever may see the record behind (the chair alone).
    entitled: str = ""


def _sc(username: str = "dp.cleared") -> Any:
    """An SC-vetted Dyfed-Powys analyst: may see the owner's SECRET records."""
    from tests.factories import UserFactory

    return UserFactory(
        username=username,
        organisation=organisation("DYP"),
        roles=["analyst", "sio", "lro"],
        vetting_level="SC",
    )


def _now() -> dt.datetime:
    return timezone.now()


def _plan(ocg: Any) -> Any:
    from concord.plans.models import Plan

    plan, _made = Plan.objects.get_or_create(
        ocg=ocg,
        defaults={
            "aim": f"{LABEL} aim",
            "partner_context": f"{LABEL} context for partners",
            "next_review_on": timezone.localdate() + dt.timedelta(days=28),
        },
    )
    return plan


def _objective(ocg: Any) -> Any:
    from concord.plans.models import Objective

    return Objective.objects.create(plan=_plan(ocg), strand="pursue", text=f"{LABEL} objective")


def make_plan(ocg: Any) -> Any:
    return _plan(ocg)


def make_objective(ocg: Any) -> Any:
    return _objective(ocg)


def make_action(ocg: Any) -> Any:
    """An action on the plan given to dp.lro herself (NPPV3): ownership of the action must not
    open a SECRET plan to her (found from outside)."""
    from concord.plans.models import Action

    return Action.objects.create(
        objective=_objective(ocg),
        description=f"{LABEL} action",
        owner_person=persona("dp.lro"),
        due_on=timezone.localdate() + dt.timedelta(days=14),
    )


def make_review(ocg: Any) -> Any:
    from concord.plans.models import PlanReview

    return PlanReview.objects.create(
        plan=_plan(ocg), reviewed_by=_sc(), reviewed_at=_now(), notes=f"{LABEL} review"
    )


def make_mentor_comment(ocg: Any) -> Any:
    """A mentoring comment on the plan: seen by the pairing's mentee (dp.cleared here), its
    mentor while it is open and the organisation's leads, never by the plan's other readers."""
    from concord.plans.models import MentorComment, Pairing
    from tests.factories import UserFactory

    mentor = UserFactory(
        username="dp.mentor", organisation=organisation("DYP"), roles=["lro"], vetting_level="SC"
    )
    mentee = _sc()
    pairing = Pairing.objects.filter(mentee=mentee, ended_at__isnull=True).first()
    if pairing is None:
        pairing = Pairing.objects.create(
            mentor=mentor,
            mentee=mentee,
            organisation=organisation("DYP"),
            started_at=_now(),
            started_by=mentor,
        )
    return MentorComment.objects.create(
        pairing=pairing, plan=_plan(ocg), author=mentor, text=f"{LABEL} mentoring comment"
    )


def make_disruption(ocg: Any) -> Any:
    """Claimed for Dyfed-Powys by its SIO: the claiming organisation's staff must not see a
    disruption of a SECRET group they are not cleared for (found from outside)."""
    from concord.plans.models import Disruption, DisruptionImpact

    return Disruption.objects.create(
        ocg=ocg,
        strand="pursue",
        impact=DisruptionImpact.objects.order_by("rank").first(),
        occurred_on=timezone.localdate(),
        narrative=f"{LABEL} disruption",
        claimed_by=persona("dp.sio"),
        claimed_for=organisation("DYP"),
        claimed_at=_now(),
        arrests=3,
    )


def make_transfer(ocg: Any) -> Any:
    from concord.ownership.models import TransferRequest

    return TransferRequest.objects.create(
        ocg=ocg,
        kind="support",
        from_organisation=organisation("DYP"),
        to_organisation=organisation("NWROCU"),
        reason=f"{LABEL} transfer reason",
        asked="An SIO for six weeks",
        requested_by=_sc(),
        requested_at=_now(),
    )


def make_transfer_message(ocg: Any) -> Any:
    from concord.ownership.models import TransferMessage

    return TransferMessage.objects.create(
        transfer=make_transfer(ocg), author=_sc(), text=f"{LABEL} query"
    )


def make_handover(ocg: Any) -> Any:
    from concord.ownership.models import HandoverItem

    return HandoverItem.objects.create(
        transfer=make_transfer(ocg), topic="risks", text=f"{LABEL} risks", written_by=_sc()
    )


def make_period(ocg: Any) -> Any:
    from concord.ownership.models import OwnershipPeriod

    return OwnershipPeriod.objects.filter(ocg=ocg).get()


def make_appointment(ocg: Any) -> Any:
    from concord.ownership.models import Appointment

    return Appointment.objects.create(
        ocg=ocg,
        role="sio",
        person=_sc(),
        organisation=organisation("DYP"),
        started_on=timezone.localdate(),
        appointed_by=_sc(),
    )


def make_tasking_message(tasking: Any) -> Any:
    from concord.ownership.models import TaskingMessage

    return TaskingMessage.objects.create(tasking=tasking, author=_sc(), text=f"{LABEL} question")


def make_member(ocg: Any) -> Any:
    return ocg.members.get()


def make_entity_link(entity: Any) -> Any:
    return entity.links.first()


def make_assessment(ocg: Any) -> Any:
    from concord.scoring import services as scoring
    from concord.scoring.models import published_model

    model = published_model()
    chosen = {d.code: d.levels.order_by("order").first().order for d in model.dimensions.all()}
    return scoring.assess(
        actor=_sc(),
        item=ocg,
        chosen=chosen,
        rationale=dict.fromkeys(chosen, f"{LABEL} because"),
        summary=f"{LABEL} summary",
    )


def make_assessment_value(ocg: Any) -> Any:
    return make_assessment(ocg).values.first()


def make_feedback(report: Any) -> Any:
    from concord.intelligence.models import Feedback

    return Feedback.objects.create(
        report=report,
        person=_sc(),
        organisation=organisation("DYP"),
        kind="actioned",
        note=f"{LABEL} feedback",
    )


def make_acceptance(report: Any) -> Any:
    from concord.intelligence.models import ConditionsAccepted

    return ConditionsAccepted.objects.create(
        report=report, person=_sc(), conditions=f"{LABEL} conditions", accepted_at=_now()
    )


def make_feed_object(report: Any) -> Any:
    from concord.intelligence.models import FeedObject

    return FeedObject.objects.create(
        organisation=organisation("TARIAN"),
        report=report,
        stix_id=f"report--{report.reference.lower()}",
        kind="report",
        version=_now(),
        date_added=_now(),
        body=f'{{"name": "{LABEL}"}}',
    )


def make_received_object(report: Any) -> Any:
    from concord.intelligence.federation import register_peer
    from concord.intelligence.models import Peer, ReceivedObject
    from tests.intelligence.peering import PeerKey

    peer = (
        Peer.objects.filter(name="tarian").first()
        or (
            register_peer(
                name="tarian",
                organisation="TARIAN",
                local_organisation="DYP",
                url="http://127.0.0.1:9/taxii2/api/",
                public_key=PeerKey().public,
            )[0]
        )
    )
    return ReceivedObject.objects.create(
        peer=peer,
        stix_id=f"report--{report.reference.lower()}",
        kind="report",
        version=_now(),
        report=report,
        body={"name": LABEL},
    )


def make_notification(ocg: Any) -> Any:
    """A message about the record: kept from and hidden from those who may not see it."""
    from concord.organisations.models import Notification
    from concord.organisations.notifications import said

    return Notification.objects.create(
        person=persona("dp.lro"),
        code="plan.changed",
        params={"ref": ocg.reference, "name": LABEL, "what": said("plan.reviewed")},
        link=ocg.get_absolute_url(),
        about_type=ContentType.objects.get_for_model(ocg),
        about_id=ocg.pk,
    )


def _forum() -> Any:
    """A Dyfed-Powys forum whose members include the people the matrix tries."""
    from concord.meetings.models import Forum

    forum, made = Forum.objects.get_or_create(
        organisation=organisation("DYP"),
        name="Dyfed-Powys SOC tasking (matrix)",
        defaults={"level": "force", "kind": "tactical", "chair": _sc()},
    )
    if made:
        forum.members.set([persona("dp.lro"), persona("nca.tasking"), persona("dp.analyst")])
    return forum


def _meeting() -> Any:
    from concord.meetings.models import Meeting

    meeting, _made = Meeting.objects.get_or_create(
        forum=_forum(), defaults={"starts_at": _now() + dt.timedelta(days=2)}
    )
    return meeting


def make_agenda_item(ocg: Any) -> Any:
    from concord.meetings.models import AgendaItem

    item = AgendaItem(
        meeting=_meeting(),
        position=1,
        kind="new",
        title=f"{LABEL} {ocg.reference}",
        note=f"{LABEL} note",
        content_type=ContentType.objects.get_for_model(ocg),
        object_id=ocg.pk,
    )
    item.concern(ocg)
    item.save()
    return item


def make_decision(ocg: Any) -> Any:
    from concord.meetings.models import Decision

    item = make_agenda_item(ocg)
    return Decision.objects.create(
        meeting=item.meeting,
        item=item,
        outcome="no_action",
        rationale=f"{LABEL} rationale",
        decided_by=_sc(),
        decided_at=_now(),
    )


def make_meeting_action(ocg: Any) -> Any:
    from concord.meetings.models import MeetingAction

    item = make_agenda_item(ocg)
    action = MeetingAction(
        meeting=item.meeting,
        item=item,
        description=f"{LABEL} meeting action",
        owner=persona("dp.lro"),
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    action.concern(ocg)
    action.save()
    return action


def make_issued_agenda(ocg: Any) -> Any:
    from concord.meetings.models import IssuedAgenda

    item = make_agenda_item(ocg)
    return IssuedAgenda.objects.create(
        meeting=item.meeting,
        version=IssuedAgenda.objects.filter(meeting=item.meeting).count() + 1,
        issued_by=_sc(),
        issued_at=_now(),
        items=[{"title": item.title}],
    )


def _meeting_surfaces(obj: Any) -> list[str]:
    meeting = obj.meeting
    return [
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/pack/",
        f"/meetings/{meeting.pk}/pack/?format=pdf",
        f"/meetings/{meeting.pk}/minutes/",
        f"/meetings/{meeting.pk}/minutes/?format=pdf",
        f"/meetings/forums/{meeting.forum_id}/",
        "/notifications/",
        "/actions/",
        "/api/v1/forums?limit=1000",
        f"/api/v1/forums/{meeting.forum_id}",
        f"/api/v1/forums/{meeting.forum_id}/meetings?limit=1000",
        f"/api/v1/meetings/{meeting.pk}",
        f"/api/v1/meetings/{meeting.pk}/agenda?limit=1000",
        f"/api/v1/meetings/{meeting.pk}/agenda/issued?limit=1000",
        f"/api/v1/meetings/{meeting.pk}/decisions?limit=1000",
        f"/api/v1/meetings/{meeting.pk}/minutes",
        "/api/v1/meeting-actions?limit=1000",
    ]


def _plan_surfaces(obj: Any) -> list[str]:
    return [
        "/actions/",
        "/actions/?export=csv",
        "/actions/?export=xlsx",
        "/api/v1/actions?limit=1000",
        "/disruptions/",
        "/disruptions/?export=csv",
        "/api/v1/disruptions?limit=1000",
    ]


def _plan_page(obj: Any) -> list[str]:
    plan = obj.plan if hasattr(obj, "plan") else obj.objective.plan
    return [f"/plans/ocg/{plan.ocg.reference}/"]


def _transfer_surfaces(obj: Any) -> list[str]:
    return [
        "/transfers/",
        "/transfers/?status=all",
        "/transfers/?export=csv",
        "/transfers/?export=xlsx",
        "/api/v1/transfers?limit=1000",
        "/notifications/",
    ]


def make_demand(ocg: Any) -> Any:
    from concord.capabilities.models import Capability, Demand

    return Demand.objects.create(
        ocg=ocg,
        capability=Capability.objects.current().get(code="technical-surveillance"),
        amount=1,
        starts=timezone.localdate(),
        ends=timezone.localdate() + dt.timedelta(weeks=6),
        source="tasking",
        requested_by=organisation("DYP"),
        notes=LABEL,
    )


def make_gap(ocg: Any) -> Any:
    from concord.capabilities.models import Capability, Gap

    return Gap.objects.create(
        ocg=ocg,
        capability=Capability.objects.current().get(code="technical-surveillance"),
        organisation=ocg.owner,
        region="southern-wales",
        starts=timezone.localdate(),
        ends=timezone.localdate() + dt.timedelta(weeks=6),
        needed=1,
        unmet=1,
        status="risk",
        review_on=timezone.localdate() + dt.timedelta(weeks=8),
        decided_at=timezone.now(),
        decided_by=ocg.created_by,
        rationale=LABEL,
    )


def _gap_listings(gap: Any) -> list[str]:
    return [
        "/capabilities/gaps/?status=all",
        "/capabilities/gaps/?status=all&export=csv",
        "/capabilities/gaps/?status=all&export=xlsx",
        "/api/v1/capability-gaps",
    ]


def make_consistency_exception(ocg: Any) -> Any:
    from concord.insight.choices import RunStatus
    from concord.insight.models import ConsistencyException, ConsistencyRule, ConsistencyRun

    run = ConsistencyRun.objects.create(
        started_at=_now(), finished_at=_now(), status=RunStatus.FINISHED, counts={}
    )
    return ConsistencyException.objects.create(
        run=run,
        rule=ConsistencyRule.objects.get(code="assessed_in_cycle"),
        organisation=ocg.owner,
        ocg=ocg,
        detail=LABEL,
    )


def _consistency_listings(exception: Any) -> list[str]:
    from concord.insight import statistics

    year, quarter = statistics.quarter_of(timezone.localdate())
    return [
        "/insight/consistency/",
        "/insight/consistency/?export=csv",
        "/insight/consistency/?export=xlsx",
        f"/insight/oversight/TARIAN/{year}-q{quarter}/",
        f"/insight/oversight/TARIAN/{year}-q{quarter}/?format=print",
    ]


def _referral(receiving: str, *, label: bool = True, **links: Any) -> Any:
    """A Border Force parcel referral (its items carry LABEL) received by `receiving`."""
    from concord.referrals.models import Referral

    now = timezone.now()
    return Referral.objects.create(
        reference=f"RFL-BF-T{Referral.objects.count() + 1:05d}",
        sender=organisation("BF"),
        submitted_by=persona("bf.partner"),
        sender_reference=f"BF-{Referral.objects.count() + 1}",
        receiving_unit=organisation(receiving),
        category="imitation_firearm",
        items=[f"{LABEL} imitation pistol" if label else "Imitation pistol"],
        found_on=timezone.localdate(),
        postcode="EX4 3SR",
        handling_code="P",
        priority="p2",
        due_at=now + dt.timedelta(days=3),
        **links,
    )


def make_referral(ocg: Any) -> Any:
    """Received by the South West ROCU and linked to the OCG: whoever may see the OCG hears of
    it; anyone else only as its sender or receiving unit (neither is a Dyfed-Powys or NCA
    persona)."""
    return _referral("SWROCU", ocg=ocg, decision="linked", status="decided")


def make_referral_match(nominal: Any) -> Any:
    """A check result naming the nominal, on a referral Dyfed-Powys received."""
    from concord.referrals.models import ReferralMatch

    return ReferralMatch.objects.create(
        referral=_referral("DYP", label=False),
        nominal=nominal,
        hit_reference=f"HIT-{nominal.pk}",
        strength="strong",
        score=19.8,
        fields=["phone"],
    )


def make_referral_pointer(ocg: Any) -> Any:
    """A pointer on a referral linked to the OCG: the receiving unit's alone."""
    from concord.referrals.models import ReferralPointer

    return ReferralPointer.objects.create(
        referral=make_referral(ocg),
        owner=organisation("DYP"),
        desk="Dyfed-Powys Police: Force Intelligence Bureau",
        hit_reference=f"HIT-P-{ocg.pk}",
        strength="strong",
        score=19.8,
        fields=["phone"],
    )


def _referral_listings(r: Any) -> list[str]:
    return [
        "/referrals/",
        "/referrals/?scope=sent",
        "/referrals/?export=csv",
        "/referrals/?scope=sent&export=csv",
        "/referrals/figures/?by=receiving_unit",
        "/api/v1/referrals?scope=queue",
        "/api/v1/referrals?scope=sent",
        "/",
    ]


def make_subject(operation: Any) -> Any:
    from concord.deconfliction.models import Subject

    return Subject.objects.create(operation=operation, kind="handle", value=f"{LABEL}_handle")


def make_deployment(operation: Any) -> Any:
    from concord.deconfliction.models import Deployment

    starts = timezone.now() + dt.timedelta(days=1)
    return Deployment.objects.create(
        operation=operation,
        kind="search",
        place=f"{LABEL} Yard",
        latitude=51.858,
        longitude=-4.31,
        starts=starts,
        ends=starts + dt.timedelta(hours=2),
    )


def make_hit_side(operation: Any) -> Any:
    """The Dyfed-Powys side of a hit with a GMP operation (made directly: the services would
    check, and the matrix wants the one row)."""
    from concord.deconfliction.models import Hit, HitSide, Operation

    other = Operation.objects.create(
        owner=organisation("GMP"),
        name="Operation Other",
        contact_name="GMP desk",
        starts=timezone.localdate(),
    )
    hit = Hit.objects.create(
        kind="target",
        a_organisation=operation.owner,
        a_contact="Dyfed-Powys desk",
        b_organisation=other.owner,
        b_contact="GMP desk",
        respond_by=timezone.now() + dt.timedelta(hours=4),
    )
    mine = HitSide.objects.create(
        hit=hit, side="a", operation=operation, subject=make_subject(operation)
    )
    HitSide.objects.create(hit=hit, side="b", operation=other)
    return mine


def _hit_listings(side: Any) -> list[str]:
    return [
        "/deconfliction/hits/",
        "/deconfliction/hits/?export=csv",
        "/deconfliction/hits/?export=xlsx",
        "/api/v1/deconfliction/hits?limit=1000",
        f"/deconfliction/{side.operation_id}/",
        "/deconfliction/map/",
    ]


DERIVED: dict[str, Derived] = {
    "insight.consistencyexception": Derived(
        "ocg", make_consistency_exception, listings=_consistency_listings
    ),
    "deconfliction.subject": Derived(
        "operation", make_subject, listings=lambda s: [f"/deconfliction/{s.operation_id}/"]
    ),
    "deconfliction.deployment": Derived(
        "operation",
        make_deployment,
        listings=lambda d: [f"/deconfliction/{d.operation_id}/", "/deconfliction/map/"],
    ),
    "deconfliction.hitside": Derived(
        "operation",
        make_hit_side,
        pages=lambda s: [f"/deconfliction/hits/{s.pk}/", f"/api/v1/deconfliction/hits/{s.pk}"],
        listings=_hit_listings,
    ),
    "ownership.transferrequest": Derived(
        "ocg",
        make_transfer,
        pages=lambda t: [f"/transfers/{t.pk}/", f"/api/v1/transfers/{t.pk}"],
        listings=_transfer_surfaces,
        writes=lambda t: [
            (f"/api/v1/transfers/{t.pk}/decision", {"decision": "decline", "reason": "x" * 12})
        ],
    ),
    "ownership.transfermessage": Derived(
        "ocg", make_transfer_message, pages=lambda m: [f"/transfers/{m.transfer_id}/"]
    ),
    "ownership.handoveritem": Derived(
        "ocg", make_handover, pages=lambda h: [f"/transfers/{h.transfer_id}/"]
    ),
    "ownership.ownershipperiod": Derived("ocg", make_period, shows_label=False),
    "capabilities.demand": Derived("ocg", make_demand, shows_label=False),
    "capabilities.gap": Derived(
        "ocg",
        make_gap,
        pages=lambda g: [f"/capabilities/gaps/{g.pk}/", f"/api/v1/capability-gaps/{g.pk}"],
        listings=_gap_listings,
        writes=lambda g: [
            (f"/api/v1/capability-gaps/{g.pk}/decision", {"decision": "risk", "rationale": LABEL})
        ],
    ),
    "ownership.appointment": Derived("ocg", make_appointment, shows_label=False),
    "ownership.taskingmessage": Derived(
        "tasking", make_tasking_message, pages=lambda m: [f"/tasking/{m.tasking.reference}/"]
    ),
    "plans.plan": Derived(
        "ocg",
        make_plan,
        pages=lambda p: [
            f"/plans/ocg/{p.ocg.reference}/",
            f"/api/v1/plans/ocg/{p.ocg.reference}",
            f"/api/v1/plans/ocg/{p.ocg.reference}/checklist",
        ],
        listings=_plan_surfaces,
    ),
    "plans.objective": Derived("ocg", make_objective, pages=_plan_page, listings=_plan_surfaces),
    "plans.action": Derived(
        "ocg",
        make_action,
        pages=_plan_page,
        listings=_plan_surfaces,
        writes=lambda a: [(f"/api/v1/actions/{a.pk}", {"status": "done", "outcome": "Done it"})],
    ),
    "plans.planreview": Derived("ocg", make_review, pages=_plan_page, listings=_plan_surfaces),
    "plans.mentorcomment": Derived(
        "ocg",
        make_mentor_comment,
        pages=_plan_page,
        listings=lambda c: [
            *_plan_surfaces(c),
            "/plans/mentoring/",
            "/plans/mentoring/?export=csv",
            f"/api/v1/plans/ocg/{c.plan.ocg.reference}/mentor-comments",
        ],
        writes=lambda c: [
            (f"/api/v1/plans/ocg/{c.plan.ocg.reference}/mentor-comments", {"text": LABEL})
        ],
        entitled="dp.cleared",
    ),
    "plans.disruption": Derived(
        "ocg",
        make_disruption,
        listings=_plan_surfaces,
        writes=lambda d: [
            (f"/api/v1/disruptions/{d.pk}/validation", {"validate_it": True, "reason": ""})
        ],
    ),
    "threats.ocgmember": Derived("ocg", make_member, shows_label=False),
    "threats.entitylink": Derived("entity", make_entity_link, shows_label=False),
    "scoring.assessment": Derived(
        "ocg",
        make_assessment,
        pages=lambda a: [f"/assessments/ocg/{a.ocg.reference}/"],
        listings=lambda a: ["/priorities/", "/priorities/?export=csv"],
    ),
    "scoring.assessmentvalue": Derived("ocg", make_assessment_value, shows_label=False),
    "intelligence.feedback": Derived("report", make_feedback, shows_label=False),
    "intelligence.conditionsaccepted": Derived("report", make_acceptance, shows_label=False),
    "intelligence.feedobject": Derived("report", make_feed_object, shows_label=False),
    "intelligence.receivedobject": Derived("report", make_received_object, shows_label=False),
    "organisations.notification": Derived(
        "ocg", make_notification, listings=lambda n: ["/notifications/", "/"], personal=True
    ),
    "meetings.agendaitem": Derived(
        "ocg",
        make_agenda_item,
        pages=lambda i: [f"/meetings/{i.meeting_id}/items/{i.pk}/action/"],
        listings=_meeting_surfaces,
        writes=lambda i: [
            (
                f"/api/v1/meetings/{i.meeting_id}/agenda/{i.pk}/decision",
                {"outcome": "no_action", "rationale": "Decided by the matrix"},
            )
        ],
    ),
    "meetings.decision": Derived("ocg", make_decision, listings=_meeting_surfaces),
    "referrals.referral": Derived(
        "ocg",
        make_referral,
        pages=lambda r: [f"/referrals/{r.pk}/", f"/api/v1/referrals/{r.pk}"],
        listings=_referral_listings,
        writes=lambda r: [
            (f"/api/v1/referrals/{r.pk}/decision", {"decision": "nfa", "note": "Closed by it"})
        ],
    ),
    "referrals.referralmatch": Derived(
        "nominal",
        make_referral_match,
        listings=lambda m: [f"/referrals/{m.referral_id}/", f"/api/v1/referrals/{m.referral_id}"],
        shows_label=False,
    ),
    "referrals.referralpointer": Derived(
        "ocg", make_referral_pointer, shows_label=False, entitled="swrocu.triage"
    ),
    "meetings.meetingaction": Derived(
        "ocg",
        make_meeting_action,
        pages=lambda a: [f"/meetings/actions/{a.pk}/", f"/api/v1/meeting-actions/{a.pk}"],
        listings=_meeting_surfaces,
    ),
    "meetings.issuedagenda": Derived(
        "ocg",
        make_issued_agenda,
        shows_label=False,
        listings=_meeting_surfaces,
        entitled="dp.cleared",
    ),
}

# Models that declare access only through party rules (no protected record behind them): the
# matrix checks them as parties, not as records hanging off one.
PARTY_ONLY = {"meetings.forum", "meetings.meeting"}
# Declaring models scoped by organisation rather than by a protected record (capacity and
# funding: a force sees its own and its ROCU's, a ROCU its region's, the NCA the nation's);
# tests/capabilities/test_capacity.py checks who sees them.
SCOPED = {
    "capabilities.unit",
    "capabilities.post",
    "capabilities.fundingstream",
    "capabilities.fundingyear",
    "capabilities.forcecontribution",
    "capabilities.postfunding",
}

assert set(RECORD_TYPES) >= {d.parent for d in DERIVED.values()}
