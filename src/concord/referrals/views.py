"""Referral pages: the triage queue and the sender's own referrals (CSV/XLSX), sending one,
uploading a file of them, one referral (the triager's view with its checks, or the sender's
view with its status and outcome), assignment, the decisions, and the figures."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from concord.core import audit, policy, tasks
from concord.core.access import visible_one
from concord.core.models import AuditAction
from concord.intelligence.choices import HandlingCode, IntelligenceAssessment, SourceEvaluation
from concord.organisations.models import Organisation, User
from concord.referrals import figures as figures_module
from concord.referrals import intake, services
from concord.referrals import tasks as referral_tasks
from concord.referrals.choices import Category, Decision, Priority, ReferralStatus
from concord.referrals.models import Referral, ReferralMatch, ReferralPointer
from concord.web.exports import FORMATS, export_response
from concord.web.lists import paginate, query_without

EXPORT_LIMIT = 50_000


def _scope(request: HttpRequest) -> str:
    wanted = request.GET.get("scope", "")
    triager = policy.may(request.user, policy.Act.TRIAGE_REFERRALS, None)
    if wanted == "sent" or not triager:
        return "sent"
    return "queue"


def _rows(request: HttpRequest, scope: str) -> tuple[Any, dict[str, str]]:
    organisation_id = policy.viewer_for(request.user).organisation_id
    rows = Referral.objects.visible_to(request.user).select_related(
        "sender", "receiving_unit", "assigned_to"
    )
    status = request.GET.get("status", "open" if scope == "queue" else "all")
    category = request.GET.get("category", "")
    priority = request.GET.get("priority", "")
    overdue = request.GET.get("overdue", "") == "1"
    if scope == "queue":
        rows = rows.filter(receiving_unit_id=organisation_id).order_by("due_at", "pk")
    else:
        rows = rows.filter(sender_id=organisation_id).order_by("-received_at", "-pk")
    if status == "open":
        rows = rows.exclude(status=ReferralStatus.DECIDED)
    elif status in ReferralStatus.values:
        rows = rows.filter(status=status)
    else:
        status = "all"
    if category in Category.values:
        rows = rows.filter(category=category)
    if scope == "queue" and priority in Priority.values:
        rows = rows.filter(priority=priority)
    if scope == "queue" and overdue:
        rows = rows.exclude(status=ReferralStatus.DECIDED).filter(due_at__lt=timezone.now())
    filters = {
        "scope": scope,
        "status": status,
        "category": category if category in Category.values else "",
        "priority": priority if priority in Priority.values else "",
        "overdue": "1" if overdue else "",
    }
    return rows, filters


def _export(
    request: HttpRequest, rows: Any, scope: str, fmt: str, filters: dict[str, str]
) -> HttpResponseBase:
    found = list(rows[:EXPORT_LIMIT])
    audit.record(
        AuditAction.EXPORT,
        actor=request.user,
        object_type="referrals.referral",
        detail={"format": fmt, "filters": filters, "count": len(found)},
    )
    headers = [_("Referral"), _("Sender's reference"), _("Category"), _("Found on")]
    if scope == "queue":
        headers += [_("Sender"), _("Postcode"), _("Priority"), _("Triage due"), _("Triager")]
    headers += [_("Status"), _("Outcome"), _("Decided")]

    def row(r: Referral) -> list[Any]:
        out: list[Any] = [r.reference, r.sender_reference, r.get_category_display(), r.found_on]
        if scope == "queue":
            out += [
                r.sender.code,
                r.postcode,
                r.get_priority_display(),
                timezone.localtime(r.due_at).isoformat(timespec="minutes"),
                r.assigned_to.get_full_name() if r.assigned_to else "",
            ]
        out += [
            r.get_status_display(),
            r.get_decision_display() if r.decision else "",
            timezone.localtime(r.decided_at).date() if r.decided_at else "",
        ]
        return out

    return export_response(
        name="referrals" if scope == "queue" else "referrals-sent",
        fmt=fmt,
        headers=headers,
        rows=(row(r) for r in found),
    )


@login_required
def referral_list(request: HttpRequest) -> HttpResponseBase:
    """The triage queue of your unit (most overdue first), or the referrals your organisation
    sent, with their status and outcome; CSV/XLSX."""
    if not services.may_send_or_triage(request.user):
        raise Http404
    scope = _scope(request)
    rows, filters = _rows(request, scope)
    fmt = request.GET.get("export", "")
    if fmt in FORMATS:
        return _export(request, rows, scope, fmt, filters)
    page = paginate(request, rows)
    audit.record_list(
        request.user,
        object_type="referrals.referral",
        rows=page.object_list,
        filters=filters,
        count=page.paginator.count,
        page=page.number,
    )
    return render(
        request,
        "referrals/list.html",
        {
            "page_obj": page,
            "scope": scope,
            "values": filters,
            **_tabs(request),
            "statuses": [
                ("open", _("Not yet decided")),
                ("all", _("All")),
                *ReferralStatus.choices,
            ],
            "categories": Category.choices,
            "priorities": Priority.choices,
            "now": timezone.now(),
            "query": query_without(request.GET, "page", "export"),
        },
    )


def _tabs(request: HttpRequest) -> dict[str, bool]:
    return {
        "triager": policy.may(request.user, policy.Act.TRIAGE_REFERRALS, None),
        "may_send": policy.may(request.user, policy.Act.SEND_REFERRAL, None),
    }


def _form_row(request: HttpRequest) -> dict[str, str]:
    return {column: request.POST.get(column, "") for column in intake.COLUMNS}


@login_required
def send(request: HttpRequest) -> HttpResponseBase:
    """Send one referral through a form."""
    if not policy.may(request.user, policy.Act.SEND_REFERRAL, None):
        raise Http404
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        values = _form_row(request)
        try:
            referral = services.send_referral(actor=request.user, row=values)
        except ValidationError as error:
            errors = {k: " ".join(v) for k, v in error.message_dict.items()}
        else:
            messages.success(
                request, _("Referral %(ref)s received.") % {"ref": referral.sender_reference}
            )
            return redirect(referral.get_absolute_url())
    return render(
        request,
        "referrals/send.html",
        {
            "values": values,
            "errors": errors,
            "categories": Category.choices,
            "handling_codes": HandlingCode.choices,
            **_tabs(request),
        },
    )


@login_required
def upload(request: HttpRequest) -> HttpResponseBase:
    """Check, then take in, a CSV or XLSX file of referrals: all or nothing."""
    if not policy.may(request.user, policy.Act.SEND_REFERRAL, None):
        raise Http404
    result = None
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        if uploaded is None:
            messages.error(request, _("Choose a CSV or Excel file."))
            return redirect("referrals:upload")
        from concord.scoring.importing import MAX_BYTES

        check_only = request.POST.get("step") != "import"
        content = uploaded.read(MAX_BYTES + 1)
        filename = uploaded.name or ""
        large = False
        if not check_only:
            # Checked whole here; a large file is then taken in by a worker, with its progress.
            checked = services.upload_referrals(
                actor=request.user, filename=filename, content=content, dry_run=True
            )
            large = checked.ok and checked.checked > services.TASK_ROWS
            result = checked
        if large:
            task_id = tasks.start(
                referral_tasks.take_in_upload,
                actor=request.user,
                message=gettext_noop("Taking in the referrals"),
                actor_id=request.user.pk,
                filename=filename,
                content=base64.b64encode(content).decode(),
            )
            return redirect(f"{reverse('referrals:upload')}?task={quote(task_id)}")
        if check_only or (result is not None and result.ok):
            result = services.upload_referrals(
                actor=request.user, filename=filename, content=content, dry_run=check_only
            )
        assert result is not None
        if result.ok and not check_only:
            messages.success(
                request,
                _("Taken in: %(created)s new referrals, %(unchanged)s received before.")
                % {"created": result.created, "unchanged": result.unchanged},
            )
            return redirect(f"{reverse('referrals:list')}?scope=sent")
    return render(
        request,
        "referrals/upload.html",
        {
            "result": result,
            "columns": intake.COLUMNS,
            "required": intake.REQUIRED,
            "progress": tasks.progress_for(request.user, request.GET.get("task", "")),
            "sent_url": f"{reverse('referrals:list')}?scope=sent",
            **_tabs(request),
        },
    )


def _hits(user: Any, referral: Referral) -> tuple[list[ReferralMatch], list[ReferralPointer]]:
    """The matches the person may see in full, and pointers for the rest."""
    matches = list(
        ReferralMatch.objects.visible_to(user)
        .filter(referral=referral)
        .select_related("nominal", "report")
    )
    shown = [m.hit_reference for m in matches]
    pointers = list(
        ReferralPointer.objects.visible_to(user)
        .filter(referral=referral)
        .exclude(hit_reference__in=shown)
        .select_related("owner")
    )
    return matches, pointers


def _triagers(referral: Referral) -> list[User]:
    people = (
        User.objects.filter(organisation_id=referral.receiving_unit_id, is_active=True)
        .prefetch_related("roles")
        .order_by("last_name", "first_name")
    )
    return [p for p in people if services.may_decide_referral(p, referral)]


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One referral: the triager sees its checks and decides; the sender sees what it sent,
    its status and outcome, nothing more."""
    referral = visible_one(
        request.user,
        Referral.objects.select_related(
            "sender", "receiving_unit", "assigned_to", "decided_by", "submitted_by"
        ),
        pk=pk,
    )
    may_decide = policy.may(request.user, policy.Act.DECIDE_REFERRAL, referral)
    audit.record(
        AuditAction.VIEW,
        actor=request.user,
        obj=referral,
        owner_code=referral.receiving_unit.code,
    )
    receiving = referral.receiving_unit_id == policy.viewer_for(request.user).organisation_id
    matches, pointers = _hits(request.user, referral) if receiving else ([], [])
    links = []
    if receiving:
        for name, what in (
            ("intelligence_report", _("Intelligence report")),
            ("ocg", _("OCG")),
            ("priority_individual", _("Priority individual")),
            ("tasking_request", _("Tasking request")),
        ):
            linked = getattr(referral, name)
            if linked is not None and policy.visible(request.user, linked):
                links.append((what, linked))
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "receiving": receiving,
            "may_decide": may_decide and referral.is_open,
            "matches": matches,
            "pointers": pointers,
            "links": links,
            "triagers": _triagers(referral) if may_decide and referral.is_open else [],
            "decisions": Decision.choices,
            "sources": SourceEvaluation.choices,
            "assessments": IntelligenceAssessment.choices,
            "organisations": Organisation.objects.filter(is_active=True)
            .exclude(kind="partner")
            .order_by("name")
            if may_decide
            else [],
            "overdue": referral.overdue(),
            "errors": request.session.pop("referral_errors", {}),
        },
    )


def _open(request: HttpRequest, pk: int) -> Referral:
    referral = visible_one(request.user, Referral.objects.select_related("receiving_unit"), pk=pk)
    if not policy.may(request.user, policy.Act.DECIDE_REFERRAL, referral):
        raise Http404
    return referral


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Give the referral to a triager of the unit."""
    referral = _open(request, pk)
    triager = User.objects.filter(
        pk=request.POST.get("triager", "0") if request.POST.get("triager", "").isdigit() else 0
    ).first()
    try:
        if triager is None:
            raise ValidationError({"triager": _("Choose a triager.")})
        services.assign_referral(actor=request.user, referral=referral, triager=triager)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        request.session["referral_errors"] = {k: " ".join(v) for k, v in error.message_dict.items()}
    else:
        messages.success(request, _("Assigned to %(name)s.") % {"name": triager.get_full_name()})
    return redirect(referral.get_absolute_url())


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationError({"respond_by": _("Write the date as YYYY-MM-DD.")}) from None


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Record the triager's decision."""
    referral = _open(request, pk)
    try:
        services.decide_referral(
            actor=request.user,
            referral=referral,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
            source_evaluation=request.POST.get("source_evaluation", ""),
            intelligence_assessment=request.POST.get("intelligence_assessment", ""),
            reference=request.POST.get("reference", ""),
            task_to=request.POST.get("task_to", ""),
            respond_by=_date(request.POST.get("respond_by", "")),
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        request.session["referral_errors"] = {k: " ".join(v) for k, v in error.message_dict.items()}
    else:
        messages.success(request, _("Decision recorded."))
    return redirect(referral.get_absolute_url())


@login_required
def figures(request: HttpRequest) -> HttpResponseBase:
    """Referrals received, researched, linked and investigated per sender, category and
    period; a chart with its table; CSV/XLSX."""
    if not services.may_send_or_triage(request.user):
        raise Http404
    by = request.GET.get("by", "sender")
    if by not in figures_module.GROUPS:
        by = "sender"
    year = request.GET.get("year", "")
    since = figures_module.since(year)
    table = figures_module.figures(request.user, by=by, since=since)
    fmt = request.GET.get("export", "")
    if fmt in FORMATS:
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="referrals.referral",
            detail={"format": fmt, "filters": {"by": by, "year": year}, "count": len(table)},
        )
        return export_response(
            name="referral-figures",
            fmt=fmt,
            headers=[
                str(figures_module.GROUPS[by]),
                _("Received"),
                _("Researched"),
                _("Linked"),
                _("Investigated"),
            ],
            rows=([r.label, r.received, r.researched, r.linked, r.investigated] for r in table),
        )
    return render(
        request,
        "referrals/figures.html",
        {
            "rows": table,
            "by": by,
            "groups": list(figures_module.GROUPS.items()),
            "years": figures_module.years(),
            "year": year,
            "chart": figures_module.chart(table),
            "query": query_without(request.GET, "export"),
            **_tabs(request),
        },
    )
