"""Intelligence API: the reports you may see, one report (its content behind its handling
conditions), recording, release and approval, sharing, recall, acceptance and feedback, through
the same services and policy as the pages. Refusal reads as 404; bad input as 422 by field."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from concord.core.access import open_record
from concord.intelligence import services
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


class ReportIn(Schema):
    title: str
    text: str
    information_date: dt.date
    place: str = ""
    source_evaluation: str = ""
    intelligence_assessment: str = ""
    handling_code: str = ""
    handling_conditions: str = ""
    legacy_grading: str = ""
    classification: str = "OFFICIAL"
    sensitive: bool = False
    ocgs: list[str] = []
    nominals: list[str] = []


class ShareIn(Schema):
    to: list[str] = []
    group: int | None = None
    purpose: str


class RecallIn(Schema):
    reason: str


class FeedbackIn(Schema):
    kind: str
    note: str = ""


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


@router.get("/intelligence", response=list[ReportOut], summary="Intelligence you may see")
@paginate(LimitOffsetPagination)
def list_reports(request: HttpRequest, filters: Query[ReportFilter]) -> Any:
    return filters.filter(
        IntelReport.objects.visible_to(request.user).select_related("owner", "origin")
    ).order_by("-information_date", "-id")


@router.get("/intelligence/{reference}", response=ReportDetailOut, summary="One report")
def get_report(request: HttpRequest, reference: str) -> dict[str, Any]:
    return _detail(request, _report(request, reference))


@router.post("/intelligence", response={201: ReportDetailOut}, summary="Record a report")
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


@router.post("/intelligence/{reference}/release", response=ReportDetailOut, summary="Release")
def release(request: HttpRequest, reference: str) -> dict[str, Any]:
    report = _report(request, reference)
    return _detail(request, services.release(actor=request.user, report=report))


@router.post("/intelligence/{reference}/approve", response=ReportDetailOut, summary="Approve")
def approve(request: HttpRequest, reference: str) -> dict[str, Any]:
    report = _report(request, reference)
    return _detail(request, services.approve_release(actor=request.user, report=report))


@router.post("/intelligence/{reference}/share", response=ReportDetailOut, summary="Disseminate")
def share(request: HttpRequest, reference: str, payload: ShareIn) -> dict[str, Any]:
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


@router.post("/intelligence/{reference}/recall", response=ReportDetailOut, summary="Recall")
def recall(request: HttpRequest, reference: str, payload: RecallIn) -> dict[str, Any]:
    report = _report(request, reference)
    return _detail(
        request, services.recall(actor=request.user, report=report, reason=payload.reason)
    )


@router.post(
    "/intelligence/{reference}/accept",
    response=ReportDetailOut,
    summary="Accept a C-coded report's handling conditions",
)
def accept(request: HttpRequest, reference: str) -> dict[str, Any]:
    report = _report(request, reference)
    services.accept_conditions(actor=request.user, report=report)
    return _detail(request, report)


@router.post("/intelligence/{reference}/feedback", response={201: dict}, summary="Feedback")
def feedback(request: HttpRequest, reference: str, payload: FeedbackIn) -> Status[dict[str, str]]:
    report = _report(request, reference)
    given = services.give_feedback(
        actor=request.user, report=report, kind=payload.kind, note=payload.note
    )
    return Status(201, {"kind": given.kind, "report": report.reference})
