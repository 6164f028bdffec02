"""Capability pages: the catalogue with the capacity you may see, posts, funding streams and
what each one's end takes, and importing an establishment spreadsheet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.capabilities import capacity, importing, planning, services
from concord.capabilities.choices import PostStatus
from concord.capabilities.models import (
    Capability,
    ForceContribution,
    FundingStream,
    FundingYear,
    Post,
    PostFunding,
    Unit,
)
from concord.core import audit, policy
from concord.core.access import visible_one
from concord.core.models import AuditAction
from concord.core.policy import Act
from concord.web.documents import document_response, is_document
from concord.web.exports import FORMATS, export_response
from concord.web.lists import paginate, query_without


def date_field(value: str, field: str, errors: dict[str, str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return None


def _export_format(request: HttpRequest) -> str:
    fmt = request.GET.get("export", "")
    return fmt if fmt in FORMATS else ""


@login_required
def capability_list(request: HttpRequest) -> HttpResponseBase:
    """The catalogue, with the capacity of the units you may see now and in a year."""
    today = timezone.localdate()
    later = today + dt.timedelta(days=365)
    posts = list(capacity.posts_for(Post.objects.visible_to(request.user)))
    now = capacity.pools(posts, today)
    then = capacity.pools(posts, later)
    rows: dict[int, dict[str, Any]] = {}
    capabilities = list(Capability.objects.current().prefetch_related("criminality_types"))
    for c in capabilities:
        rows[c.pk] = {
            "capability": c,
            "organisations": 0,
            "posts": 0,
            "filled": 0,
            "fixed_term": 0,
            "now": Decimal("0"),
            "then": Decimal("0"),
        }
    for pool in now:
        row = rows.get(pool.capability.pk)
        if row is None:
            continue
        row["organisations"] += 1
        row["posts"] += pool.posts
        row["filled"] += pool.filled
        row["fixed_term"] += pool.fixed_term
        row["now"] += pool.capacity
    for pool in then:
        if pool.capability.pk in rows:
            rows[pool.capability.pk]["then"] += pool.capacity
    table = [rows[c.pk] for c in capabilities]
    fmt = _export_format(request)
    headers = [
        _("Capability"),
        _("Code"),
        _("Held at"),
        _("Unit"),
        _("Vetting"),
        _("Organisations"),
        _("Posts"),
        _("Filled"),
        _("Fixed-term"),
        _("Capacity now"),
        _("Capacity in a year"),
    ]
    if fmt:
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="capabilities.unit",
            detail={"format": fmt, "count": len(now), "list": "capabilities"},
        )
        return export_response(
            name="capabilities",
            fmt=fmt,
            headers=headers,
            rows=(
                (
                    r["capability"].display_name,
                    r["capability"].code,
                    r["capability"].get_level_display(),
                    r["capability"].get_unit_display(),
                    r["capability"].vetting,
                    r["organisations"],
                    r["posts"],
                    r["filled"],
                    r["fixed_term"],
                    r["now"],
                    r["then"],
                )
                for r in table
            ),
        )
    audit.record_list(
        request.user,
        object_type="capabilities.unit",
        rows=Unit.objects.visible_to(request.user).only("pk"),
        list="capabilities",
    )
    return render(
        request,
        "capabilities/capability_list.html",
        {
            "table": table,
            "later": later,
            "may_import": policy.may(
                request.user,
                Act.MANAGE_CAPACITY,
                request.user.acting_organisation(),  # type: ignore[union-attr]
            ),
        },
    )


def _post_filters(request: HttpRequest) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    values = {
        "organisation": request.GET.get("organisation", "").strip().upper()[:20],
        "capability": request.GET.get("capability", "").strip()[:40],
        "status": request.GET.get("status", ""),
        "term": request.GET.get("term", ""),
        "ends_before": date_field(request.GET.get("ends_before", ""), "ends_before", errors),
    }
    if values["status"] and values["status"] not in PostStatus.values:
        errors["status"] = _("Choose a status from the list.")
        values["status"] = ""
    if values["term"] not in ("", "fixed", "permanent"):
        errors["term"] = _("Choose fixed-term or permanent.")
        values["term"] = ""
    return values, errors


@login_required
def post_list(request: HttpRequest) -> HttpResponseBase:
    """Posts you may see, filtered, with their funding; CSV/XLSX download."""
    values, errors = _post_filters(request)
    posts: QuerySet[Post] = (
        Post.objects.visible_to(request.user)
        .select_related("unit__organisation", "unit__capability")
        .prefetch_related(
            Prefetch("funding", queryset=PostFunding.objects.select_related("stream"))
        )
        .order_by("unit__organisation__code", "unit__name", "reference")
    )
    if values["organisation"]:
        posts = posts.filter(unit__organisation__code=values["organisation"])
    if values["capability"]:
        posts = posts.filter(unit__capability__code=values["capability"])
    if values["status"]:
        posts = posts.filter(status=values["status"])
    if values["term"] == "fixed":
        posts = posts.filter(ends__isnull=False)
    elif values["term"] == "permanent":
        posts = posts.filter(ends__isnull=True)
    if values["ends_before"]:
        posts = posts.filter(ends__lt=values["ends_before"])
    filters = {k: str(v) for k, v in values.items() if v}
    fmt = _export_format(request)
    if fmt:
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="capabilities.post",
            detail={"format": fmt, "filters": filters, "count": posts.count()},
        )

        def row(p: Post) -> list[Any]:
            return [
                p.unit.organisation.code,
                p.unit.name,
                p.unit.capability.code,
                p.reference,
                p.role,
                p.fte,
                p.hours,
                p.vetting,
                p.get_status_display(),
                p.starts,
                p.ends or "",
                p.training_pct,
                p.leave_pct,
                "; ".join(f"{f.stream.code} {f.share * 100:.0f}%" for f in p.funding.all()),
            ]

        return export_response(
            name="posts",
            fmt=fmt,
            headers=[
                _("Organisation"),
                _("Unit"),
                _("Capability"),
                _("Post"),
                _("Role"),
                _("FTE"),
                _("Hours"),
                _("Vetting"),
                _("Status"),
                _("Starts"),
                _("Ends"),
                _("Training"),
                _("Leave"),
                _("Funding"),
            ],
            rows=(row(p) for p in posts.iterator(chunk_size=500)),
        )
    page = paginate(request, posts)
    audit.record_list(
        request.user,
        object_type="capabilities.post",
        rows=page.object_list,
        filters=filters,
        count=page.paginator.count,
        page=page.number,
    )
    organisations = (
        Unit.objects.visible_to(request.user)
        .values_list("organisation__code", flat=True)
        .distinct()
        .order_by("organisation__code")
    )
    return render(
        request,
        "capabilities/post_list.html",
        {
            "page_obj": page,
            "values": values,
            "errors": errors,
            "statuses": PostStatus.choices,
            "capabilities": Capability.objects.current().order_by("name"),
            "organisations": list(organisations),
            "query": query_without(request.GET, "page", "export"),
        },
    )


@login_required
def stream_list(request: HttpRequest) -> HttpResponseBase:
    """Funding streams you may see: kind, dates, this year's amount, posts paid."""
    today = timezone.localdate()
    year = today.year if today.month >= 4 else today.year - 1
    streams = (
        FundingStream.objects.visible_to(request.user)
        .select_related("organisation")
        .annotate(posts_paid=Count("posts", distinct=True))
        .prefetch_related(Prefetch("years", queryset=FundingYear.objects.filter(year=year)))
        .order_by("ends", "organisation__code", "name")
    )
    fmt = _export_format(request)
    rows = [(s, next(iter(s.years.all()), None)) for s in streams]
    if fmt:
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="capabilities.fundingstream",
            detail={"format": fmt, "count": len(rows)},
        )
        return export_response(
            name="funding",
            fmt=fmt,
            headers=[
                _("Organisation"),
                _("Code"),
                _("Name"),
                _("Kind"),
                _("Starts"),
                _("Ends"),
                _("This year (£)"),
                _("Posts paid"),
            ],
            rows=(
                (
                    s.organisation.code,
                    s.code,
                    s.name,
                    s.get_kind_display(),
                    s.starts,
                    s.ends or "",
                    y.amount if y else "",
                    s.posts_paid,
                )
                for s, y in rows
            ),
        )
    audit.record_list(
        request.user, object_type="capabilities.fundingstream", rows=[s for s, _y in rows]
    )
    return render(
        request,
        "capabilities/stream_list.html",
        {"rows": rows, "year": year, "year_label": f"{year}/{str(year + 1)[-2:]}", "today": today},
    )


@login_required
def stream_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A stream: amounts by year, contributions, ring-fencing, the posts it pays, and what its
    end (the recorded one, or a date you try) takes away, as a page or a PDF; its keepers mark
    it as ending."""
    stream = visible_one(request.user, FundingStream.objects.select_related("organisation"), pk=pk)
    may_manage = policy.may(request.user, Act.MANAGE_CAPACITY, stream.organisation)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not may_manage:
            raise Http404
        ends = date_field(request.POST.get("ends", ""), "ends", errors)
        try:
            if ends is None:
                raise ValidationError(errors or {"ends": _("Enter the last day it pays for.")})
            services.mark_ending(
                actor=request.user, stream=stream, ends=ends, reason=request.POST.get("reason", "")
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("capabilities:stream", pk=stream.pk)
        messages.success(request, _("The stream is marked as ending."))
        url = reverse("capabilities:stream", args=[stream.pk])
        return redirect(f"{url}?threats=1#unserved")
    tried = date_field(request.GET.get("ends", ""), "ends", errors)
    if tried is not None and tried < stream.starts:
        errors["ends"] = _("Funding ends on or after the day it starts.")
        tried = None
    end = capacity.stream_end(stream, tried) if (tried or stream.ends) else None
    shares = services.contribution_shares(stream)
    contributions = [
        (c, shares.get(c.force_id, Decimal("0")))
        for c in ForceContribution.objects.filter(stream=stream).select_related("force")
    ]
    audit.record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="capabilities.fundingstream",
        object_id=str(stream.pk),
        object_repr=stream.name,
        owner_code=stream.organisation.code,
        detail={"ends_tried": tried.isoformat() if tried else None},
    )
    pdf = is_document(request)
    unserved: dict[str, Any] | None = None
    if end is not None and (request.GET.get("threats") or pdf):
        found = planning.grant_end(stream, tried)
        threats = {d.threat: d for d in found.comparison.threats if d.unmet_after > d.unmet_before}
        seen = planning.visible_references(request.user, set(threats))
        unserved = {
            "threats": [threats[t] for t in sorted(seen, key=lambda t: (-threats[t].weight, t))],
            "others": len(set(threats) - seen),
            "lost": found.lost,
            "coverage_change": found.comparison.coverage_change,
        }
    context = {
        "stream": stream,
        "may_manage": may_manage,
        "today": timezone.localdate(),
        "years": stream.years.order_by("year"),
        "contributions": contributions,
        "ring_fenced": stream.ring_fenced.order_by("name"),
        "end": end,
        "unserved": unserved,
        "tried": tried,
        "errors": errors,
        "capabilities": {c.code: c for c in Capability.objects.current()},
        "posts": PostFunding.objects.filter(stream=stream)
        .select_related("post__unit__capability")
        .order_by("post__unit__name", "post__reference"),
    }
    if not pdf:
        return render(request, "capabilities/stream_detail.html", context)
    if end is None:
        raise Http404
    audit.record(
        AuditAction.DOWNLOAD,
        actor=request.user,
        object_type="capabilities.fundingstream",
        object_id=str(stream.pk),
        object_repr=stream.name,
        owner_code=stream.organisation.code,
        detail={"format": "pdf", "ends": end.from_day.isoformat()},
    )
    return document_response(
        request,
        "capabilities/stream_end_print.html",
        context,
        f"funding-end-{stream.code}-{end.from_day.isoformat()}.pdf",
    )


@login_required
def import_posts(request: HttpRequest) -> HttpResponseBase:
    """Check, then import, your organisation's establishment spreadsheet."""
    organisation = request.user.acting_organisation()  # type: ignore[union-attr]
    if organisation is None or not policy.may(request.user, Act.MANAGE_CAPACITY, organisation):
        raise Http404
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV or Excel file."))
            return redirect("capabilities:import")
        check_only = request.POST.get("step") != "import"
        result = importing.import_posts(
            actor=request.user,
            organisation=organisation,
            filename=upload.name or "",
            content=upload.read(importing.MAX_BYTES + 1),
            dry_run=check_only,
        )
        if result.ok and not check_only:
            messages.success(
                request,
                _("Imported: %(created)s new posts, %(updated)s updated.")
                % {"created": result.created, "updated": result.updated},
            )
            return redirect("capabilities:posts")
    return render(
        request,
        "capabilities/import.html",
        {"organisation": organisation, "result": result, "columns": importing.COLUMNS},
    )


def sees_capacity(user: Any) -> bool:
    """Whether to offer the capability pages: anyone whose capacity scope is not empty."""
    from concord.capabilities.models import capacity_scope

    return capacity_scope(policy.viewer_for(user)) is not None
