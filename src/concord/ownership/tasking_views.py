"""Tasking request pages: the list, one request with its actions, and a new request."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from concord.core import policy
from concord.core.access import open_record
from concord.ownership import tasking as services
from concord.ownership.choices import TaskingStatus
from concord.ownership.filters import TaskingFilter
from concord.ownership.forms import AnswerForm, DecisionForm, OutcomeForm, TaskingForm, WithdrawForm
from concord.ownership.models import TaskingRequest
from concord.threats.models import Ocg, PriorityIndividual
from concord.threats.views import form_errors, register_list
from concord.web.lists import parse_filters


@login_required
def tasking_list(request: HttpRequest) -> HttpResponseBase:
    """Tasking requests your organisation sent or received (through the one access policy)."""
    filters, errors = parse_filters(TaskingFilter, request.GET)
    items = filters.filter(
        TaskingRequest.objects.visible_to(request.user).select_related(
            "owner", "to_organisation", "requested_by"
        )
    ).order_by("-created_at", "-id")
    return register_list(
        request,
        filters=filters,
        errors=errors,
        items=items,
        object_type="ownership.taskingrequest",
        template="ownership/tasking_list.html",
        export=(
            [
                _("Reference"),
                _("From"),
                _("To"),
                _("Capability or action"),
                _("Urgency"),
                _("Respond by"),
                _("Status"),
                _("Escalated"),
                _("Decision reason"),
                _("Outcome"),
            ],
            lambda t: (
                t.reference,
                t.owner.code,
                t.to_organisation.code,
                t.capability,
                t.get_urgency_display(),
                t.respond_by.isoformat(),
                t.get_status_display(),
                t.escalated_at.isoformat() if t.escalated_at else "",
                t.decision_reason,
                t.outcome,
            ),
        ),
        context={"statuses": TaskingStatus.choices},
    )


def _about(request: HttpRequest, reference: str, form: Any) -> dict[str, Any]:
    reference = reference.strip().upper()
    if not reference:
        return {}
    for field, model in (("ocg", Ocg), ("priority_individual", PriorityIndividual)):
        found = model.objects.visible_to(request.user).filter(reference=reference).first()
        if found is not None:
            return {field: found}
    form.add_error("about", _("No OCG or priority individual you can see has that reference."))
    return {}


@login_required
def tasking_create(request: HttpRequest) -> HttpResponse:
    if not policy.may(request.user, policy.Act.REQUEST_TASKING, None):
        raise Http404
    form = TaskingForm(
        request.POST or None,
        initial={"about": request.GET.get("about", "")},
        sender=request.user.acting_organisation(),  # type: ignore[union-attr]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        about = _about(request, data["about"], form)
        if not form.errors:
            try:
                tasking = services.request_tasking(
                    actor=request.user,
                    to_organisation=data["to_organisation"],
                    capability=data["capability"],
                    asked=data["asked"],
                    reason=data["reason"],
                    respond_by=data["respond_by"],
                    urgency=data["urgency"],
                    **about,
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("%(ref)s was sent.") % {"ref": tasking.reference})
                return redirect("ownership:tasking_detail", reference=tasking.reference)
    return render(request, "ownership/tasking_form.html", {"form": form})


@login_required
def tasking_detail(request: HttpRequest, reference: str) -> HttpResponse:
    tasking = open_record(
        request,
        TaskingRequest.objects.select_related(
            "owner", "to_organisation", "requested_by", "decided_by", "ocg", "priority_individual"
        ),
        reference=reference.upper(),
    )
    forms: dict[str, Any] = {
        "decide": DecisionForm(prefix="decide"),
        "answer": AnswerForm(prefix="answer"),
        "outcome": OutcomeForm(prefix="outcome"),
        "withdraw": WithdrawForm(prefix="withdraw"),
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in forms:
            forms[action] = type(forms[action])(request.POST, prefix=action)
            try:
                done = _act(request.user, tasking, action, forms[action])
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                form_errors(forms[action], exc)
            else:
                if done:
                    messages.success(request, done)
                    return redirect("ownership:tasking_detail", reference=tasking.reference)
    organisation = request.user.acting_organisation()  # type: ignore[union-attr]
    receiver = organisation.pk == tasking.to_organisation_id
    return render(
        request,
        "ownership/tasking_detail.html",
        {
            "tasking": tasking,
            "forms": forms,
            "thread": tasking.messages.select_related("author"),
            "may_decide": policy.may(request.user, policy.Act.DECIDE_TASKING, tasking),
            "is_receiver": receiver,
            "is_sender": policy.can(request.user, policy.CHANGE, tasking),
        },
    )


def _act(actor: Any, tasking: TaskingRequest, action: str, form: Any) -> str:
    if not form.is_valid():
        return ""
    data = form.cleaned_data
    if action == "decide":
        services.decide_tasking(
            actor=actor, tasking=tasking, decision=data["decision"], reason=data["reason"]
        )
        return _("The request is %(status)s.") % {"status": tasking.get_status_display().lower()}
    if action == "answer":
        services.answer_tasking_query(actor=actor, tasking=tasking, text=data["text"])
        return _("The answer was sent.")
    if action == "outcome":
        services.record_tasking_outcome(actor=actor, tasking=tasking, outcome=data["outcome"])
        return _("The outcome was recorded.")
    services.withdraw_tasking(actor=actor, tasking=tasking, reason=data["reason"])
    return _("The request was withdrawn.")
