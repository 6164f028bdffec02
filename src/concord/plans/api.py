"""4P plan API: an item's plan, my actions (what a partner sees) and their progress,
disruptions (claim and validate), the LRO guidance, a plan's checklist, mentoring pairings and
their comments, through the same services and policy as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from concord.core import audit
from concord.core import text as limits
from concord.core.access import open_record
from concord.core.api import MAX_ID, WRITE, Id, Pagination, Reference, answers, text
from concord.core.models import AuditAction
from concord.ownership.models import SUBJECT_FIELDS
from concord.plans import checklist, mentoring, services
from concord.plans.choices import ActionStatus, Strand
from concord.plans.mentoring import is_mentor_of
from concord.plans.models import Action, Disruption, Guidance, MentorComment, Objective, Pairing
from concord.plans.views import actions_of
from concord.threats.models import REGISTER_ITEMS, RegisterItem

router = Router(tags=["4P plans"])

# The kinds of item that have plans (the keys of ownership's SUBJECT_FIELDS).
ItemKind = Literal["ocg", "pi"]


class ActionOut(Schema):
    id: int
    description: str
    owner: str
    due_on: dt.date
    status: str
    outcome: str

    @staticmethod
    def resolve_owner(obj: Action) -> str:
        if obj.owner_person is not None:
            return obj.owner_person.username
        assert obj.owner_organisation is not None
        return obj.owner_organisation.code


class ObjectiveOut(Schema):
    strand: str
    text: str
    actions: list[ActionOut]

    @staticmethod
    def resolve_actions(obj: Objective) -> list[Action]:
        return list(obj.actions.all())


class PlanOut(Schema):
    reference: str
    aim: str
    partner_context: str
    next_review_on: dt.date
    objectives: list[ObjectiveOut]


class MyActionOut(ActionOut):
    item: str
    strand: str
    objective: str
    context: str

    @staticmethod
    def resolve_item(obj: Action) -> str:
        return obj.objective.plan.subject.reference

    @staticmethod
    def resolve_strand(obj: Action) -> str:
        return obj.objective.strand

    @staticmethod
    def resolve_objective(obj: Action) -> str:
        return obj.objective.text

    @staticmethod
    def resolve_context(obj: Action) -> str:
        return obj.objective.plan.partner_context


class ProgressIn(Schema):
    status: ActionStatus
    # What the action achieved: 3 characters or more once it is done.
    outcome: Annotated[str, text(0, limits.ENTRY)] = ""


class DisruptionOut(Schema):
    id: int
    item: str
    strand: str
    impact: str
    occurred_on: dt.date
    status: str
    narrative: str
    arrests: int
    charges: int
    convictions: int
    drugs_kg: Decimal
    cash_gbp: Decimal
    firearms: int
    victims_safeguarded: int
    children_safeguarded: int
    assets_restrained_gbp: Decimal
    referrals: int

    @staticmethod
    def resolve_item(obj: Disruption) -> str:
        return obj.subject.reference

    @staticmethod
    def resolve_impact(obj: Disruption) -> str:
        return obj.impact.code


# A figure as given, a number or its text ("1,250", "£300"): the service names any that is not
# a non-negative number (whole, but for weights and money) up to 999,999,999.
Figure = Annotated[Decimal | str | None, Field(None)]


class OutcomesIn(Schema):
    arrests: Figure = None
    charges: Figure = None
    convictions: Figure = None
    drugs_kg: Figure = None
    cash_gbp: Figure = None
    firearms: Figure = None
    victims_safeguarded: Figure = None
    children_safeguarded: Figure = None
    assets_restrained_gbp: Figure = None
    referrals: Figure = None


class DisruptionIn(Schema):
    item_kind: ItemKind = "ocg"
    item: Annotated[str, Field(max_length=24, description="The OCG's or PI's reference.")]
    strand: Strand
    impact: Annotated[str, Field(max_length=20, description="An impact level's code.")]
    occurred_on: dt.date = Field(description="Today or earlier.")
    narrative: Annotated[str, text(10, limits.SUMMARY)]
    action: Annotated[int | None, Field(None, ge=1, le=MAX_ID)] = None
    outcomes: OutcomesIn = Field(default_factory=OutcomesIn)


class ValidationIn(Schema):
    validate_it: bool
    reason: Annotated[str, text(0, limits.ENTRY)] = ""


def _item(request: HttpRequest, kind: str, reference: str) -> RegisterItem:
    if kind not in SUBJECT_FIELDS:
        raise Http404
    item: RegisterItem = open_record(
        request, REGISTER_ITEMS[kind].objects.select_related("owner"), reference=reference.upper()
    )
    return item


@router.get(
    "/plans/{kind}/{reference}",
    response=answers(PlanOut, 404, 422, 428),
    summary="The 4P plan of an OCG or PI",
)
def get_plan(request: HttpRequest, kind: ItemKind, reference: Reference) -> dict[str, Any]:
    item = _item(request, kind, reference)
    if not (services.may_change_plan(request.user, item) or is_mentor_of(request.user, item)):
        raise Http404  # partners reach their actions through /actions, never the whole plan
    plan = services.plan_or_blank(item)
    objectives = (
        Objective.objects.visible_to(request.user)
        .filter(plan_id=plan.pk)
        .prefetch_related("actions__owner_person", "actions__owner_organisation")
    )
    return {
        "reference": item.reference,
        "aim": plan.aim,
        "partner_context": plan.partner_context,
        "next_review_on": plan.next_review_on,
        "objectives": list(objectives),
    }


@router.get(
    "/actions",
    response=answers(list[MyActionOut], 422),
    summary="Actions given to you or your agency",
)
@paginate(Pagination)
def listactions_of(request: HttpRequest) -> Any:
    audit.record(AuditAction.LIST, actor=request.user, object_type="plans.action")
    return actions_of(request.user)


@router.post(
    "/actions/{pk}",
    response=answers(MyActionOut, WRITE, 404, 422),
    summary="Update an action's progress",
)
def update_action(request: HttpRequest, pk: Id, payload: ProgressIn) -> Action:
    action = actions_of(request.user).filter(pk=pk).first()
    if action is None:
        action = (
            Action.objects.visible_to(request.user)
            .select_related("objective__plan__ocg", "objective__plan__priority_individual")
            .filter(pk=pk)
            .first()
        )
        if action is None or not services.may_update_action(request.user, action):
            raise Http404
    return services.update_action(
        actor=request.user, action=action, status=payload.status, outcome=payload.outcome
    )


@router.get(
    "/disruptions", response=answers(list[DisruptionOut], 422), summary="Disruptions you may see"
)
@paginate(Pagination)
def list_disruptions(request: HttpRequest) -> Any:
    audit.record(AuditAction.LIST, actor=request.user, object_type="plans.disruption")
    return Disruption.objects.visible_to(request.user).select_related(
        "ocg", "priority_individual", "impact"
    )


@router.post(
    "/disruptions",
    response=answers(DisruptionOut, WRITE, 404, 422, 428, status=201),
    summary="Claim a disruption",
)
def claim_disruption(request: HttpRequest, payload: DisruptionIn) -> Status[Disruption]:
    """Police claim for an item they may see; a partner claims for an action given to it."""
    action = None
    if payload.action is not None:
        action = actions_of(request.user).filter(pk=payload.action).first()
        if action is None:
            raise Http404
        item = action.objective.plan.subject
        if item.reference != payload.item.strip().upper():
            raise Http404
    else:
        item = _item(request, payload.item_kind, payload.item)
    made = services.claim_disruption(
        actor=request.user,
        item=item,
        strand=payload.strand,
        impact=payload.impact,
        occurred_on=payload.occurred_on,
        narrative=payload.narrative,
        outcomes=payload.outcomes.model_dump(),
        action=action,
    )
    return Status(201, made)


@router.post(
    "/disruptions/{pk}/validation",
    response=answers(DisruptionOut, WRITE, 404, 422),
    summary="Validate or reject a claim",
)
def validate_disruption(request: HttpRequest, pk: Id, payload: ValidationIn) -> Disruption:
    disruption = Disruption.objects.visible_to(request.user).filter(pk=pk).first()
    if disruption is None:
        raise Http404
    return services.validate_disruption(
        actor=request.user, disruption=disruption, accept=payload.validate_it, reason=payload.reason
    )


# Guidance, checklists and mentoring -----------------------------------------------------------


class GuidanceOut(Schema):
    id: int
    stage: str
    strand: str
    title: str
    title_cy: str
    body: str
    body_cy: str


@router.get("/plan-guidance", response=answers(list[GuidanceOut], 422), summary="Guidance for LROs")
@paginate(Pagination)
def list_guidance(request: HttpRequest) -> Any:
    return Guidance.objects.all()


class ChecklistItemOut(Schema):
    code: str
    stage: str
    label: str
    met: bool


@router.get(
    "/plans/{kind}/{reference}/checklist",
    response=answers(list[ChecklistItemOut], 404, 422, 428),
    summary="The checklist of a 4P plan",
)
def get_checklist(
    request: HttpRequest, kind: ItemKind, reference: Reference
) -> list[dict[str, Any]]:
    item = _item(request, kind, reference)
    if not (services.may_change_plan(request.user, item) or is_mentor_of(request.user, item)):
        raise Http404
    return [
        {"code": r.check.code, "stage": r.check.stage, "label": str(r.check.label), "met": r.met}
        for r in checklist.results(services.plan_or_blank(item))
    ]


class PairingOut(Schema):
    id: int
    mentor: str
    mentee: str
    organisation: str
    started_at: dt.datetime
    ended_at: dt.datetime | None

    @staticmethod
    def resolve_mentor(obj: Pairing) -> str:
        return obj.mentor.username

    @staticmethod
    def resolve_mentee(obj: Pairing) -> str:
        return obj.mentee.username

    @staticmethod
    def resolve_organisation(obj: Pairing) -> str:
        return obj.organisation.code


@router.get(
    "/mentoring/pairings",
    response=answers(list[PairingOut], 422),
    summary="Mentoring pairings you are in or lead",
)
@paginate(Pagination)
def list_pairings(request: HttpRequest) -> Any:
    return mentoring.pairings_for(request.user)


class CommentOut(Schema):
    id: int
    author: str
    text: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: MentorComment) -> str:
        return obj.author.username


class CommentIn(Schema):
    text: Annotated[str, text(3, limits.ENTRY)]


def _plan_comments(request: HttpRequest, kind: str, reference: str) -> Any:
    item = _item(request, kind, reference)
    plan = services.plan_or_blank(item)
    return item, plan


@router.get(
    "/plans/{kind}/{reference}/mentor-comments",
    response=answers(list[CommentOut], 404, 422, 428),
    summary="Mentoring comments on a 4P plan (for the mentee, mentor and lead)",
)
def list_comments(request: HttpRequest, kind: ItemKind, reference: Reference) -> Any:
    _item_found, plan = _plan_comments(request, kind, reference)
    if plan.pk is None:
        return []
    return list(
        MentorComment.objects.visible_to(request.user).filter(plan=plan).select_related("author")
    )


@router.post(
    "/plans/{kind}/{reference}/mentor-comments",
    response=answers(CommentOut, WRITE, 404, 422, 428, status=201),
    summary="Comment on a mentee's plan, as its mentor or mentee",
)
def add_comment(
    request: HttpRequest, kind: ItemKind, reference: Reference, payload: CommentIn
) -> Status[MentorComment]:
    item, plan = _plan_comments(request, kind, reference)
    pairing = (
        Pairing.objects.filter(ended_at__isnull=True, mentee__in=mentoring.lro_posts_on(item))
        .filter(Q(mentor=request.user) | Q(mentee=request.user))
        .first()
    )
    if pairing is None or plan.pk is None:
        raise Http404
    made = mentoring.add_comment(actor=request.user, pairing=pairing, plan=plan, text=payload.text)
    return Status(201, made)
