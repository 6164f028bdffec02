"""Ownership pages: an item's owners and appointments, transfer requests and their handover."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.access import open_record, open_through
from concord.core.models import AuditAction
from concord.ownership import services, transfers
from concord.ownership.choices import OPEN_STATUSES, HandoverTopic, TransferStatus
from concord.ownership.forms import (
    AnswerForm,
    AppointForm,
    CompleteForm,
    DecisionForm,
    HandoverForm,
    TransferForm,
    WithdrawForm,
)
from concord.ownership.models import SUBJECT_FIELDS, HandoverItem, TransferRequest, subject_field
from concord.threats.models import REGISTER_ITEMS, RegisterItem
from concord.threats.views import form_errors
from concord.web.exports import FORMATS, export_response
from concord.web.lists import paginate


def _item(request: HttpRequest, kind: str, reference: str, **options: Any) -> RegisterItem:
    if kind not in SUBJECT_FIELDS:
        raise Http404
    item: RegisterItem = open_record(
        request,
        REGISTER_ITEMS[kind].objects.select_related("owner", "owner__region"),
        reference=reference.upper(),
        **options,
    )
    return item


def panel(request: HttpRequest, item: RegisterItem) -> SafeString:
    """The owner, the people in post, vacancies and any open request, on the item's page."""
    posts = services.current_appointments(item)
    open_transfer = (
        TransferRequest.objects.visible_to(request.user)
        .filter(**{subject_field(item): item}, status__in=OPEN_STATUSES)
        .select_related("to_organisation")
        .first()
    )
    return render_to_string(
        "ownership/panel.html",
        {
            "item": item,
            "posts": posts,
            "vacancies": services.vacancies(item, posts),
            "open_transfer": open_transfer,
        },
        request=request,
    )


@login_required
def ownership(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    """Who has owned the item and when, who is in post, and appointing to a post."""
    item = _item(request, kind, reference)
    can_change = policy.can(request.user, policy.CHANGE, item)
    if request.method == "POST" and not can_change:
        raise Http404
    # Who may be appointed is worked out only for those who may appoint.
    form = AppointForm(request.POST or None, item=item) if can_change else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.appoint(
                actor=request.user,
                item=item,
                role=form.cleaned_data["role"],
                person=form.cleaned_data["person"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The appointment was made."))
            return redirect("ownership:ownership", kind=kind, reference=item.reference)
    posts = services.current_appointments(item)
    return render(
        request,
        "ownership/ownership.html",
        {
            "item": item,
            "kind": kind,
            "history": services.history(item),
            "posts": posts,
            "appointments": item_appointments(request.user, item),
            "vacancies": services.vacancies(item, posts),
            "transfers": TransferRequest.objects.visible_to(request.user)
            .filter(**{subject_field(item): item})
            .select_related("from_organisation", "to_organisation", "requested_by"),
            "can_change": can_change,
            "form": form,
        },
    )


def item_appointments(user: Any, item: RegisterItem) -> Any:
    from concord.ownership.models import Appointment

    return (
        Appointment.objects.visible_to(user)
        .filter(**{subject_field(item): item})
        .select_related("person", "organisation")
    )


@login_required
def transfer_create(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    """Ask another organisation for SIO support, a full transfer, de-escalation or adoption."""
    item = _item(request, kind, reference, audit_action=AuditAction.VIEW)
    form = TransferForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = transfers.request_transfer(
                actor=request.user,
                item=item,
                kind=data["kind"],
                to_organisation=data["to_organisation"],
                reason=data["reason"],
                asked=data["asked"],
                urgency=data["urgency"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The request was sent."))
            return redirect("ownership:transfer_detail", pk=transfer.pk)
    return render(request, "ownership/transfer_form.html", {"item": item, "form": form})


def _mine(user: Any) -> Q:
    """Requests a person's organisation sent or received (the list's scope; what anyone may
    see of them at all is the declaration on TransferRequest)."""
    organisation = user.acting_organisation()
    return Q(from_organisation=organisation) | Q(to_organisation=organisation)


@login_required
def transfer_list(request: HttpRequest) -> HttpResponseBase:
    """Requests your organisation sent or must decide: open first, then the rest."""
    status = request.GET.get("status", "open")
    transfers = (
        TransferRequest.objects.visible_to(request.user)
        .filter(_mine(request.user))
        .select_related(
            "ocg", "priority_individual", "from_organisation", "to_organisation", "requested_by"
        )
    )
    if status == "open":
        transfers = transfers.filter(status__in=OPEN_STATUSES)
    elif status in TransferStatus.values:
        transfers = transfers.filter(status=status)
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="ownership.transferrequest",
            detail={"status": status, "format": fmt},
        )
        return export_response(
            name="transfers",
            fmt=fmt,
            headers=[
                _("Request"),
                _("Item"),
                _("Kind"),
                _("From"),
                _("To"),
                _("Urgency"),
                _("Status"),
                _("Requested"),
                _("Decided"),
                _("Decision reason"),
            ],
            rows=(
                (
                    t.pk,
                    t.subject.reference,
                    t.get_kind_display(),
                    t.from_organisation.code,
                    t.to_organisation.code,
                    t.get_urgency_display(),
                    t.get_status_display(),
                    t.requested_at.isoformat(),
                    t.decided_at.isoformat() if t.decided_at else "",
                    t.decision_reason,
                )
                for t in transfers.iterator(chunk_size=500)
            ),
        )
    page = paginate(request, transfers)
    audit.record(
        AuditAction.LIST,
        actor=request.user,
        object_type="ownership.transferrequest",
        detail={"status": status, "page": page.number, "count": page.paginator.count},
    )
    return render(
        request,
        "ownership/transfer_list.html",
        {"page_obj": page, "status": status, "statuses": TransferStatus.choices},
    )


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: its reason, decision, queries and handover, with the actions open to you."""
    transfer = open_through(
        request,
        TransferRequest.objects.select_related(
            "ocg",
            "priority_individual",
            "from_organisation",
            "to_organisation",
            "requested_by",
            "decided_by",
        ),
        pk=pk,
    )
    organisation = request.user.acting_organisation()  # type: ignore[union-attr]
    # The completion form lists who may be appointed: built only for the receiver, once the
    # request is accepted.
    completing = (
        organisation.pk == transfer.to_organisation_id
        and transfer.status == TransferStatus.ACCEPTED
    )
    builders: dict[str, Any] = {
        "decide": DecisionForm,
        "answer": AnswerForm,
        "handover": HandoverForm,
        "withdraw": WithdrawForm,
    }
    if completing:
        builders["complete"] = functools.partial(CompleteForm, transfer=transfer)
    forms: dict[str, Any] = {name: build(prefix=name) for name, build in builders.items()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in forms:
            forms[action] = builders[action](request.POST, prefix=action)
        try:
            done = _act(request, transfer, action, forms)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form_errors(forms.get(action, forms["decide"]), exc)
        else:
            if done:
                messages.success(request, done)
                return redirect("ownership:transfer_detail", pk=transfer.pk)
    handover = {
        h.topic: h
        for h in HandoverItem.objects.visible_to(request.user)
        .filter(transfer=transfer)
        .select_related("written_by", "confirmed_by")
    }
    deciding = transfers.deciding_organisation(transfer)
    return render(
        request,
        "ownership/transfer_detail.html",
        {
            "transfer": transfer,
            "item": transfer.subject,
            "messages_": transfer.messages.select_related("author"),
            "handover": [
                (value, label, handover.get(value)) for value, label in HandoverTopic.choices
            ],
            "forms": forms,
            "may_decide": policy.may(request.user, policy.Act.DECIDE_TRANSFER, transfer),
            "is_sender": organisation.pk == transfer.from_organisation_id,
            "is_receiver": organisation.pk == transfer.to_organisation_id,
            "is_requester_side": organisation.pk != deciding,
            "missing": transfers.handover_missing(transfer),
        },
    )


def _act(
    request: HttpRequest, transfer: TransferRequest, action: str, forms: dict[str, Any]
) -> str:
    """Carry out one action from the request page; the message to show, or "" if the form
    had errors."""
    actor = request.user
    form = forms.get(action)
    if action == "confirm":
        transfers.confirm_handover(
            actor=actor, transfer=transfer, topic=request.POST.get("topic", "")
        )
        return _("Confirmed.")
    if action == "complete" and form is None:
        # Not the receiver of an accepted request: the service says why (or 404).
        transfers.complete_transfer(actor=actor, transfer=transfer)
    if form is None or not form.is_valid():
        return ""
    data = form.cleaned_data
    if action == "decide":
        transfers.decide_transfer(
            actor=actor, transfer=transfer, decision=data["decision"], reason=data["reason"]
        )
        return _("The request is %(status)s.") % {"status": transfer.get_status_display().lower()}
    if action == "answer":
        transfers.answer_query(actor=actor, transfer=transfer, text=data["text"])
        return _("The answer was sent.")
    if action == "handover":
        transfers.write_handover(
            actor=actor, transfer=transfer, topic=data["topic"], text=data["text"]
        )
        return _("The handover note was saved.")
    if action == "complete":
        transfers.complete_transfer(
            actor=actor, transfer=transfer, sio=data["sio"], lro=data.get("lro")
        )
        return _("The transfer is complete.")
    if action == "withdraw":
        transfers.withdraw_transfer(actor=actor, transfer=transfer, reason=data["reason"])
        return _("The request was withdrawn.")
    return ""
