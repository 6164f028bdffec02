"""Intelligence pages: the reports you may see, one report (its content behind its handling
conditions where C-coded), recording, and the originator's and recipients' actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from concord.core import policy
from concord.core.access import open_record
from concord.core.choices import Classification
from concord.core.models import AuditAction
from concord.core.visible_list import VisibleList
from concord.intelligence import ftm, services
from concord.intelligence.choices import (
    FeedbackKind,
    HandlingCode,
    IntelligenceAssessment,
    ReportStatus,
    SourceEvaluation,
)
from concord.intelligence.filters import ReportFilter
from concord.intelligence.models import IntelReport, ReceivedObject, SharingGroup
from concord.intelligence.stix import bundle
from concord.organisations.models import Organisation
from concord.threats.models import EntityLink
from concord.threats.views import register_list
from concord.web.lists import parse_filters


@login_required
def report_list(request: HttpRequest) -> HttpResponseBase:
    filters, errors = parse_filters(ReportFilter, request.GET)
    items = VisibleList(
        request.user,
        IntelReport,
        where=filters.get_filter_expression(),
        order_by=("-information_date", "-id"),
        select_related=("owner",),
    )
    return register_list(
        request,
        filters=filters,
        errors=errors,
        items=items,
        object_type="intelligence.intelreport",
        template="intelligence/report_list.html",
        export=(
            [
                _("Reference"),
                _("Title"),
                _("Grading"),
                _("Marking"),
                _("Owner"),
                _("Date"),
                _("Status"),
            ],
            lambda r: (
                r.reference,
                r.title,
                r.grading,
                r.marking,
                r.owner.code,
                r.information_date.isoformat(),
                r.get_status_display(),
            ),
        ),
        context={
            "statuses": ReportStatus.choices,
            # Peers whose intelligence this person holds (never a peer they cannot see from).
            "peers": sorted(
                set(
                    IntelReport.objects.filter(
                        pk__in=policy.visible_pks(
                            request.user, IntelReport, Q(origin__isnull=False)
                        )
                    ).values_list("origin__name", flat=True)
                )
            ),
        },
    )


def _grading(post: Any) -> services.Grading:
    return services.Grading(
        source_evaluation=post.get("source_evaluation", ""),
        intelligence_assessment=post.get("intelligence_assessment", ""),
        handling_code=post.get("handling_code", ""),
        handling_conditions=post.get("handling_conditions", ""),
        legacy_grading=post.get("legacy_grading", ""),
    )


@login_required
def report_create(request: HttpRequest) -> HttpResponse:
    if not policy.may(request.user, policy.Act.RECORD_INTELLIGENCE, None):
        raise Http404
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        post = request.POST
        try:
            information_date = dt.date.fromisoformat(post.get("information_date", ""))
        except ValueError:
            errors["information_date"] = [_("Give the date of the information.")]
        if not errors:
            try:
                report = services.record_report(
                    actor=request.user,
                    title=post.get("title", ""),
                    text=post.get("text", ""),
                    information_date=information_date,
                    grading=_grading(post),
                    place=post.get("place", ""),
                    classification=post.get("classification", ""),
                    sensitive=post.get("sensitive") == "on",
                    ocgs=post.get("ocgs", "").replace(",", " ").split(),
                    nominals=post.get("nominals", "").replace(",", " ").split(),
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                errors = (
                    exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
                )
            else:
                messages.success(
                    request, _("%(ref)s was recorded as a draft.") % {"ref": report.reference}
                )
                return redirect("intelligence:report", reference=report.reference)
    return render(
        request,
        "intelligence/report_form.html",
        {
            "errors": errors,
            "post": request.POST,
            "evaluations": SourceEvaluation.choices,
            "assessments": IntelligenceAssessment.choices,
            "codes": HandlingCode.choices,
            "classifications": Classification.choices,
        },
    )


@login_required
def report_detail(request: HttpRequest, reference: str) -> HttpResponse:
    report = open_record(
        request,
        IntelReport.objects.select_related("owner", "originator", "sanitised_from", "origin"),
        reference=reference.upper(),
    )
    if request.method == "POST":
        try:
            done = _act(request, report)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
            return redirect("intelligence:report", reference=report.reference)
    opened = services.conditions_accepted(request.user, report)
    originating = policy.can(request.user, policy.CHANGE, report)
    return render(
        request,
        "intelligence/report_detail.html",
        {
            "report": report,
            "opened": opened,
            "originating": originating,
            "subjects": services.subjects_seen_by(request.user, report) if opened else None,
            "named_by_originator": received_subjects(report) if opened else [],
            "groups": SharingGroup.objects.all(),
            "feedback": report.feedback.select_related("person", "organisation")
            if originating
            else [],
            "feedback_kinds": FeedbackKind.choices,
            "sanitised_versions": report.sanitised_versions.all() if originating else [],
            "classifications": Classification.choices,
        },
    )


def received_subjects(report: IntelReport) -> list[str]:
    """For a report received from a peer: the OCGs and places its originator named, as named
    (they are the originator's records, not ours)."""
    if report.origin_id is None:
        return []
    held = ReceivedObject.objects.filter(peer_id=report.origin_id, report=report).first()
    refs = held.body.get("object_refs", []) if held else []
    named = ReceivedObject.objects.filter(
        peer_id=report.origin_id,
        stix_id__in=refs,
        kind__in=["threat-actor", "location", "identity", "email-addr"],
    ).order_by("kind", "stix_id")
    return [
        str(o.body.get("name") or o.body.get("street_address") or o.body.get("value") or "")
        for o in named
    ]


def _act(request: HttpRequest, report: IntelReport) -> str:
    actor, post = request.user, request.POST
    step = post.get("step", "")
    if step == "accept":
        services.accept_conditions(actor=actor, report=report)
        return _("You accepted the handling conditions.")
    if step == "release":
        services.release(actor=actor, report=report)
        return _("The report is %(status)s.") % {"status": report.get_status_display().lower()}
    if step == "approve":
        services.approve_release(actor=actor, report=report)
        return _("The release was approved.")
    if step == "share":
        codes = [
            c.strip().upper() for c in post.get("to", "").replace(",", " ").split() if c.strip()
        ]
        organisations = list(Organisation.objects.active().filter(code__in=codes))
        chosen = post.get("group", "")
        if chosen and not (chosen.isascii() and chosen.isdigit() and len(chosen) <= 18):
            raise ValidationError(_("Choose a sharing group from the list."))
        group = SharingGroup.objects.filter(pk=int(chosen or 0)).first()
        if group is not None:
            organisations += list(group.organisations.all())
        if len({o.code for o in organisations} & set(codes)) != len(set(codes)):
            raise ValidationError(_("An organisation code was not recognised."))
        services.disseminate(
            actor=actor, report=report, to=organisations, purpose=post.get("purpose", "")
        )
        return _("The report was shared.")
    if step == "recall":
        services.recall(actor=actor, report=report, reason=post.get("reason", ""))
        return _("The report was recalled from everyone it was shared with.")
    if step == "feedback":
        services.give_feedback(
            actor=actor, report=report, kind=post.get("kind", ""), note=post.get("note", "")
        )
        return _("Thank you: the originator has your feedback.")
    if step == "sanitise":
        version = services.sanitise(
            actor=actor,
            report=report,
            text=post.get("text", ""),
            classification=post.get("classification", ""),
            sensitive=post.get("sensitive") == "on",
        )
        return _("Sanitised version %(ref)s was made.") % {"ref": version.reference}
    raise ValidationError(_("Nothing to do."))


def _export(request: HttpRequest, reference: str, fmt: str) -> IntelReport | None:
    """The report for a download (audited), or None while its conditions are unaccepted."""
    report = open_record(
        request,
        IntelReport.objects.select_related("owner"),
        audit_action=AuditAction.DOWNLOAD,
        detail={"format": fmt},
        reference=reference.upper(),
    )
    return report if services.conditions_accepted(request.user, report) else None


@login_required
def report_stix(request: HttpRequest, reference: str) -> HttpResponse:
    """The report as a STIX 2.1 bundle, for a reader who may open it: only the OCGs, people
    and identifiers they may see go with it. The download is audited."""
    report = _export(request, reference, "stix")
    if report is None:
        return redirect("intelligence:report", reference=reference.upper())
    seen = services.subjects_seen_by(request.user, report)
    response = HttpResponse(
        bundle(report, seen.ocgs, seen.nominals, seen.entities).serialize(pretty=True),
        content_type="application/stix+json;version=2.1",
    )
    response["Content-Disposition"] = f'attachment; filename="{report.reference}.stix.json"'
    return response


@login_required
def report_ftm(request: HttpRequest, reference: str) -> HttpResponse:
    """The people, businesses and assets the report concerns as FollowTheMoney entities (one
    JSON object a line), for a reader who may open it: only the nominals and entities they may
    see go with it, and only the links between those. The download is audited."""
    report = _export(request, reference, "ftm")
    if report is None:
        return redirect("intelligence:report", reference=reference.upper())
    seen = services.subjects_seen_by(request.user, report)
    nominals, entities = seen.nominals, seen.entities
    links = (
        EntityLink.objects.visible_to(request.user)
        .filter(nominal__in=nominals, entity__in=entities)
        .order_by("pk")
    )
    response = HttpResponse(
        ftm.lines(ftm.export(nominals, entities, links)), content_type="application/json+ftm"
    )
    response["Content-Disposition"] = f'attachment; filename="{report.reference}.ftm.json"'
    return response
