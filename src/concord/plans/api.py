"""4P plan API: an item's plan, my actions (what a partner sees) and their progress,
disruptions (claim and validate), through the same services and policy as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from concord.core import audit
from concord.core import text as limits
from concord.core.access import open_record
from concord.core.api import MAX_ID, WRITE, Id, Pagination, Reference, answers, text
from concord.core.models import AuditAction
from concord.ownership.models import SUBJECT_FIELDS
from concord.plans import services
from concord.plans.choices import ActionStatus, Strand
from concord.plans.models import Action, Disruption, Objective
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
    if not services.may_change_plan(request.user, item):
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
