"""Register pages for priority individuals and vulnerabilities: list, one record, add."""

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
from concord.core.models import Share
from concord.organisations.models import Region
from concord.threats import services
from concord.threats.choices import VulnerabilityKind
from concord.threats.filters import PriorityIndividualFilter, VulnerabilityFilter
from concord.threats.forms import PriorityIndividualForm, VulnerabilityForm
from concord.threats.models import Nominal, Ocg, PriorityIndividual, RegisterItem, Vulnerability
from concord.threats.views import form_errors, register_list
from concord.web import panels
from concord.web.lists import parse_filters


@login_required
def pi_list(request: HttpRequest) -> HttpResponseBase:
    """Priority individuals the person may see."""
    filters, errors = parse_filters(PriorityIndividualFilter, request.GET)
    items = (
        filters.filter(PriorityIndividual.objects.visible_to(request.user))
        .select_related("owner")
        .distinct()
        .order_by("reference")
    )
    return register_list(
        request,
        filters=filters,
        errors=errors,
        items=items,
        object_type="threats.priorityindividual",
        template="threats/pi_list.html",
        export=(
            [
                _("Reference"),
                _("Name"),
                _("Status"),
                _("Owner"),
                _("Band"),
                _("Risk score"),
                _("Re-assessment due"),
                _("Marking"),
                _("Designated on"),
            ],
            lambda p: (
                p.reference,
                p.name,
                p.get_status_display(),
                p.owner.code,
                p.band,
                p.risk_score or "",
                p.review_due_on or "",
                p.marking,
                p.designated_on.isoformat(),
            ),
        ),
        context={"regions": Region.objects.all()},
    )


@login_required
def vulnerability_list(request: HttpRequest) -> HttpResponseBase:
    """Vulnerabilities the person may see."""
    filters, errors = parse_filters(VulnerabilityFilter, request.GET)
    items = (
        filters.filter(Vulnerability.objects.visible_to(request.user))
        .select_related("owner")
        .distinct()
        .order_by("reference")
    )
    return register_list(
        request,
        filters=filters,
        errors=errors,
        items=items,
        object_type="threats.vulnerability",
        template="threats/vulnerability_list.html",
        export=(
            [
                _("Reference"),
                _("At risk"),
                _("Title"),
                _("Status"),
                _("Owner"),
                _("Band"),
                _("Risk score"),
                _("Re-assessment due"),
                _("Marking"),
                _("Identified on"),
            ],
            lambda v: (
                v.reference,
                v.get_kind_display(),
                v.name,
                v.get_status_display(),
                v.owner.code,
                v.band,
                v.risk_score or "",
                v.review_due_on or "",
                v.marking,
                v.identified_on.isoformat(),
            ),
        ),
        context={"kinds": VulnerabilityKind.choices, "regions": Region.objects.all()},
    )


def _detail_context(request: HttpRequest, item: RegisterItem) -> dict[str, Any]:
    can_change = policy.can(request.user, policy.CHANGE, item)
    shares = Share.objects.none()
    if can_change:
        shares = Share.objects.filter(
            content_type__app_label="threats",
            content_type__model=type(item)._meta.model_name,
            object_id=item.pk,
        ).select_related("to_organisation", "to_person")
    return {
        "item": item,
        "can_change": can_change,
        "shares": shares,
        # Only the linked OCGs the reader may see.
        "ocgs": item.ocgs.filter(  # type: ignore[attr-defined]
            pk__in=Ocg.objects.visible_to(request.user).values("pk")
        ).select_related("owner"),
    }


@login_required
def pi_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One priority individual: 404 unless visible; a reason first when seen through a share
    or a wider role. The person's own record shows only if the reader may see it too."""
    pi = open_record(
        request,
        PriorityIndividual.objects.select_related("owner", "owner__region"),
        reference=reference.upper(),
    )
    nominal = Nominal.objects.visible_to(request.user).filter(pk=pi.nominal_id).first()
    return render(
        request,
        "threats/pi_detail.html",
        {
            **_detail_context(request, pi),
            "nominal": nominal,
            "panels": panels.render(request, "pi", pi),
        },
    )


@login_required
def vulnerability_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One vulnerability: 404 unless visible; a reason first when seen through a share."""
    vulnerability = open_record(
        request,
        Vulnerability.objects.select_related("owner", "owner__region"),
        reference=reference.upper(),
    )
    return render(
        request,
        "threats/vulnerability_detail.html",
        {**_detail_context(request, vulnerability), "force_areas": vulnerability.force_areas.all()},
    )


@login_required
def pi_create(request: HttpRequest) -> HttpResponse:
    """Designate a person on the register as a priority individual."""
    if not policy.may(request.user, policy.Act.MAP, None):
        raise Http404
    form = PriorityIndividualForm(
        request.POST or None, initial={"nominal": request.GET.get("nominal", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pi = services.designate_priority_individual(
                actor=request.user,
                nominal_reference=data["nominal"],
                ocgs=data["ocgs"],
                summary=data["summary"],
                classification=data["classification"],
                sensitive=data["sensitive"],
                handling_instructions=data["handling_instructions"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("%(ref)s is a priority individual.") % {"ref": pi.reference}
            )
            return redirect(pi.get_absolute_url())
    return render(
        request,
        "threats/item_form.html",
        {"form": form, "heading": _("Designate a priority individual"), "button": _("Designate")},
    )


@login_required
def vulnerability_create(request: HttpRequest) -> HttpResponse:
    """Record a vulnerability: a person, place, community, business or theme at risk."""
    if not policy.may(request.user, policy.Act.MAP, None):
        raise Http404
    form = VulnerabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vulnerability = services.record_vulnerability(
                actor=request.user,
                details=services.VulnerabilityDetails(
                    kind=data["kind"],
                    name=data["name"],
                    summary=data["summary"],
                    ocgs=data["ocgs"],
                    force_areas=[f.code for f in data["force_areas"]],
                    classification=data["classification"],
                    sensitive=data["sensitive"],
                    handling_instructions=data["handling_instructions"],
                ),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("%(ref)s was recorded.") % {"ref": vulnerability.reference})
            return redirect(vulnerability.get_absolute_url())
    return render(
        request,
        "threats/item_form.html",
        {
            "form": form,
            "heading": _("Record a vulnerability"),
            "button": _("Record the vulnerability"),
        },
    )
