"""Capability API: the catalogue, posts and funding streams you may see, a stream's end, and
the live allocation as you may see it; posts recorded through the same services as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from concord.capabilities import capacity, gaps, planning, services
from concord.capabilities.choices import GapStatus, PostStatus
from concord.capabilities.models import (
    AllocationRun,
    Capability,
    FundingStream,
    Gap,
    Post,
    PostFunding,
    Unit,
)
from concord.capabilities.models.gaps import RANKING
from concord.core import audit
from concord.core.access import visible_one
from concord.core.api import WRITE, Id, Pagination, answers, text
from concord.core.choices import VettingLevel
from concord.core.models import AuditAction

router = Router(tags=["capabilities"])

Code = Annotated[str, Field(max_length=40, pattern=r"^[a-z0-9-]+$")]


class CapabilityOut(Schema):
    code: str
    name: str
    level: str
    unit: str
    vetting: str
    team_size: int | None
    strands: list[str]


@router.get(
    "/capabilities",
    response=answers(list[CapabilityOut], 422),
    summary="The current capability catalogue",
)
@paginate(Pagination)
def list_capabilities(request: HttpRequest) -> Any:
    return Capability.objects.current().order_by("code")


class PostFundingShareOut(Schema):
    stream: str
    share: Decimal


class CapabilityPostOut(Schema):
    id: int
    organisation: str
    unit: str
    capability: str
    reference: str
    role: str
    fte: Decimal
    hours: Decimal
    vetting: str
    status: str
    starts: dt.date
    ends: dt.date | None
    training_pct: Decimal
    leave_pct: Decimal
    funding: list[PostFundingShareOut]

    @staticmethod
    def resolve_organisation(obj: Post) -> str:
        return obj.unit.organisation.code

    @staticmethod
    def resolve_unit(obj: Post) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_capability(obj: Post) -> str:
        return obj.unit.capability.code

    @staticmethod
    def resolve_funding(obj: Post) -> list[dict[str, Any]]:
        return [{"stream": f.stream.code, "share": f.share} for f in obj.funding.all()]


class CapabilityPostFilter(Schema):
    organisation: Annotated[str, Field(max_length=20)] = ""
    capability: Annotated[str, Field(max_length=40)] = ""


def _posts(request: HttpRequest) -> Any:
    from django.db.models import Prefetch

    return (
        Post.objects.visible_to(request.user)
        .select_related("unit__organisation", "unit__capability")
        .prefetch_related(
            Prefetch("funding", queryset=PostFunding.objects.select_related("stream"))
        )
        .order_by("unit__organisation__code", "reference", "pk")
    )


@router.get(
    "/capability-posts",
    response=answers(list[CapabilityPostOut], 422),
    summary="Posts you may see (a force its own and its ROCU's, a ROCU its region's)",
)
@paginate(Pagination)
def list_posts(request: HttpRequest, filters: Query[CapabilityPostFilter]) -> Any:
    posts = _posts(request)
    if filters.organisation:
        posts = posts.filter(unit__organisation__code=filters.organisation.upper())
    if filters.capability:
        posts = posts.filter(unit__capability__code=filters.capability)
    audit.record(
        AuditAction.LIST,
        actor=request.user,
        object_type="capabilities.post",
        detail={"filters": filters.dict(), "api": True},
    )
    return posts


class PostFundingIn(Schema):
    stream: Annotated[str, text(1, 40)]
    share: Annotated[Decimal, Field(gt=0, le=1, max_digits=4, decimal_places=3)]


class CapabilityPostIn(Schema):
    unit: Id
    reference: Annotated[str, text(1, 40)]
    role: Annotated[str, text(1, 120)]
    fte: Annotated[Decimal, Field(gt=0, le=1, max_digits=3, decimal_places=2)]
    hours: Annotated[Decimal, Field(ge=Decimal("0.5"), le=60, max_digits=4, decimal_places=1)]
    vetting: VettingLevel
    status: PostStatus = PostStatus.FILLED
    starts: dt.date
    ends: dt.date | None = None
    training_pct: Annotated[Decimal, Field(ge=0, le=100, max_digits=4, decimal_places=1)] = Decimal(
        "0"
    )
    leave_pct: Annotated[Decimal, Field(ge=0, le=100, max_digits=4, decimal_places=1)] = Decimal(
        "0"
    )
    funding: Annotated[list[PostFundingIn], Field(max_length=10)] = []


@router.post(
    "/capability-posts",
    response=answers(CapabilityPostOut, WRITE, 404, 422, status=201),
    summary="Record a post in one of your organisation's units (or update it by its number)",
)
def create_post(request: HttpRequest, body: CapabilityPostIn) -> Status[Post]:
    from django.core.exceptions import ValidationError

    unit = visible_one(
        request.user, Unit.objects.select_related("organisation", "capability"), pk=body.unit
    )
    streams = {
        s.code: s for s in FundingStream.objects.filter(organisation_id=unit.organisation_id)
    }
    funding = []
    for index, part in enumerate(body.funding):
        stream = streams.get(part.stream)
        if stream is None:
            raise ValidationError({f"funding[{index}].stream": "Unknown funding stream."})
        funding.append((stream, part.share))
    existing = Post.objects.filter(unit=unit, reference=body.reference.strip()).first()
    post = services.save_post(
        actor=request.user,
        unit=unit,
        details=services.PostDetails(
            reference=body.reference,
            role=body.role,
            fte=body.fte,
            hours=body.hours,
            vetting=body.vetting,
            status=body.status,
            starts=body.starts,
            ends=body.ends,
            training_pct=body.training_pct,
            leave_pct=body.leave_pct,
        ),
        funding=funding,
        post=existing,
    )
    return Status(201, _posts(request).get(pk=post.pk))


class FundingStreamOut(Schema):
    id: int
    organisation: str
    code: str
    name: str
    kind: str
    starts: dt.date
    ends: dt.date | None
    years: dict[str, Decimal]

    @staticmethod
    def resolve_organisation(obj: FundingStream) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_years(obj: FundingStream) -> dict[str, Decimal]:
        return {y.label: y.amount for y in obj.years.all()}


@router.get(
    "/funding-streams",
    response=answers(list[FundingStreamOut], 422),
    summary="Funding streams you may see, soonest ending first",
)
@paginate(Pagination)
def list_streams(request: HttpRequest) -> Any:
    audit.record(AuditAction.LIST, actor=request.user, object_type="capabilities.fundingstream")
    return (
        FundingStream.objects.visible_to(request.user)
        .select_related("organisation")
        .prefetch_related("years")
        .order_by("ends", "code", "pk")
    )


class StreamLossOut(Schema):
    post: str
    unit: str
    share: Decimal
    hours: Decimal
    whole: bool


class StreamEndOut(Schema):
    stream: str
    from_day: dt.date
    posts_lost: int
    by_capability: dict[str, Decimal]
    losses: list[StreamLossOut]


@router.get(
    "/funding-streams/{pk}/end",
    response=answers(StreamEndOut, 404, 422),
    summary="What a stream's end (its own, or `ends`) takes: posts and capacity by capability",
)
def stream_end(request: HttpRequest, pk: Id, ends: dt.date | None = None) -> dict[str, Any]:
    from django.core.exceptions import ValidationError

    stream = visible_one(request.user, FundingStream.objects.all(), pk=pk)
    if ends is None and stream.ends is None:
        raise ValidationError({"ends": "This stream is recurring: give an end date."})
    if ends is not None and ends < stream.starts:
        raise ValidationError({"ends": "Funding ends on or after the day it starts."})
    end = capacity.stream_end(stream, ends)
    audit.record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="capabilities.fundingstream",
        object_id=str(stream.pk),
        object_repr=stream.name,
        detail={"ends_tried": ends.isoformat() if ends else None, "api": True},
    )
    return {
        "stream": stream.code,
        "from_day": end.from_day,
        "posts_lost": end.posts_lost,
        "by_capability": end.by_capability,
        "losses": [
            {
                "post": loss.post.reference,
                "unit": loss.post.unit.name,
                "share": loss.share,
                "hours": loss.hours,
                "whole": loss.whole,
            }
            for loss in end.losses
        ],
    }


class AllocationAssignmentOut(Schema):
    threat: str
    pool: str
    region: str
    amount: int
    flex: bool


class AllocationUnmetOut(Schema):
    threat: str
    capability: str
    region: str
    amount: int
    reason: str


class AllocationGapOut(Schema):
    capability: str
    region: str
    amount: int
    threats: list[str]
    others: int


class AllocationOut(Schema):
    starts: dt.date
    weeks: int
    solver: str
    status: str
    coverage: float
    assignments: list[AllocationAssignmentOut]
    flex: list[AllocationAssignmentOut]
    unmet: list[AllocationUnmetOut]
    gaps: list[AllocationGapOut]
    hidden_threats: int


@router.get(
    "/allocation",
    response=answers(AllocationOut, 404),
    summary="The live allocation as you may see it (threats you may not see are only counted)",
)
def get_allocation(request: HttpRequest) -> dict[str, Any]:
    from django.http import Http404

    run = AllocationRun.objects.first()
    if run is None:
        raise Http404
    shown = planning.shown(request.user, run.result)
    audit.record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="capabilities.allocationrun",
        object_id=str(run.pk),
        object_repr=str(run),
        detail={"api": True},
    )

    def assignment(a: dict[str, Any]) -> dict[str, Any]:
        return {**a, "flex": a["cost"] > 0}

    return {
        "starts": run.starts,
        "weeks": run.weeks,
        "solver": run.solver,
        "status": run.status,
        "coverage": run.coverage,
        "assignments": [assignment(a) for a in shown.assignments],
        "flex": [assignment(a) for a in shown.flex],
        "unmet": shown.unmet,
        "gaps": shown.gaps,
        "hidden_threats": shown.hidden_threats,
    }


class GapOut(Schema):
    id: int
    reference: str
    threat: str = Field(description="The threat's reference; empty where you may not see it.")
    band: str
    capability: str
    organisation: str
    region: str
    starts: dt.date
    ends: dt.date
    needed: int
    unmet: int
    proposed_from: str
    proposed: int
    status: str
    lender: str
    lent: int
    review_on: dt.date | None
    decided_in: str

    @staticmethod
    def resolve_threat(obj: Gap) -> str:
        return obj.register_item.reference if getattr(obj, "threat_seen", False) else ""

    @staticmethod
    def resolve_band(obj: Gap) -> str:
        return obj.band if getattr(obj, "threat_seen", False) else ""

    @staticmethod
    def resolve_capability(obj: Gap) -> str:
        return obj.capability.code

    @staticmethod
    def resolve_organisation(obj: Gap) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_proposed_from(obj: Gap) -> str:
        return obj.proposed_from.code if obj.proposed_from else ""

    @staticmethod
    def resolve_lender(obj: Gap) -> str:
        return obj.lender.code if obj.lender else ""


class GapFilters(Schema):
    status: GapStatus | None = None
    capability: Code | None = None


def _gaps(request: HttpRequest) -> Any:
    return gaps.with_threat_seen(
        Gap.objects.visible_to(request.user).select_related(
            "capability",
            "organisation",
            "proposed_from",
            "lender",
            "ocg",
            "priority_individual",
            "vulnerability",
        ),
        request.user,
    )


@router.get(
    "/capability-gaps",
    response=answers(list[GapOut], 422),
    summary="Capability gaps and loans you may see, highest THR priority first",
)
@paginate(Pagination)
def list_gaps(request: HttpRequest, filters: Query[GapFilters]) -> Any:
    rows = _gaps(request).order_by(*RANKING)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.capability:
        rows = rows.filter(capability__code=filters.capability)
    audit.record(
        AuditAction.LIST,
        actor=request.user,
        object_type="capabilities.gap",
        detail={"filters": filters.dict(), "api": True},
    )
    return rows


@router.get(
    "/capability-gaps/{pk}",
    response=answers(GapOut, 404, 422),
    summary="One capability gap: what is needed, what the plan proposes, what was decided",
)
def get_gap(request: HttpRequest, pk: Id) -> Gap:
    gap: Gap = visible_one(request.user, _gaps(request), pk=pk)
    audit.record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="capabilities.gap",
        object_id=str(gap.pk),
        object_repr=gap.reference,
        owner_code=gap.organisation.code,
        detail={"api": True},
    )
    return gap


class GapDecisionIn(Schema):
    decision: Literal["lend", "bid", "risk"]
    rationale: Annotated[str, text(10, 4000)]
    posts: Annotated[int, Field(ge=0, le=100)] = 0
    review_on: dt.date | None = None


@router.post(
    "/capability-gaps/{pk}/decision",
    response=answers(GapOut, WRITE, 404, 422),
    summary="Answer an open gap: agree the proposed loan, bid for capacity or accept the risk",
)
def decide_gap(request: HttpRequest, pk: Id, body: GapDecisionIn) -> Gap:
    gap = visible_one(request.user, _gaps(request), pk=pk)
    if body.decision == "lend":
        gaps.agree_loan(actor=request.user, gap=gap, rationale=body.rationale)
    elif body.decision == "bid":
        gaps.make_bid(
            actor=request.user,
            gap=gap,
            rationale=body.rationale,
            posts=body.posts,
            review_on=body.review_on,
        )
    else:
        gaps.accept_risk(
            actor=request.user, gap=gap, rationale=body.rationale, review_on=body.review_on
        )
    answered: Gap = _gaps(request).get(pk=gap.pk)
    return answered
