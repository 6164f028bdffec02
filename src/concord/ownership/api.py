"""Ownership API: an item's owners and posts, transfer requests and tasking requests, through
the same services, policy and audit as the pages."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from concord.core import audit
from concord.core import text as limits
from concord.core.access import open_record, open_through
from concord.core.api import WRITE, Id, Pagination, Reference, answers, text
from concord.core.models import AuditAction
from concord.organisations.models import Organisation
from concord.ownership import services, tasking, transfers
from concord.ownership.choices import TransferKind, Urgency
from concord.ownership.filters import TaskingFilter
from concord.ownership.models import SUBJECT_FIELDS, TaskingRequest, TransferRequest
from concord.threats.models import REGISTER_ITEMS, RegisterItem

router = Router(tags=["ownership"])

# The kinds of item that have owners and plans (the keys of SUBJECT_FIELDS).
ItemKind = Literal["ocg", "pi"]
OrganisationCode = Annotated[str, Field(max_length=12, description="An organisation's code.")]


class PeriodOut(Schema):
    organisation: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    transfer: int | None

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return str(obj.organisation.code)

    @staticmethod
    def resolve_transfer(obj: Any) -> int | None:
        return obj.transfer_id  # type: ignore[no-any-return]


class PostOut(Schema):
    role: str
    person: str
    organisation: str
    started_on: dt.date

    @staticmethod
    def resolve_person(obj: Any) -> str:
        return str(obj.person.username)

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return str(obj.organisation.code)


class OwnershipOut(Schema):
    reference: str
    owner: str
    history: list[PeriodOut]
    posts: list[PostOut]
    vacancies: list[str]


def _item(request: HttpRequest, kind: str, reference: str) -> RegisterItem:
    if kind not in SUBJECT_FIELDS:
        raise Http404
    item: RegisterItem = open_record(
        request, REGISTER_ITEMS[kind].objects.select_related("owner"), reference=reference.upper()
    )
    return item


@router.get(
    "/ownership/{kind}/{reference}",
    response=answers(OwnershipOut, 404, 422, 428),
    summary="Owners over time, people in post and vacancies of an OCG (ocg) or PI (pi)",
)
def get_ownership(request: HttpRequest, kind: ItemKind, reference: Reference) -> dict[str, Any]:
    item = _item(request, kind, reference)
    posts = services.current_appointments(item)
    return {
        "reference": item.reference,
        "owner": item.owner.code,
        "history": services.history(item),
        "posts": list(posts.values()),
        "vacancies": [f"{v.role}: {v.why}" for v in services.vacancies(item, posts)],
    }


class TransferOut(Schema):
    id: int
    item: str
    kind: str
    from_organisation: str
    to_organisation: str
    status: str
    urgency: str
    reason: str
    asked: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str

    @staticmethod
    def resolve_item(obj: TransferRequest) -> str:
        return obj.subject.reference

    @staticmethod
    def resolve_from_organisation(obj: TransferRequest) -> str:
        return obj.from_organisation.code

    @staticmethod
    def resolve_to_organisation(obj: TransferRequest) -> str:
        return obj.to_organisation.code


class TransferIn(Schema):
    item_kind: ItemKind = "ocg"
    item: Annotated[str, Field(max_length=24, description="The OCG's or PI's reference.")]
    kind: TransferKind
    to_organisation: OrganisationCode
    reason: Annotated[str, text(10, limits.SUMMARY)]
    asked: Annotated[str, text(5, limits.SUMMARY)]
    urgency: Urgency = Urgency.ROUTINE


class DecisionIn(Schema):
    decision: Literal["accept", "decline", "query"]
    # A decline says why (10 characters or more); a query asks its question (5 or more).
    reason: Annotated[str, text(0, limits.ENTRY)] = ""


def _organisation(code: str) -> Organisation:
    found = Organisation.objects.active().filter(code=code.upper()).first()
    if found is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"to_organisation": "No organisation has that code."})
    return found


def _my_transfers(request: HttpRequest) -> Any:
    """Requests the person's organisation sent or received, of those they may see at all."""
    organisation = request.user.acting_organisation()  # type: ignore[union-attr]
    return TransferRequest.objects.visible_to(request.user).filter(
        Q(from_organisation=organisation) | Q(to_organisation=organisation)
    )


@router.get(
    "/transfers",
    response=answers(list[TransferOut], 422),
    summary="Transfers your organisation sent or received",
)
@paginate(Pagination)
def list_transfers(request: HttpRequest) -> Any:
    audit.record(AuditAction.LIST, actor=request.user, object_type="ownership.transferrequest")
    return _my_transfers(request).select_related(
        "ocg", "priority_individual", "from_organisation", "to_organisation"
    )


def _transfer(request: HttpRequest, pk: int) -> TransferRequest:
    return open_through(
        request,
        TransferRequest.objects.select_related(
            "ocg", "priority_individual", "from_organisation", "to_organisation"
        ),
        pk=pk,
    )


@router.get(
    "/transfers/{pk}", response=answers(TransferOut, 404, 422, 428), summary="One transfer request"
)
def get_transfer(request: HttpRequest, pk: Id) -> TransferRequest:
    return _transfer(request, pk)


@router.post(
    "/transfers",
    response=answers(TransferOut, WRITE, 404, 422, 428, status=201),
    summary="Request a transfer or support",
)
def create_transfer(request: HttpRequest, payload: TransferIn) -> Status[TransferRequest]:
    item = _item(request, payload.item_kind, payload.item)
    made = transfers.request_transfer(
        actor=request.user,
        item=item,
        kind=payload.kind,
        to_organisation=_organisation(payload.to_organisation),
        reason=payload.reason,
        asked=payload.asked,
        urgency=payload.urgency,
    )
    return Status(201, made)


@router.post(
    "/transfers/{pk}/decision",
    response=answers(TransferOut, WRITE, 404, 422, 428),
    summary="Accept, decline or query",
)
def decide_transfer(request: HttpRequest, pk: Id, payload: DecisionIn) -> TransferRequest:
    return transfers.decide_transfer(
        actor=request.user,
        transfer=_transfer(request, pk),
        decision=payload.decision,
        reason=payload.reason,
    )


class TaskingOut(Schema):
    reference: str
    from_organisation: str
    to_organisation: str
    capability: str
    asked: str
    reason: str
    urgency: str
    respond_by: dt.date
    status: str
    decision_reason: str
    outcome: str
    escalated_at: dt.datetime | None
    marking: str

    @staticmethod
    def resolve_from_organisation(obj: TaskingRequest) -> str:
        return obj.owner.code

    @staticmethod
    def resolve_to_organisation(obj: TaskingRequest) -> str:
        return obj.to_organisation.code


class TaskingIn(Schema):
    to_organisation: OrganisationCode
    capability: Annotated[str, text(3, 200)]
    asked: Annotated[str, text(5, limits.SUMMARY)]
    reason: Annotated[str, text(10, limits.SUMMARY)]
    respond_by: dt.date = Field(description="Today or later.")
    urgency: Urgency = Urgency.ROUTINE


@router.get(
    "/tasking", response=answers(list[TaskingOut], 422), summary="Tasking requests you may see"
)
@paginate(Pagination)
def list_tasking(request: HttpRequest, filters: Query[TaskingFilter]) -> Any:
    audit.record(
        AuditAction.SEARCH,
        actor=request.user,
        object_type="ownership.taskingrequest",
        detail={"filters": {k: str(v) for k, v in filters.model_dump().items() if v is not None}},
    )
    return filters.filter(
        TaskingRequest.objects.visible_to(request.user).select_related("owner", "to_organisation")
    ).order_by("-created_at", "-id")


def _tasking(request: HttpRequest, reference: str) -> TaskingRequest:
    return open_record(
        request,
        TaskingRequest.objects.select_related("owner", "to_organisation", "requested_by"),
        reference=reference.upper(),
    )


@router.get(
    "/tasking/{reference}",
    response=answers(TaskingOut, 404, 422, 428),
    summary="One tasking request",
)
def get_tasking(request: HttpRequest, reference: Reference) -> TaskingRequest:
    return _tasking(request, reference)


@router.post(
    "/tasking",
    response=answers(TaskingOut, WRITE, 404, 422, status=201),
    summary="Send a tasking request",
)
def create_tasking(request: HttpRequest, payload: TaskingIn) -> Status[TaskingRequest]:
    made = tasking.request_tasking(
        actor=request.user,
        to_organisation=_organisation(payload.to_organisation),
        capability=payload.capability,
        asked=payload.asked,
        reason=payload.reason,
        respond_by=payload.respond_by,
        urgency=payload.urgency,
    )
    return Status(201, made)


@router.post(
    "/tasking/{reference}/decision",
    response=answers(TaskingOut, WRITE, 404, 422, 428),
    summary="Accept, decline or query",
)
def decide_tasking(
    request: HttpRequest, reference: Reference, payload: DecisionIn
) -> TaskingRequest:
    return tasking.decide_tasking(
        actor=request.user,
        tasking=_tasking(request, reference),
        decision=payload.decision,
        reason=payload.reason,
    )
