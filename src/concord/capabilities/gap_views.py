"""Capability gaps: the list (ranked by the threats' THR priority, with the trend from run to
run, CSV/XLSX) and one gap's page, where a tasking chair lends, bids or accepts the risk
outside a meeting, and the lender's or borrower's chair ends a loan."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from concord.capabilities import gaps
from concord.capabilities.choices import GapStatus
from concord.capabilities.models import AllocationRun, Capability, Gap
from concord.capabilities.models.gaps import RANKING
from concord.capabilities.views import date_field, sees_capacity
from concord.core import audit, policy
from concord.core.access import visible_one
from concord.core.models import AuditAction
from concord.web.exports import FORMATS, export_response
from concord.web.lists import paginate, query_without

TREND_RUNS = 8
CHART_WIDTH, CHART_HEIGHT = 640, 200


def _visible(user: Any) -> Any:
    return Gap.objects.visible_to(user).select_related(
        "capability",
        "organisation",
        "proposed_from",
        "lender",
        "ocg",
        "priority_individual",
        "vulnerability",
    )


def _threat(gap: Gap, seen: set[str]) -> str:
    reference = gap.register_item.reference
    return reference if reference in seen else ""


def _seen(user: Any, rows: list[Gap]) -> set[str]:
    """The threats of these gaps the person may see (the lender's side may not)."""
    from concord.capabilities.planning import visible_references

    return visible_references(user, {g.register_item.reference for g in rows})


def trend(capability: str = "", region: str = "") -> list[dict[str, Any]]:
    """Unmet need (and its priority weight) in each of the last runs, oldest first."""
    runs = list(
        AllocationRun.objects.order_by("-created_at", "-pk").only("pk", "created_at", "totals")[
            :TREND_RUNS
        ]
    )
    points: list[dict[str, Any]] = []
    for run in reversed(runs):
        amount, weighted = 0.0, 0.0
        for key, (units, weight) in (run.totals or {}).items():
            code, _sep, where = key.partition("|")
            if (not capability or code == capability) and (not region or where == region):
                amount += units
                weighted += weight
        points.append({"run": run, "amount": int(amount), "weighted": round(weighted, 1)})
    top = max((float(p["weighted"]) for p in points), default=0.0) or 1.0
    inner = CHART_HEIGHT - 48
    step = (CHART_WIDTH - 48) // max(len(points), 1)
    for i, point in enumerate(points):
        point["height"] = int(inner * float(point["weighted"]) / top)
        point["x"] = 24 + i * step + step // 6
        point["y"] = CHART_HEIGHT - 24 - int(point["height"])
    return points


@login_required
def gap_list(request: HttpRequest) -> HttpResponseBase:
    """The gaps you may see, highest THR priority first, with the trend; CSV/XLSX."""
    status = request.GET.get("status", GapStatus.OPEN)
    capability = request.GET.get("capability", "")
    region = request.GET.get("region", "")
    rows = _visible(request.user).order_by(*RANKING)
    if status in GapStatus.values:
        rows = rows.filter(status=status)
    elif status != "all":
        status = GapStatus.OPEN
        rows = rows.filter(status=status)
    if capability:
        rows = rows.filter(capability__code=capability[:40])
    if region:
        rows = rows.filter(region=region[:20])
    filters = {"status": status, "capability": capability, "region": region}
    fmt = request.GET.get("export", "")
    if fmt in FORMATS:
        found = list(rows[:50000])
        seen = _seen(request.user, found)
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="capabilities.gap",
            detail={"format": fmt, "filters": filters, "count": len(found)},
        )
        return export_response(
            name="capability-gaps",
            fmt=fmt,
            headers=[
                _("Gap"),
                _("Threat"),
                _("Band"),
                _("Capability"),
                _("Held by"),
                _("Region"),
                _("From"),
                _("Until"),
                _("Needed a week"),
                _("Unmet a week"),
                _("Proposed lender"),
                _("Proposed loan a week"),
                _("Status"),
                _("Lent by"),
                _("Lent a week"),
                _("Review by"),
                _("Decided at"),
            ],
            rows=(
                [
                    g.reference,
                    _threat(g, seen) or _("Another threat"),
                    g.band,
                    g.capability.code,
                    g.organisation.code,
                    g.region,
                    g.starts,
                    g.ends,
                    g.needed,
                    g.unmet,
                    g.proposed_from.code if g.proposed_from else "",
                    g.proposed,
                    g.get_status_display(),
                    g.lender.code if g.lender else "",
                    g.lent,
                    g.review_on or "",
                    g.decided_in,
                ]
                for g in found
            ),
        )
    page = paginate(request, rows)
    seen = _seen(request.user, list(page.object_list))
    for gap in page.object_list:
        gap.threat = _threat(gap, seen)
    audit.record_list(
        request.user,
        object_type="capabilities.gap",
        rows=page.object_list,
        filters=filters,
        count=page.paginator.count,
        page=page.number,
    )
    from concord.organisations.models import Region

    return render(
        request,
        "capabilities/gap_list.html",
        {
            "page_obj": page,
            "values": filters,
            "statuses": [("all", _("All")), *GapStatus.choices],
            "capabilities": Capability.objects.current().order_by("name"),
            "regions": [(r.code, r.display_name) for r in Region.objects.order_by("name")],
            "trend": trend(capability, region) if sees_capacity(request.user) else [],
            "chart": {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bar_width": 40},
            "query": query_without(request.GET, "page", "export"),
        },
    )


@login_required
def gap_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One gap: what is needed and why it is unmet, what the plan proposes, and what was
    decided; a chair answers it here or at the tasking meeting."""
    gap = visible_one(request.user, _visible(request.user), pk=pk)
    may_decide = gap.status == GapStatus.OPEN and policy.may(
        request.user, policy.Act.DECIDE_GAP, gap
    )
    may_end = gaps.may_end_loan(request.user, gap)
    if request.method == "POST":
        step = request.POST.get("step", "")
        if (step == "end" and not may_end) or (step != "end" and not may_decide):
            raise Http404
        try:
            done = _answer(request, gap, step)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
        return redirect(gap.get_absolute_url())
    seen = _seen(request.user, [gap])
    audit.record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="capabilities.gap",
        object_id=str(gap.pk),
        object_repr=f"{gap.reference} {gap.capability.code}",
        owner_code=gap.organisation.code,
    )
    return render(
        request,
        "capabilities/gap_detail.html",
        {
            "gap": gap,
            "threat": _threat(gap, seen),
            "item": gap.register_item if seen else None,
            "may_decide": may_decide,
            "may_end": may_end,
        },
    )


def _answer(request: HttpRequest, gap: Gap, step: str) -> str:
    rationale = request.POST.get("rationale", "")
    if step == "end":
        gaps.end_loan(actor=request.user, gap=gap, reason=rationale)
        return _("The loan has ended.")
    errors: dict[str, str] = {}
    review_on = date_field(request.POST.get("review_on", ""), "review_on", errors)
    if errors:
        raise ValidationError(errors)
    if step == "lend":
        gaps.agree_loan(actor=request.user, gap=gap, rationale=rationale)
        return _("The loan is agreed.")
    if step == "bid":
        try:
            posts = int(request.POST.get("posts", "0") or "0")
        except ValueError:
            raise ValidationError({"posts": _("Enter a whole number of posts.")}) from None
        gaps.make_bid(
            actor=request.user, gap=gap, rationale=rationale, posts=posts, review_on=review_on
        )
        return _("The bid is recorded.")
    if step == "risk":
        gaps.accept_risk(actor=request.user, gap=gap, rationale=rationale, review_on=review_on)
        return _("The risk is accepted.")
    raise ValidationError(_("Choose lend, bid or accept the risk."))
