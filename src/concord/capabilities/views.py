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
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
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
from concord.web.exports import FORMATS, export_response
from concord.web.lists import paginate, query_without


def _date(value: str, field: str, errors: dict[str, str]) -> dt.date | None:
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
        "ends_before": _date(request.GET.get("ends_before", ""), "ends_before", errors),
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
def stream_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A stream: amounts by year, contributions, ring-fencing, the posts it pays, and what its
    end (the recorded one, or a date you try) takes away."""
    stream = visible_one(request.user, FundingStream.objects.select_related("organisation"), pk=pk)
    errors: dict[str, str] = {}
    tried = _date(request.GET.get("ends", ""), "ends", errors)
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
    unserved: dict[str, Any] | None = None
    if end is not None and request.GET.get("threats"):
        found = planning.grant_end(stream, tried)
        threats = {d.threat: d for d in found.comparison.threats if d.unmet_after > d.unmet_before}
        seen = planning.visible_references(request.user, set(threats))
        unserved = {
            "threats": [threats[t] for t in sorted(seen, key=lambda t: (-threats[t].weight, t))],
            "others": len(set(threats) - seen),
            "lost": found.lost,
            "coverage_change": found.comparison.coverage_change,
        }
    return render(
        request,
        "capabilities/stream_detail.html",
        {
            "stream": stream,
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
        },
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


@login_required
def allocation_view(request: HttpRequest) -> HttpResponseBase:
    """The live national allocation as you may see it: your threats' needs served and unmet
    and why, capacity flexed across regions, and gaps by capability and region; a chair runs
    it again, and anyone who sees capacity tries a loan against it."""
    from concord.capabilities.models import AllocationRun

    may_run = services.may_run_allocation(request.user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not may_run:
            raise Http404
        weeks_text = request.POST.get("weeks", "6")
        starts = _date(request.POST.get("starts", ""), "starts", errors) or timezone.localdate()
        try:
            weeks = int(weeks_text)
        except ValueError:
            weeks = 0
        try:
            if errors:
                raise ValidationError(errors)
            services.run_allocation(actor=request.user, starts=starts, weeks=weeks)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The allocation has been run."))
        return redirect("capabilities:allocation")
    run = AllocationRun.objects.first()
    view = planning.shown(request.user, run.result) if run is not None else None
    scenario, scenario_errors = _scenario(request, run)
    if run is not None:
        audit.record(
            AuditAction.VIEW,
            actor=request.user,
            object_type="capabilities.allocationrun",
            object_id=str(run.pk),
            object_repr=str(run),
            detail={"threats_shown": len({a["threat"] for a in view.assignments}) if view else 0},
        )
    return render(
        request,
        "capabilities/allocation.html",
        {
            "run": run,
            "view": view,
            "may_run": may_run,
            "scenario": scenario,
            "scenario_errors": scenario_errors,
            "regions": _regions(),
            "values": request.GET,
            "today": timezone.localdate(),
            "capabilities": {c.code: c for c in Capability.objects.current()},
        },
    )


@login_required
def business_plan(request: HttpRequest, code: str = "") -> HttpResponse:
    """A ROCU's or force's business plan (your own organisation's unless another is named),
    as a page or a PDF."""
    from concord.capabilities import business_plan as plans
    from concord.capabilities.models import sees_capacity_of
    from concord.organisations.models import Organisation

    acting = request.user.acting_organisation()  # type: ignore[union-attr]
    code = code or request.GET.get("code", "")
    viewer = policy.viewer_for(request.user)
    plannable = [
        o
        for o in Organisation.objects.filter(kind__in=["rocu", "force"], is_active=True).order_by(
            "name"
        )
        if sees_capacity_of(viewer, o)
    ]
    if not code and (acting is None or acting.kind not in ("rocu", "force")):
        # A national agency has no plan of its own here: choose a ROCU's or force's.
        if not plannable:
            raise Http404
        return render(request, "capabilities/business_plan_choose.html", {"choices": plannable})
    organisation = Organisation.objects.filter(code=code.upper()[:20]).first() if code else acting
    if (
        organisation is None
        or organisation.kind not in ("rocu", "force")
        or not sees_capacity_of(viewer, organisation)
    ):
        raise Http404
    today = timezone.localdate()
    plan = plans.build(request.user, organisation, today=today)
    pdf = request.GET.get("format") == "pdf"
    audit.record(
        AuditAction.DOWNLOAD if pdf else AuditAction.VIEW,
        actor=request.user,
        object_type="capabilities.businessplan",
        object_id=organisation.code,
        object_repr=str(_("Business plan of %(name)s") % {"name": organisation.name}),
        owner_code=organisation.code,
        detail={"format": "pdf" if pdf else "html", "prioritised": plan.prioritised_now},
    )
    context = {
        "plan": plan,
        "chart": plans.funding_chart(plan),
        "today": today,
        "reader": request.user,
        "others": plannable,
    }
    if not pdf:
        return render(request, "capabilities/business_plan.html", context)
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string("capabilities/business_plan_print.html", context, request)
    response = HttpResponse(
        HTML(string=html, url_fetcher=_no_fetching).write_pdf(), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="business-plan-{organisation.code}-{today.isoformat()}.pdf"'
    )
    return response


def _no_fetching(url: str, **kwargs: Any) -> dict[str, Any]:
    """Closed networks: a PDF never loads anything from a URL."""
    raise ValueError(f"Not fetched: {url}")


def _regions() -> list[tuple[str, str]]:
    from concord.organisations.models import Region

    return [(r.code, r.display_name) for r in Region.objects.order_by("name")]


def _scenario(request: HttpRequest, run: Any) -> tuple[Any, dict[str, str]]:
    """A loan tried against the live data from `?scenario=loan&…` (never stored)."""
    from concord.capabilities import allocation

    errors: dict[str, str] = {}
    if request.GET.get("scenario") != "loan" or run is None:
        return None, errors
    if not services.may_run_allocation(request.user):
        raise Http404
    regions = {code for code, _name in _regions()}
    lender = request.GET.get("from", "")
    borrower = request.GET.get("to", "")
    code = request.GET.get("capability", "")
    if lender not in regions:
        errors["from"] = _("Choose the region that lends.")
    if borrower not in regions or borrower == lender:
        errors["to"] = _("Choose another region to borrow.")
    if not Capability.objects.current().filter(code=code).exists():
        errors["capability"] = _("Choose a capability from the list.")
    try:
        amount = int(request.GET.get("amount", ""))
        if not 1 <= amount <= 1000:
            raise ValueError
    except ValueError:
        errors["amount"] = _("Lend a whole number from 1 to 1,000.")
        amount = 0
    if errors:
        return None, errors
    try:
        result = planning.try_scenario(
            request.user,
            starts=run.starts,
            weeks=run.weeks,
            change=lambda problem: allocation.with_loan(problem, lender, borrower, code, amount),
        )
    except allocation.AllocationError as error:
        errors[error.path if error.path in ("amount", "capability") else "from"] = error.message
        return None, errors
    audit.record(
        AuditAction.SEARCH,
        actor=request.user,
        object_type="capabilities.allocationrun",
        object_id=str(run.pk),
        detail={
            "scenario": "loan",
            "from": lender,
            "to": borrower,
            "capability": code,
            "amount": amount,
        },
    )
    return result, errors


def _sources(user: Any, item: Any) -> list[tuple[str, str]]:
    """What on this item a need can be named by, as (value, label): its open tasking requests
    and transfers, and its plan's open actions, each only if `user` may see it and name it."""
    from concord.ownership.choices import OPEN_STATUSES, TASKING_AWAITING
    from concord.ownership.models import TaskingRequest, TransferRequest
    from concord.plans.models import Action

    field = "ocg" if item.kind_code == "ocg" else "priority_individual"
    found: list[tuple[str, str]] = []
    for transfer in (
        TransferRequest.objects.visible_to(user)
        .filter(**{field: item}, status__in=OPEN_STATUSES)
        .select_related("to_organisation")
    ):
        if services.may_name_need(user, item, transfer):
            found.append((f"transfer:{transfer.pk}", str(transfer)))
    for tasking in TaskingRequest.objects.visible_to(user).filter(
        **{field: item}, status__in=[*TASKING_AWAITING, "accepted"]
    ):
        if services.may_name_need(user, item, tasking):
            found.append((f"tasking:{tasking.pk}", f"{tasking.reference}: {tasking.capability}"))
    for action in Action.objects.visible_to(user).filter(
        **{f"objective__plan__{field}": item}, status__in=["open", "in_progress"]
    )[:50]:
        if services.may_name_need(user, item, action):
            found.append((f"action:{action.pk}", str(action.description)[:80]))
    return found


def needs_panel(request: HttpRequest, item: Any) -> Any:
    """The capability needs of an OCG or PI, and naming one, on its page."""
    from django.template.loader import render_to_string

    from concord.capabilities.models import Demand

    field = "ocg" if item.kind_code == "ocg" else "priority_individual"
    needs = (
        Demand.objects.visible_to(request.user)
        .filter(**{field: item})
        .select_related("capability", "requested_by")
        .order_by("starts", "pk")
    )
    return render_to_string(
        "capabilities/needs_panel.html",
        {
            "item": item,
            "needs": needs,
            "sources": _sources(request.user, item),
            "capabilities": Capability.objects.current().order_by("name"),
            "today": timezone.localdate(),
        },
        request=request,
    )


@login_required
def record_need(request: HttpRequest, kind: str, reference: str) -> HttpResponseBase:
    """Name a capability and the effort an item's action or request needs (POST)."""
    from concord.threats.models import REGISTER_ITEMS

    model = REGISTER_ITEMS.get(kind)
    if request.method != "POST" or model is None or kind not in ("ocg", "pi"):
        raise Http404
    item = visible_one(request.user, model.objects.all(), reference=reference.upper()[:24])
    errors: dict[str, str] = {}
    source, _sep, raw_id = request.POST.get("source", "").partition(":")
    chosen = dict(_sources(request.user, item))
    if f"{source}:{raw_id}" not in chosen:
        errors["source"] = _("Choose the action or request that needs it.")
    capability = (
        Capability.objects.current().filter(code=request.POST.get("capability", "")).first()
    )
    if capability is None:
        errors["capability"] = _("Choose a capability from the list.")
    starts = _date(request.POST.get("starts", ""), "starts", errors)
    try:
        weeks = int(request.POST.get("weeks", ""))
        if not 1 <= weeks <= 104:
            raise ValueError
    except ValueError:
        errors["weeks"] = _("Enter a whole number of weeks from 1 to 104.")
        weeks = 0
    if starts is None and "starts" not in errors:
        errors["starts"] = _("Enter the date it is needed from.")
    if not errors:
        from concord.ownership.models import TaskingRequest, TransferRequest
        from concord.plans.models import Action

        models_by_source: dict[str, Any] = {
            "transfer": TransferRequest,
            "tasking": TaskingRequest,
            "action": Action,
        }
        origin = models_by_source[source].objects.get(pk=int(raw_id))
        assert starts is not None
        assert capability is not None
        try:
            services.record_demand(
                actor=request.user,
                item=item,
                capability=capability,
                amount=request.POST.get("amount", ""),
                starts=starts,
                ends=starts + dt.timedelta(weeks=weeks) - dt.timedelta(days=1),
                source=source,
                **{source: origin},
                notes=request.POST.get("notes", ""),
            )
        except ValidationError as error:
            errors.update(
                {k: " ".join(v) for k, v in error.message_dict.items()}
                if hasattr(error, "error_dict")
                else {"__all__": " ".join(error.messages)}
            )
    if errors:
        for field, message in errors.items():
            messages.error(request, f"{_(field.replace('_', ' ')).capitalize()}: {message}")
    else:
        messages.success(
            request, _("The need for %(capability)s is recorded.") % {"capability": capability}
        )
    return redirect(item.get_absolute_url())
