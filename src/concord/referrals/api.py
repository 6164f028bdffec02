"""Referrals API: send one, list your unit's queue or your organisation's own referrals, read
one (the sender sees its status and outcome; the receiving unit sees the checks it may), and
record the triager's decision through the same services as the pages."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from concord.core import audit, policy
from concord.core.access import visible_one
from concord.core.api import WRITE, Id, Pagination, answers, text
from concord.core.models import AuditAction
from concord.intelligence.choices import HandlingCode
from concord.referrals import services
from concord.referrals.choices import Category, Decision, ReferralStatus
from concord.referrals.models import Referral, ReferralMatch, ReferralPointer

router = Router(tags=["referrals"])

Short = Annotated[str, text(0, 300)]


class ReferralIn(Schema):
    sender_reference: Annotated[str, text(1, 60)]
    found_on: dt.date
    category: Category
    items: list[Short] = Field(min_length=1, max_length=20)
    postcode: Annotated[str, text(2, 10)]
    handling_code: HandlingCode
    place: Annotated[str, text(0, 200)] = ""
    handling_conditions: Annotated[str, text(0, 1000)] = ""
    people: list[Short] = Field(default_factory=list, max_length=20)
    addresses: list[Short] = Field(default_factory=list, max_length=20)
    phones: list[Short] = Field(default_factory=list, max_length=20)
    emails: list[Short] = Field(default_factory=list, max_length=20)
    accounts: list[Short] = Field(default_factory=list, max_length=20)


class ReferralHitOut(Schema):
    hit_reference: str
    strength: str
    score: float
    fields: list[str]
    record: str = ""
    owner: str = ""
    desk: str = ""


class ReferralOut(Schema):
    """What the sender sees (the content, status and outcome) and, for the receiving unit
    alone, its triage and the checks it may see."""

    id: int
    reference: str
    sender: str
    sender_reference: str
    receiving_unit: str
    category: str
    items: list[str]
    found_on: dt.date
    place: str
    postcode: str
    people: list[dict[str, str]]
    addresses: list[str]
    phones: list[str]
    emails: list[str]
    accounts: list[str]
    handling_code: str
    received_at: dt.datetime
    status: str
    decision: str
    decided_at: dt.datetime | None
    # The receiving unit's alone (null for the sender): priority, due time, triager, checks.
    priority: str | None = None
    due_at: dt.datetime | None = None
    overdue: bool | None = None
    triager: str | None = None
    matches: list[ReferralHitOut] | None = None
    pointers: list[ReferralHitOut] | None = None

    @staticmethod
    def _triage(obj: Any) -> Any:
        return getattr(obj, "triage", None)

    @staticmethod
    def resolve_priority(obj: Referral) -> str | None:
        return obj.priority if ReferralOut._triage(obj) else None

    @staticmethod
    def resolve_due_at(obj: Referral) -> dt.datetime | None:
        return obj.due_at if ReferralOut._triage(obj) else None

    @staticmethod
    def resolve_overdue(obj: Referral) -> bool | None:
        return obj.overdue(timezone.now()) if ReferralOut._triage(obj) else None

    @staticmethod
    def resolve_triager(obj: Referral) -> str | None:
        if not ReferralOut._triage(obj):
            return None
        return obj.assigned_to.username if obj.assigned_to else ""

    @staticmethod
    def resolve_matches(obj: Referral) -> list[ReferralHitOut] | None:
        triage = ReferralOut._triage(obj)
        return triage[0] if triage else None

    @staticmethod
    def resolve_pointers(obj: Referral) -> list[ReferralHitOut] | None:
        triage = ReferralOut._triage(obj)
        return triage[1] if triage else None

    @staticmethod
    def resolve_sender(obj: Referral) -> str:
        return obj.sender.code

    @staticmethod
    def resolve_receiving_unit(obj: Referral) -> str:
        return obj.receiving_unit.code


class ReferralFilters(Schema):
    scope: Literal["queue", "sent"] = "sent"
    status: ReferralStatus | None = None
    category: Category | None = None


def _referrals(request: HttpRequest) -> Any:
    return Referral.objects.visible_to(request.user).select_related(
        "sender", "receiving_unit", "assigned_to"
    )


@router.get(
    "/referrals",
    response=answers(list[ReferralOut], 422),
    summary="Your organisation's referrals (scope=sent) or your unit's triage queue (queue)",
)
@paginate(Pagination)
def list_referrals(request: HttpRequest, filters: Query[ReferralFilters]) -> Any:
    organisation_id = policy.viewer_for(request.user).organisation_id
    rows = _referrals(request)
    if filters.scope == "queue":
        if not policy.may(request.user, policy.Act.TRIAGE_REFERRALS, None):
            return Referral.objects.none()
        rows = rows.filter(receiving_unit_id=organisation_id).order_by("due_at", "pk")
    else:
        rows = rows.filter(sender_id=organisation_id).order_by("-received_at", "-pk")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.category:
        rows = rows.filter(category=filters.category)
    audit.record(
        AuditAction.LIST,
        actor=request.user,
        object_type="referrals.referral",
        detail={"filters": filters.dict(), "api": True},
    )
    return rows


def _row(data: ReferralIn) -> dict[str, str]:
    return {
        "sender_reference": data.sender_reference,
        "found_on": data.found_on.isoformat(),
        "category": data.category.value,
        "items": "; ".join(data.items),
        "postcode": data.postcode,
        "handling_code": data.handling_code.value,
        "place": data.place,
        "handling_conditions": data.handling_conditions,
        "people": "; ".join(data.people),
        "addresses": "; ".join(data.addresses),
        "phones": "; ".join(data.phones),
        "emails": "; ".join(data.emails),
        "accounts": "; ".join(data.accounts),
    }


@router.post(
    "/referrals",
    response=answers(ReferralOut, WRITE, 404, 422, status=201),
    summary="Send a referral (sending the same reference again returns the first, unchanged)",
)
def send_referral(request: HttpRequest, body: ReferralIn) -> Status[Referral]:
    referral = services.send_referral(actor=request.user, row=_row(body))
    return Status(201, _shown(request, _referrals(request).get(pk=referral.pk)))


def _hits(
    request: HttpRequest, referral: Referral
) -> tuple[list[ReferralHitOut], list[ReferralHitOut]]:
    matches = list(
        ReferralMatch.objects.visible_to(request.user)
        .filter(referral=referral)
        .select_related("nominal", "report")
    )
    pointers = (
        ReferralPointer.objects.visible_to(request.user)
        .filter(referral=referral)
        .exclude(hit_reference__in=[m.hit_reference for m in matches])
        .select_related("owner")
    )
    return (
        [
            ReferralHitOut(
                hit_reference=m.hit_reference,
                strength=m.strength,
                score=m.score,
                fields=m.fields,
                record=m.nominal.reference if m.nominal else m.report.reference if m.report else "",
            )
            for m in matches
        ],
        [
            ReferralHitOut(
                hit_reference=p.hit_reference,
                strength=p.strength,
                score=p.score,
                fields=p.fields,
                owner=p.owner.code,
                desk=p.desk,
            )
            for p in pointers
        ],
    )


def _shown(request: HttpRequest, referral: Referral) -> Referral:
    """The referral, with its triage and checks for the receiving unit alone."""
    if referral.receiving_unit_id == policy.viewer_for(request.user).organisation_id:
        referral.triage = _hits(request, referral)  # type: ignore[attr-defined]  # for ReferralOut
    return referral


@router.get(
    "/referrals/{pk}",
    response=answers(ReferralOut, 404, 422),
    summary="One referral: its status and outcome; for the receiving unit, its checks too",
)
def get_referral(request: HttpRequest, pk: Id) -> Any:
    referral = visible_one(request.user, _referrals(request), pk=pk)
    audit.record(
        AuditAction.VIEW,
        actor=request.user,
        obj=referral,
        owner_code=referral.receiving_unit.code,
        detail={"api": True},
    )
    return _shown(request, referral)


class ReferralDecisionIn(Schema):
    decision: Decision
    note: Annotated[str, text(0, 1000)] = ""
    source_evaluation: Annotated[str, text(0, 1)] = ""
    intelligence_assessment: Annotated[str, text(0, 1)] = ""
    reference: Annotated[str, text(0, 24)] = ""
    task_to: Annotated[str, text(0, 20)] = ""
    respond_by: dt.date | None = None


@router.post(
    "/referrals/{pk}/decision",
    response=answers(ReferralOut, WRITE, 404, 422),
    summary="Record the triager's decision on a referral of your unit",
)
def decide_referral(request: HttpRequest, pk: Id, body: ReferralDecisionIn) -> Any:
    referral = visible_one(request.user, _referrals(request), pk=pk)
    services.decide_referral(
        actor=request.user,
        referral=referral,
        decision=body.decision.value,
        note=body.note,
        source_evaluation=body.source_evaluation,
        intelligence_assessment=body.intelligence_assessment,
        reference=body.reference,
        task_to=body.task_to,
        respond_by=body.respond_by,
    )
    return _shown(request, _referrals(request).get(pk=referral.pk))
