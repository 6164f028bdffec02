"""Auditors' pages (audit search, alerts, declarations) and staff declarations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from concord.core import audit
from concord.core.models import AuditAction, AuditEntry
from concord.monitoring import services
from concord.monitoring.choices import AlertKind, AlertStatus
from concord.monitoring.filters import AlertFilter, AuditFilter
from concord.monitoring.forms import DeclarationForm, ReviewForm
from concord.monitoring.models import DeclaredAssociation
from concord.monitoring.scope import (
    alerts_for,
    audit_entries_for,
    declarations_for,
    require_auditor,
)
from concord.web.exports import FORMATS, export_response
from concord.web.lists import paginate, parse_filters

AUDIT_HEADERS = [
    "Entry",
    "When (UTC)",
    "Person",
    "Acting for",
    "Action",
    "Record type",
    "Record",
    "Description",
    "Owner",
    "Reason",
    "Source",
    "IP address",
    "Request id",
]


def _audit_row(e: AuditEntry) -> list[Any]:
    return [
        e.pk,
        e.at.isoformat(),
        e.actor_username,
        e.organisation_code,
        e.action,
        e.object_type,
        e.object_id,
        e.object_repr,
        e.owner_code,
        e.reason,
        e.source,
        e.ip or "",
        e.request_id,
    ]


@login_required
def audit_search(request: HttpRequest) -> HttpResponseBase:
    """Search the audit trail within what the auditor oversees; the search is itself audited."""
    require_auditor(request.user)
    filters, errors = parse_filters(AuditFilter, request.GET)
    entries = filters.filter(audit_entries_for(request.user)).order_by("-id")
    used = {k: str(v) for k, v in filters.model_dump().items() if v is not None}
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="core.auditentry",
            detail={"filters": used, "format": fmt},
        )
        return export_response(
            name="audit",
            fmt=fmt,
            headers=AUDIT_HEADERS,
            rows=(_audit_row(e) for e in entries.iterator(chunk_size=2000)),
        )
    if used:
        audit.record(
            AuditAction.SEARCH,
            actor=request.user,
            object_type="core.auditentry",
            detail={"filters": used},
        )
    return render(
        request,
        "monitoring/audit_search.html",
        {
            "page_obj": paginate(request, entries),
            "filters": filters,
            "filter_errors": errors,
            "actions": AuditAction.choices,
            "searched": bool(used),
        },
    )


@login_required
def alert_list(request: HttpRequest) -> HttpResponseBase:
    require_auditor(request.user)
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = AlertStatus.OPEN
    filters, errors = parse_filters(AlertFilter, params)
    alerts = filters.filter(alerts_for(request.user))
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="monitoring.alert",
            detail={"format": fmt},
        )
        return export_response(
            name="alerts",
            fmt=fmt,
            headers=["Alert", "Raised", "Kind", "Person", "Organisation", "Why", "Status"],
            rows=(
                (
                    a.pk,
                    a.raised_at.isoformat(),
                    a.get_kind_display(),
                    a.person.username,
                    a.organisation.code,
                    a.explanation,
                    a.get_status_display(),
                )
                for a in alerts.iterator()
            ),
        )
    return render(
        request,
        "monitoring/alert_list.html",
        {
            "page_obj": paginate(request, alerts),
            "filters": filters,
            "filter_errors": errors,
            "kinds": AlertKind.choices,
            "statuses": AlertStatus.choices,
        },
    )


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_auditor(request.user)
    alert = get_object_or_404(alerts_for(request.user), pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_alert(
                actor=request.user,
                alert=alert,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("The alert was marked %(status)s.")
                % {"status": alert.get_status_display().lower()},
            )
            return redirect("monitoring:alerts")
    evidence = audit_entries_for(request.user).filter(pk__in=alert.evidence[:200])
    audit.record(
        AuditAction.VIEW, actor=request.user, obj=alert, owner_code=alert.organisation.code
    )
    return render(
        request,
        "monitoring/alert_detail.html",
        {"alert": alert, "evidence": evidence, "form": form},
    )


@login_required
def declare(request: HttpRequest) -> HttpResponse:
    """Any member of staff declares a relative or associate; only auditors see declarations."""
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_association(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(
                request,
                _("Your declaration was recorded. Only counter-corruption auditors can see it."),
            )
            return redirect("monitoring:declare")
    count = DeclaredAssociation.objects.filter(person_id=request.user.pk).count()
    return render(request, "monitoring/declare.html", {"form": form, "count": count})


@login_required
def declaration_register(request: HttpRequest) -> HttpResponseBase:
    """Auditors: the declarations of the staff they oversee."""
    require_auditor(request.user)
    declared = declarations_for(request.user)
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="monitoring.declaredassociation",
            detail={"format": fmt},
        )
        return export_response(
            name="declarations",
            fmt=fmt,
            headers=[
                "Declared by",
                "Organisation",
                "Name",
                "Date of birth",
                "Relationship",
                "Declared",
            ],
            rows=(
                (
                    d.person.username,
                    d.person.organisation.code,
                    d.name,
                    d.date_of_birth.isoformat() if d.date_of_birth else "",
                    d.get_relationship_display(),
                    d.declared_at.date().isoformat(),
                )
                for d in declared.iterator()
            ),
        )
    audit.record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="monitoring.declaredassociation",
        object_repr="Declarations register",
    )
    return render(
        request, "monitoring/declaration_register.html", {"page_obj": paginate(request, declared)}
    )
