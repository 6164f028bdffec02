"""Capability pages about threats: the national allocation and its scenarios, the business
plan of a ROCU or force, and the capability needs on an OCG's or PI's page."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.capabilities import demand, planning
from concord.capabilities import tasks as capability_tasks
from concord.capabilities.models import Capability
from concord.capabilities.views import date_field
from concord.core import audit, policy, tasks
from concord.core.access import visible_one
from concord.core.models import AuditAction
from concord.web.documents import document_response, is_document


@login_required
def allocation_view(request: HttpRequest) -> HttpResponseBase:
    """The live national allocation as you may see it: your threats' needs served and unmet
    and why, capacity flexed across regions, and gaps by capability and region; a chair runs
    it again, and anyone who sees capacity tries a loan against it."""
    from concord.capabilities.models import AllocationRun

    may_run = demand.may_run_allocation(request.user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not may_run:
            raise Http404
        weeks_text = request.POST.get("weeks", "6")
        starts = (
            date_field(request.POST.get("starts", ""), "starts", errors) or timezone.localdate()
        )
        try:
            weeks = int(weeks_text)
        except ValueError:
            weeks = 0
        if not 1 <= weeks <= 52:
            errors["weeks"] = _("Plan for 1 to 52 weeks.")
        if errors:
            for message in errors.values():
                messages.error(request, message)
            return redirect("capabilities:allocation")
        # Solved by a worker (concord worker); the page shows its progress until it is done.
        task_id = tasks.start(
            capability_tasks.run_allocation,
            actor=request.user,
            actor_id=request.user.pk,
            starts=starts.isoformat(),
            weeks=weeks,
        )
        return redirect(f"{reverse('capabilities:allocation')}?task={quote(task_id)}")
    progress = tasks.progress_for(request.user, request.GET.get("task", ""))
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
            "organisations": _organisations(request.user),
            "values": request.GET,
            "today": timezone.localdate(),
            "progress": progress,
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
    pdf = is_document(request)
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
    return document_response(
        request,
        "capabilities/business_plan_print.html",
        context,
        f"business-plan-{organisation.code}-{today.isoformat()}.pdf",
    )


def whole(value: str, lowest: int, highest: int) -> int | None:
    """A whole number from a form within [lowest, highest], or None."""
    try:
        number = int(value)
    except ValueError:
        return None
    return number if lowest <= number <= highest else None


def _organisations(user: Any) -> list[tuple[str, str]]:
    """ROCUs and forces whose capacity the person sees, for the added-posts scenario."""
    from concord.capabilities.models import sees_capacity_of
    from concord.organisations.models import Organisation

    viewer = policy.viewer_for(user)
    return [
        (o.code, o.display_name)
        for o in Organisation.objects.filter(kind__in=["rocu", "force"], is_active=True)
        .select_related("region")
        .order_by("name")
        if sees_capacity_of(viewer, o)
    ]


def _regions() -> list[tuple[str, str]]:
    from concord.organisations.models import Region

    return [(r.code, r.display_name) for r in Region.objects.order_by("name")]


def _added_posts(request: HttpRequest, run: Any) -> tuple[Any, dict[str, str]]:
    """New posts tried against the live data from `?scenario=posts&…` (never stored): in an
    organisation whose capacity the person sees."""
    from concord.capabilities import allocation
    from concord.capabilities.models import sees_capacity_of
    from concord.organisations.models import Organisation

    errors: dict[str, str] = {}
    code = request.GET.get("org", "").upper()[:20]
    organisation = Organisation.objects.filter(
        code=code, kind__in=["rocu", "force", "national"]
    ).first()
    if organisation is None or not sees_capacity_of(policy.viewer_for(request.user), organisation):
        errors["org"] = _("Choose an organisation from the list.")
    capability = Capability.objects.current().filter(code=request.GET.get("capability", "")).first()
    if capability is None:
        errors["p-capability"] = _("Choose a capability from the list.")
    posts = whole(request.GET.get("posts", ""), 1, 50)
    if posts is None:
        errors["posts"] = _("Add a whole number of posts from 1 to 50.")
    if errors:
        return None, errors
    assert organisation is not None
    assert capability is not None
    assert posts is not None
    try:
        result = planning.try_scenario(
            request.user,
            starts=run.starts,
            weeks=run.weeks,
            change=lambda problem: planning.added_posts(problem, organisation, capability, posts),
        )
    except allocation.AllocationError as error:
        return None, {"posts": error.message}
    audit.record(
        AuditAction.SEARCH,
        actor=request.user,
        object_type="capabilities.allocationrun",
        object_id=str(run.pk),
        detail={
            "scenario": "posts",
            "organisation": organisation.code,
            "capability": capability.code,
            "posts": posts,
        },
    )
    return result, errors


def _scenario(request: HttpRequest, run: Any) -> tuple[Any, dict[str, str]]:
    """A loan or added posts tried against the live data from `?scenario=…` (never stored)."""
    from concord.capabilities import allocation

    errors: dict[str, str] = {}
    kind = request.GET.get("scenario")
    if kind not in ("loan", "posts") or run is None:
        return None, errors
    if not demand.may_run_allocation(request.user):
        raise Http404
    if kind == "posts":
        return _added_posts(request, run)
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
    amount = whole(request.GET.get("amount", ""), 1, 1000)
    if amount is None:
        errors["amount"] = _("Lend a whole number from 1 to 1,000.")
    if errors:
        return None, errors
    assert amount is not None
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
        if demand.may_name_need(user, item, transfer):
            found.append((f"transfer:{transfer.pk}", str(transfer)))
    for tasking in TaskingRequest.objects.visible_to(user).filter(
        **{field: item}, status__in=[*TASKING_AWAITING, "accepted"]
    ):
        if demand.may_name_need(user, item, tasking):
            found.append((f"tasking:{tasking.pk}", f"{tasking.reference}: {tasking.capability}"))
    for action in Action.objects.visible_to(user).filter(
        **{f"objective__plan__{field}": item}, status__in=["open", "in_progress"]
    )[:50]:
        if demand.may_name_need(user, item, action):
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
    starts = date_field(request.POST.get("starts", ""), "starts", errors)
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
            demand.record_demand(
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
