"""Intelligence API: the reports you may see, one report (its content behind its handling
conditions), recording, release and approval, sharing, recall, acceptance and feedback, through
the same services and policy as the pages. Refusal reads as 404; bad input as 422 by field."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from concord.core import audit
from concord.core import text as limits
from concord.core.access import open_record
from concord.core.api import MAX_ID, WRITE, Pagination, Reference, answers, links, text
from concord.core.choices import Classification
from concord.core.visible_list import VisibleList
from concord.intelligence import services
from concord.intelligence.choices import (
    FeedbackKind,
    HandlingCode,
    IntelligenceAssessment,
    SourceEvaluation,
)
from concord.intelligence.filters import ReportFilter
from concord.intelligence.models import IntelReport, SharingGroup
from concord.organisations.models import Organisation

router = Router(tags=["Intelligence"])


class _Report(Schema):
    reference: str
    title: str
    grading: str
    marking: str
    owner: str
    information_date: dt.date
    status: str
    handling_conditions: str
    received_from: str | None


class ReportOut(_Report):
    @staticmethod
    def resolve_owner(obj: IntelReport) -> str:
        return obj.owner.code

    @staticmethod
    def resolve_received_from(obj: IntelReport) -> str | None:
        return obj.origin.name if obj.origin is not None else None


class ReportDetailOut(_Report):
    # None until the reader has accepted a C-coded report's handling conditions.
    text: str | None
    place: str | None
    conditions_accepted: bool


# Either the 3x5x2 grading in full (C needs its handling conditions) or a legacy grading.
Unset = Literal[""]
References = Annotated[list[Annotated[str, Field(max_length=24)]], Field(max_length=100)]


class ReportIn(Schema):
    title: Annotated[str, text(3, 200)]
    text: Annotated[str, text(10, limits.NARRATIVE)]
    information_date: dt.date = Field(description="Today or earlier.")
    place: Annotated[str, text(0, 200)] = ""
    source_evaluation: SourceEvaluation | Unset = ""
    intelligence_assessment: IntelligenceAssessment | Unset = ""
    handling_code: HandlingCode | Unset = ""
    handling_conditions: Annotated[str, text(0, limits.ENTRY)] = ""
    legacy_grading: Annotated[str, text(0, 20)] = ""
    classification: Classification = Classification.OFFICIAL
    sensitive: bool = False
    ocgs: References = []
    nominals: References = []


class ShareIn(Schema):
    to: Annotated[list[Annotated[str, Field(max_length=12)]], Field(max_length=100)] = []
    group: Annotated[int | None, Field(None, ge=1, le=MAX_ID)] = None
    purpose: Annotated[str, text(5, 300)]


class RecallIn(Schema):
    reason: Annotated[str, text(10, limits.ENTRY)]


class FeedbackIn(Schema):
    kind: FeedbackKind
    note: Annotated[str, text(0, limits.ENTRY)] = ""


class FeedbackOut(Schema):
    kind: FeedbackKind
    report: str


def _report(request: HttpRequest, reference: str) -> IntelReport:
    report: IntelReport = open_record(
        request, IntelReport.objects.select_related("owner", "origin"), reference=reference.upper()
    )
    return report


def _detail(request: HttpRequest, report: IntelReport) -> dict[str, Any]:
    opened = services.conditions_accepted(request.user, report)
    return {
        **{
            field: getattr(report, field)
            for field in (
                "reference",
                "title",
                "grading",
                "marking",
                "information_date",
                "status",
                "handling_conditions",
            )
        },
        "owner": report.owner.code,
        "received_from": report.origin.name if report.origin else None,
        "text": report.text if opened else None,
        "place": report.place if opened else None,
        "conditions_accepted": opened,
    }


class _ListedPagination(Pagination):
    """Pages of reports, each audited as listed (LIST): the filters and the rows returned."""

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = list(page["items"])
        filters = params.get("filters")
        audit.record_list(
            request.user,
            object_type="intelligence.intelreport",
            rows=page["items"],
            filters={k: str(v) for k, v in filters.model_dump().items() if v is not None}
            if filters is not None
            else {},
            count=page["count"],
            offset=pagination.offset,
            limit=pagination.limit,
        )
        return page


@router.get(
    "/intelligence", response=answers(list[ReportOut], 422), summary="Intelligence you may see"
)
@paginate(_ListedPagination)
def list_reports(request: HttpRequest, filters: Query[ReportFilter]) -> Any:
    return VisibleList(
        request.user,
        IntelReport,
        where=filters.get_filter_expression(),
        order_by=("-information_date", "-id"),
        select_related=("owner", "origin"),
    )


# What a client can do with a report it has just recorded or opened (OpenAPI links).
_ACTS_ON_A_REPORT = {
    name: f"concord_intelligence_api_{name}"
    for name in ("get_report", "release", "approve", "share", "recall", "accept", "feedback")
}


@router.get(
    "/intelligence/{reference}",
    response=answers(ReportDetailOut, 404, 422, 428),
    summary="One report",
    openapi_extra=links(200, "reference", "reference", **_ACTS_ON_A_REPORT),
)
def get_report(request: HttpRequest, reference: Reference) -> dict[str, Any]:
    return _detail(request, _report(request, reference))


@router.post(
    "/intelligence",
    response=answers(ReportDetailOut, WRITE, 404, 422, status=201),
    summary="Record a report",
    openapi_extra=links(201, "reference", "reference", **_ACTS_ON_A_REPORT),
)
def record_report(request: HttpRequest, payload: ReportIn) -> Status[dict[str, Any]]:
    report = services.record_report(
        actor=request.user,
        title=payload.title,
        text=payload.text,
        information_date=payload.information_date,
        grading=services.Grading(
            payload.source_evaluation,
            payload.intelligence_assessment,
            payload.handling_code,
            payload.handling_conditions,
            payload.legacy_grading,
        ),
        place=payload.place,
        classification=payload.classification,
        sensitive=payload.sensitive,
        ocgs=payload.ocgs,
        nominals=payload.nominals,
    )
    return Status(201, _detail(request, report))


@router.post(
    "/intelligence/{reference}/release",
    response=answers(ReportDetailOut, 403, 404, 422, 428),
    summary="Release",
)
def release(request: HttpRequest, reference: Reference) -> dict[str, Any]:
    report = _report(request, reference)
    return _detail(request, services.release(actor=request.user, report=report))


@router.post(
    "/intelligence/{reference}/approve",
    response=answers(ReportDetailOut, 403, 404, 422, 428),
    summary="Approve",
)
def approve(request: HttpRequest, reference: Reference) -> dict[str, Any]:
    report = _report(request, reference)
    return _detail(request, services.approve_release(actor=request.user, report=report))


@router.post(
    "/intelligence/{reference}/share",
    response=answers(ReportDetailOut, WRITE, 404, 422, 428),
    summary="Disseminate",
)
def share(request: HttpRequest, reference: Reference, payload: ShareIn) -> dict[str, Any]:
    report = _report(request, reference)
    codes = {c.strip().upper() for c in payload.to if c.strip()}
    organisations = list(Organisation.objects.active().filter(code__in=codes))
    if len(organisations) != len(codes):
        missing = sorted(codes - {o.code for o in organisations})
        raise ValidationError({"to": f"Not recognised: {', '.join(missing)}"})
    if payload.group is not None:
        group = SharingGroup.objects.filter(pk=payload.group).first()
        if group is None:
            raise ValidationError({"group": "No such sharing group."})
        organisations += list(group.organisations.all())
    services.disseminate(
        actor=request.user, report=report, to=organisations, purpose=payload.purpose
    )
    return _detail(request, report)


@router.post(
    "/intelligence/{reference}/recall",
    response=answers(ReportDetailOut, WRITE, 404, 422, 428),
    summary="Recall",
)
def recall(request: HttpRequest, reference: Reference, payload: RecallIn) -> dict[str, Any]:
    report = _report(request, reference)
    return _detail(
        request, services.recall(actor=request.user, report=report, reason=payload.reason)
    )


@router.post(
    "/intelligence/{reference}/accept",
    response=answers(ReportDetailOut, 403, 404, 422, 428),
    summary="Accept a C-coded report's handling conditions",
)
def accept(request: HttpRequest, reference: Reference) -> dict[str, Any]:
    report = _report(request, reference)
    services.accept_conditions(actor=request.user, report=report)
    return _detail(request, report)


@router.post(
    "/intelligence/{reference}/feedback",
    response=answers(FeedbackOut, WRITE, 404, 422, 428, status=201),
    summary="Feedback",
)
def feedback(
    request: HttpRequest, reference: Reference, payload: FeedbackIn
) -> Status[dict[str, str]]:
    report = _report(request, reference)
    given = services.give_feedback(
        actor=request.user, report=report, kind=payload.kind, note=payload.note
    )
    return Status(201, {"kind": given.kind, "report": report.reference})
