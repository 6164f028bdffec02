"""Effectiveness, national consistency, the oversight pack and the good practice library."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy, tasks
from concord.core.choices import OrganisationKind
from concord.core.models import AuditAction
from concord.insight import consistency, effectiveness, oversight, services, statistics
from concord.insight.choices import AdoptionStatus, AggregateLevel, Figure, RunStatus
from concord.insight.models import (
    ApprovedAggregate,
    ConsistencyException,
    ConsistencyRule,
    ConsistencyRun,
    Practice,
)
from concord.organisations.models import Organisation, Region
from concord.plans.models import outcome_label
from concord.web.documents import document_response, is_document
from concord.web.exports import FORMATS, export_response
from concord.web.lists import paginate, query_without

CHART_WIDTH, CHART_HEIGHT = 640, 200
TREND_RUNS = 8


def _require_records(user: Any) -> None:
    if not services.works_with_records(user):
        raise Http404


def figure_rows(
    now: effectiveness.Figures, before: effectiveness.Figures, drill: dict[str, str]
) -> list[dict[str, Any]]:
    """Every figure as a row: section, label, this period, the one before, the change and
    where to see the records behind it (the reader's own lists)."""
    rows: list[dict[str, Any]] = []

    def add(section: str, label: str, a: Any, b: Any, link: str = "") -> None:
        rows.append(
            {
                "section": section,
                "label": label,
                "now": a,
                "before": b,
                "change": effectiveness.change(a, b),
                "link": link,
            }
        )

    disruptions = _("Validated disruptions")
    add(disruptions, _("All strands"), now.disruptions, before.disruptions, drill["disruptions"])
    labels = {
        "pursue": _("Pursue"),
        "prevent": _("Prevent"),
        "protect": _("Protect"),
        "prepare": _("Prepare"),
    }
    for strand in effectiveness.STRANDS:
        add(disruptions, str(labels[strand]), now.by_strand[strand], before.by_strand[strand])
    earlier = {code: n for code, _name, n in before.by_impact}
    for code, name, n in now.by_impact:
        add(_("Impact"), name, n, earlier.get(code, 0))
    for name in effectiveness.OUTCOME_FIELDS:
        add(
            _("Outcomes"),
            outcome_label(name),
            now.outcomes.get(name, 0),
            before.outcomes.get(name, 0),
        )
    balance = _("Balance across the four Ps (per cent)")
    for strand in effectiveness.STRANDS:
        add(balance, str(labels[strand]), now.balance[strand], before.balance[strand])
    thr = _("THR movement of managed OCGs and PIs")
    for key, label in (
        ("reduced", _("Risk reduced")),
        ("increased", _("Risk increased")),
        ("unchanged", _("Risk unchanged")),
        ("new", _("First assessed")),
    ):
        add(thr, str(label), now.thr[key], before.thr[key], drill["register"])
    mapping = _("From mapping to an SIO and an LRO")
    add(
        mapping,
        _("OCGs mapped"),
        now.mapping["mapped"],
        before.mapping["mapped"],
        drill["register"],
    )
    add(mapping, _("With an SIO"), now.mapping["with_sio"], before.mapping["with_sio"])
    add(mapping, _("Average days to an SIO"), now.mapping["sio_days"], before.mapping["sio_days"])
    add(mapping, _("With an LRO"), now.mapping["with_lro"], before.mapping["with_lro"])
    add(mapping, _("Average days to an LRO"), now.mapping["lro_days"], before.mapping["lro_days"])
    plans = _("4P plans")
    add(plans, _("Plans of active items"), now.plans["plans"], before.plans["plans"])
    add(plans, _("Plans reviewed in the period"), now.plans["reviewed"], before.plans["reviewed"])
    add(plans, _("Plans with their review not overdue today"), now.plans["on_time"], None)
    transfers = _("Transfers and tasking")
    add(
        transfers,
        _("Transfers requested"),
        now.transfers["requested"],
        before.transfers["requested"],
        drill["transfers"],
    )
    add(transfers, _("Transfers decided"), now.transfers["decided"], before.transfers["decided"])
    add(
        transfers,
        _("Average days to decide a transfer"),
        now.transfers["decided_days"],
        before.transfers["decided_days"],
    )
    add(
        transfers,
        _("Tasking requests due"),
        now.taskings["due"],
        before.taskings["due"],
        drill["tasking"],
    )
    add(
        transfers,
        _("Tasking requests decided by their date"),
        now.taskings["on_time"],
        before.taskings["on_time"],
    )
    intelligence = _("Intelligence")
    add(intelligence, _("Shared"), now.intelligence["shared"], before.intelligence["shared"])
    add(
        intelligence,
        _("Conditions accepted"),
        now.intelligence["accepted"],
        before.intelligence["accepted"],
    )
    add(intelligence, _("Fed back"), now.intelligence["fed_back"], before.intelligence["fed_back"])
    return rows


def _drill() -> dict[str, str]:
    return {
        "disruptions": reverse("plans:disruptions") + "?status=validated",
        "register": reverse("threats:ocg_list"),
        "transfers": reverse("ownership:transfers"),
        "tasking": reverse("ownership:tasking"),
    }


def strand_chart(
    figures: effectiveness.Figures, previous: effectiveness.Figures
) -> list[dict[str, Any]]:
    """Bars of validated disruptions by strand, this period beside the one before."""
    top = max([*figures.by_strand.values(), *previous.by_strand.values(), 1])
    inner = CHART_HEIGHT - 48
    step = (CHART_WIDTH - 48) // len(effectiveness.STRANDS)
    bars = []
    for i, strand in enumerate(effectiveness.STRANDS):
        for j, (which, source) in enumerate((("before", previous), ("now", figures))):
            value = source.by_strand[strand]
            height = int(inner * value / top)
            bars.append(
                {
                    "strand": strand,
                    "which": which,
                    "value": value,
                    "height": height,
                    "x": 24 + i * step + j * (step // 3) + step // 8,
                    "y": CHART_HEIGHT - 24 - height,
                    "label_x": 24 + i * step + step // 8,
                }
            )
    return bars


@login_required
def effectiveness_view(request: HttpRequest) -> HttpResponseBase:
    """Effectiveness for a scope and period against the period before, with a chart and its
    table, CSV/XLSX and drill-down links."""
    _require_records(request.user)
    get = request.GET
    scope = effectiveness.scope_from(get.get("scope", ""), request.user)
    period = effectiveness.period_from(
        get.get("period", "quarter"),
        get.get("year", ""),
        get.get("quarter", ""),
        get.get("first", ""),
        get.get("last", ""),
    )
    previous = period.previous()
    now, before = effectiveness.compare(request.user, scope, period)
    rows = figure_rows(now, before, _drill())
    fmt = get.get("export", "")
    audit.record(
        AuditAction.EXPORT if fmt in FORMATS else AuditAction.VIEW,
        actor=request.user,
        object_type="insight.effectiveness",
        object_id=scope.key,
        detail={"first": period.first.isoformat(), "last": period.last.isoformat(), "format": fmt},
    )
    if fmt in FORMATS:
        return export_response(
            name="effectiveness",
            fmt=fmt,
            headers=[_("Section"), _("Figure"), _("This period"), _("Period before"), _("Change")],
            rows=([r["section"], r["label"], r["now"], r["before"], r["change"]] for r in rows),
        )
    complete = effectiveness.within_reach(request.user, scope)
    year, quarter = statistics.quarter_of(period.first)
    context = {
        "scope": scope,
        "period": period,
        "previous": previous,
        "rows": rows,
        "complete": complete,
        "published": [] if complete else effectiveness.approved_aggregates(scope, period),
        "bars": strand_chart(now, before),
        "chart": {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bar_width": 30},
        "organisations": Organisation.objects.filter(
            kind__in=[OrganisationKind.FORCE, OrganisationKind.ROCU, OrganisationKind.NATIONAL],
            is_active=True,
        ).order_by("name"),
        "regions": Region.objects.order_by("name"),
        "kind": get.get("period", "quarter"),
        "year": year,
        "quarter": quarter,
        "export_query": query_without(get, "export", "page"),
    }
    return render(request, "insight/effectiveness.html", context)


def _comparison(
    user: Any, run: ConsistencyRun | None, rules: list[ConsistencyRule]
) -> list[dict[str, Any]]:
    """Each ROCU and force with its exception count per rule in the run: the approved
    per-organisation aggregate, or else only the exceptions the reader may see."""
    organisations = list(
        Organisation.objects.filter(kind__in=consistency.CHECKED_KINDS, is_active=True).order_by(
            "kind", "name"
        )
    )
    if run is None:
        return []
    if ApprovedAggregate.approved(Figure.CONSISTENCY, AggregateLevel.ORGANISATION):
        counts: dict[str, dict[str, int]] = run.counts or {}
    else:
        counts = defaultdict(dict)
        for row in (
            ConsistencyException.objects.visible_to(user)
            .filter(run=run)
            .order_by()
            .values("organisation__code", "rule__code")
            .annotate(n=Count("pk"))
        ):
            counts[row["organisation__code"] or consistency.NATIONAL][row["rule__code"]] = row["n"]
    table = []
    for organisation in organisations:
        found = counts.get(organisation.code, {})
        cells = [int(found.get(rule.code, 0)) for rule in rules]
        table.append({"organisation": organisation, "cells": cells, "total": sum(cells)})
    return table


def _trend(user: Any) -> list[dict[str, Any]]:
    runs = list(
        ConsistencyRun.objects.filter(status=RunStatus.FINISHED).order_by("-started_at", "-pk")[
            :TREND_RUNS
        ]
    )
    approved = ApprovedAggregate.approved(Figure.CONSISTENCY, AggregateLevel.ORGANISATION)
    points: list[dict[str, Any]] = []
    seen: dict[int, int] = {}
    if not approved and runs:
        seen = dict(
            ConsistencyException.objects.visible_to(user)
            .filter(run__in=runs)
            .order_by()
            .values_list("run_id")
            .annotate(n=Count("pk"))
            .values_list("run_id", "n")
        )
    for run in reversed(runs):
        total = (
            sum(int(n) for by_rule in (run.counts or {}).values() for n in by_rule.values())
            if approved
            else seen.get(run.pk, 0)
        )
        points.append({"run": run, "total": total})
    top = max((int(p["total"]) for p in points), default=0) or 1
    inner = CHART_HEIGHT - 48
    step = (CHART_WIDTH - 48) // max(len(points), 1)
    for i, point in enumerate(points):
        height = int(inner * int(point["total"]) / top)
        point["height"] = height
        point["x"] = 24 + i * step + step // 6
        point["y"] = CHART_HEIGHT - 24 - height
    return points


@login_required
def consistency_view(request: HttpRequest) -> HttpResponseBase:
    """The national comparison (ROCUs and forces by rule), its trend across runs and the
    exceptions the reader may see, linked to the records they name; CSV/XLSX."""
    _require_records(request.user)
    if request.method == "POST":
        try:
            task_id = services.start_consistency_run(actor=request.user)
        except PermissionDenied:
            raise Http404 from None
        return redirect(f"{reverse('insight:consistency')}?task={quote(task_id)}")
    run = consistency.latest_run()
    rules = list(ConsistencyRule.objects.filter(enabled=True))
    exceptions = (
        ConsistencyException.objects.visible_to(request.user)
        .filter(run=run)
        .select_related("rule", "organisation", "ocg", "priority_individual")
    )
    organisation = request.GET.get("organisation", "")[:20]
    rule = request.GET.get("rule", "")[:30]
    if organisation:
        exceptions = exceptions.filter(organisation__code=organisation)
    if rule:
        exceptions = exceptions.filter(rule__code=rule)
    fmt = request.GET.get("export", "")
    if fmt in FORMATS:
        found = list(exceptions[:50000])
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="insight.consistencyexception",
            detail={"format": fmt, "count": len(found), "organisation": organisation, "rule": rule},
        )
        return export_response(
            name="consistency-exceptions",
            fmt=fmt,
            headers=[_("Rule"), _("Organisation"), _("Record"), _("Detail")],
            rows=(
                [
                    e.rule.code,
                    e.organisation.code if e.organisation else "",
                    e.subject_reference,
                    e.detail,
                ]
                for e in found
            ),
        )
    page = paginate(request, exceptions)
    context = {
        "run": run,
        "rules": rules,
        "comparison": _comparison(request.user, run, rules),
        "trend": _trend(request.user),
        "chart": {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bar_width": 40},
        "page_obj": page,
        "organisation": organisation,
        "rule": rule,
        "may_run": policy.may(request.user, policy.Act.PREPARE_STATISTICS, None),
        "export_query": query_without(request.GET, "export", "page"),
        "progress": tasks.progress_for(request.user, request.GET.get("task", "")),
        "approved": ApprovedAggregate.approved(Figure.CONSISTENCY, AggregateLevel.ORGANISATION),
    }
    return render(request, "insight/consistency.html", context)


@login_required
def oversight_choose(request: HttpRequest) -> HttpResponseBase:
    """The ROCUs whose pack the reader may open, for the last finished quarter (or this one)."""
    rocus = oversight.rocus_for(request.user)
    if not rocus:
        raise Http404
    year, quarter = statistics.quarter_of(timezone.localdate())
    quarters = []
    for _i in range(4):
        quarters.append(
            (year, quarter, f"{year}-q{quarter}", f"{year}/{str(year + 1)[-2:]} Q{quarter}")
        )
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return render(request, "insight/oversight_choose.html", {"rocus": rocus, "quarters": quarters})


@login_required
def oversight_pack(request: HttpRequest, code: str, slug: str) -> HttpResponseBase:
    """A ROCU's oversight pack for a quarter, as a page or (`?format=pdf`) a PDF."""
    rocu = (
        Organisation.objects.filter(code=code.upper()[:20], kind=OrganisationKind.ROCU)
        .select_related("region")
        .first()
    )
    found = oversight.parse_quarter(slug)
    if rocu is None or found is None or not policy.may(request.user, policy.Act.OVERSEE, rocu):
        raise Http404
    pack = oversight.build(request.user, rocu, *found)
    document = is_document(request)
    audit.record(
        AuditAction.DOWNLOAD if document else AuditAction.VIEW,
        actor=request.user,
        object_type="insight.oversightpack",
        object_id=f"{rocu.code}-{slug}",
        object_repr=f"Oversight pack of {rocu.code}, {pack.label}",
        owner_code=rocu.code,
        detail={"format": request.GET.get("format", "html"), "exceptions": pack.exception_count},
    )
    context = {
        "pack": pack,
        "rows": figure_rows(pack.now, pack.before, _drill()),
        "reader": request.user,
        "today": timezone.localdate(),
        "bars": strand_chart(pack.now, pack.before),
        "chart": {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bar_width": 30},
    }
    if not document:
        return render(request, "insight/oversight_pack.html", context)
    return document_response(
        request,
        "insight/oversight_print.html",
        context,
        f"oversight-pack-{rocu.code}-{slug}.pdf",
    )


@login_required
def practice_list(request: HttpRequest) -> HttpResponseBase:
    """The good practice library: search over both languages; CSV/XLSX."""
    _require_records(request.user)
    query = request.GET.get("q", "").strip()[:200]
    practices = Practice.objects.annotate(
        adopted=Count("adoptions", filter=Q(adoptions__status=AdoptionStatus.ADOPTED))
    ).order_by("title")
    if query:
        practices = practices.filter(
            Q(title__icontains=query)
            | Q(title_cy__icontains=query)
            | Q(summary__icontains=query)
            | Q(summary_cy__icontains=query)
            | Q(body__icontains=query)
            | Q(body_cy__icontains=query)
            | Q(evidence__icontains=query)
        )
    fmt = request.GET.get("export", "")
    if fmt in FORMATS:
        return export_response(
            name="good-practice",
            fmt=fmt,
            headers=[_("Practice"), _("Summary"), _("Source"), _("Organisations that adopted it")],
            rows=([p.display_title, p.display_summary, p.source, p.adopted] for p in practices),
        )
    return render(
        request,
        "insight/practice_list.html",
        {
            "page_obj": paginate(request, practices),
            "q": query,
            "export_query": query_without(request.GET, "export", "page"),
        },
    )


def _date(request: HttpRequest, name: str) -> dt.date | None:
    try:
        return dt.date(
            int(request.POST.get(f"{name}-year", "")),
            int(request.POST.get(f"{name}-month", "")),
            int(request.POST.get(f"{name}-day", "")),
        )
    except ValueError:
        return None


@login_required
def practice_detail(request: HttpRequest, slug: str) -> HttpResponseBase:
    """One practice: evidence, linked outcomes, adoptions, comments; comment or record an
    adoption."""
    _require_records(request.user)
    practice = get_object_or_404(Practice, slug=slug[:60])
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.POST.get("step") == "adopt":
                services.record_adoption(
                    actor=request.user,
                    practice=practice,
                    organisation=Organisation.objects.filter(
                        code=request.POST.get("organisation", "")[:20]
                    ).first(),
                    status=request.POST.get("status", ""),
                    since=_date(request, "since"),
                )
                messages.success(request, _("The adoption has been recorded."))
            else:
                services.comment_on_practice(
                    actor=request.user, practice=practice, text=request.POST.get("text", "")
                )
                messages.success(request, _("Your comment has been added."))
            return redirect(practice.get_absolute_url())
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            errors = {k: " ".join(str(m) for m in v) for k, v in error.message_dict.items()}
    adoptable = (
        [
            o
            for o in Organisation.objects.filter(
                kind__in=[OrganisationKind.FORCE, OrganisationKind.ROCU], is_active=True
            ).order_by("name")
            if policy.may(request.user, policy.Act.OVERSEE, o)
        ]
        if policy.may(request.user, policy.Act.OVERSEE, None)
        else []
    )
    return render(
        request,
        "insight/practice_detail.html",
        {
            "practice": practice,
            "outcomes": [outcome_label(name) for name in practice.outcomes],
            "adoptions": practice.adoptions.select_related("organisation"),
            "comments": practice.comments.select_related("author", "author__organisation"),
            "errors": errors,
            "adoptable": adoptable,
            "statuses": AdoptionStatus.choices,
            "may_comment": True,
        },
    )
