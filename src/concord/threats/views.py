"""Register pages: the OCG list, one OCG, mapping, sharing, and search."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, QuerySet, When
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core import services as core_services
from concord.core.access import open_record
from concord.core.models import AuditAction, Share
from concord.organisations.models import User
from concord.threats import search as register_search
from concord.threats import services
from concord.threats.choices import MemberRole
from concord.threats.filters import OcgFilter
from concord.threats.forms import ArchiveForm, MemberFormSet, OcgForm, ShareForm
from concord.threats.models import (
    REGISTER_ITEMS,
    CriminalityType,
    EntityLink,
    Nominal,
    Ocg,
    OcgMember,
    PriorityIndividual,
    Vulnerability,
)
from concord.web import panels
from concord.web.exports import FORMATS, export_response
from concord.web.lists import paginate, parse_filters


def visible_ocgs(user: Any) -> QuerySet[Ocg]:
    return (
        Ocg.objects.visible_to(user)
        .select_related("owner", "owner__region")
        .prefetch_related("criminality_types")
    )


def register_list(
    request: HttpRequest,
    *,
    filters: Any,
    errors: dict[str, str],
    items: Any,  # a QuerySet, or a VisibleList (core/visible_list.py)
    object_type: str,
    template: str,
    export: tuple[list[str], Callable[[Any], Sequence[object]]],
    context: dict[str, Any] | None = None,
) -> HttpResponseBase:
    """A register list: filtered, paginated, downloadable as CSV or XLSX; the view and every
    download are audited with the filters used and what was shown."""
    used = {k: str(v) for k, v in filters.model_dump().items() if v is not None}
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type=object_type,
            detail={"filters": used, "format": fmt, "count": items.count()},
        )
        headers, row = export
        return export_response(
            name=object_type.rsplit(".", 1)[-1] + "s",
            fmt=fmt,
            headers=headers,
            rows=(row(item) for item in items.iterator(chunk_size=500)),
        )
    page = paginate(request, items)
    audit.record(
        AuditAction.SEARCH,
        actor=request.user,
        object_type=object_type,
        detail={"filters": used, "query": used.get("q", ""), "shown": [o.reference for o in page]},
    )
    return render(
        request,
        template,
        {"page_obj": page, "filters": filters, "filter_errors": errors, **(context or {})},
    )


@login_required
def ocg_list(request: HttpRequest) -> HttpResponseBase:
    """OCGs the person may see."""
    filters, errors = parse_filters(OcgFilter, request.GET)
    return register_list(
        request,
        filters=filters,
        errors=errors,
        items=filters.filter(visible_ocgs(request.user)).distinct(),
        object_type="threats.ocg",
        template="threats/ocg_list.html",
        export=(
            [
                _("Reference"),
                _("Name"),
                _("Status"),
                _("Owner"),
                _("Criminality"),
                _("Band"),
                _("Marking"),
                _("Mapped on"),
            ],
            lambda o: (
                o.reference,
                o.name,
                o.get_status_display(),
                o.owner.code,
                "; ".join(c.name for c in o.criminality_types.all()),
                o.band,
                o.marking,
                o.mapped_on.isoformat(),
            ),
        ),
        context={"criminality_types": CriminalityType.objects.all()},
    )


@login_required
def ocg_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One OCG: 404 unless visible; a reason first when seen through a share or wider role."""
    ocg = open_record(
        request, Ocg.objects.select_related("owner", "owner__region"), reference=reference.upper()
    )
    members = (
        OcgMember.objects.visible_to(request.user)
        .filter(ocg=ocg)
        .select_related("nominal")
        .order_by(
            Case(*(When(role=role, then=rank) for role, rank in MEMBER_ROLE_ORDER.items())),
            "nominal__surname",
            "nominal__forenames",
        )
    )
    can_change = policy.can(request.user, policy.CHANGE, ocg)
    shares = Share.objects.none()
    if can_change:
        shares = Share.objects.filter(
            content_type__app_label="threats",
            content_type__model="ocg",
            object_id=ocg.pk,
        ).select_related("to_organisation", "to_person")
    return render(
        request,
        "threats/ocg_detail.html",
        {
            "ocg": ocg,
            "members": members,
            "can_change": can_change,
            "shares": shares,
            "criminality": ocg.criminality_types.all(),
            "force_areas": ocg.force_areas.all(),
            "priority_individuals": PriorityIndividual.objects.visible_to(request.user).filter(
                ocgs=ocg
            ),
            "vulnerabilities": Vulnerability.objects.visible_to(request.user).filter(ocgs=ocg),
            "panels": panels.render(request, "ocg", ocg),
        },
    )


@login_required
def ocg_create(request: HttpRequest) -> HttpResponse:
    """Map a new OCG with its members."""
    if not policy.may(request.user, policy.Act.MAP, None):
        raise Http404
    form = OcgForm(request.POST or None)
    members = MemberFormSet(request.POST or None, prefix="members")
    if request.method == "POST" and form.is_valid() and members.is_valid():
        data = form.cleaned_data
        details = services.OcgDetails(
            name=data["name"],
            summary=data["summary"],
            criminality=[c.code for c in data["criminality"]],
            force_areas=[f.code for f in data["force_areas"]],
            classification=data["classification"],
            sensitive=data["sensitive"],
            handling_instructions=data["handling_instructions"],
            members=[
                services.MemberDetails(
                    nominal=services.NominalDetails(
                        forenames=m["forenames"],
                        surname=m["surname"],
                        date_of_birth=m.get("date_of_birth"),
                    ),
                    role=m["role"],
                    identifiers=[
                        (kind, m[field])
                        for kind, field in (("phone", "phone"), ("vehicle", "vrm"))
                        if m.get(field)
                    ],
                )
                for m in members.cleaned_data
                if m.get("surname")
            ],
        )
        try:
            ocg = services.map_ocg(actor=request.user, details=details)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("%(ref)s was mapped.") % {"ref": ocg.reference})
            return redirect("threats:ocg_detail", reference=ocg.reference)
    return render(request, "threats/ocg_form.html", {"form": form, "members": members})


@login_required
def share(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    """The owner shares an OCG, priority individual or vulnerability with an organisation or
    a person, for a purpose."""
    if kind not in REGISTER_ITEMS:
        raise Http404
    item = open_record(
        request,
        REGISTER_ITEMS[kind].objects.all(),
        action=policy.SHARE,
        audit_action=AuditAction.VIEW,
        reference=reference.upper(),
    )
    form = ShareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = None
        if data["person"]:
            person = User.objects.filter(username=data["person"].strip()).first()
            if person is None:
                form.add_error("person", _("No person has that username."))
        if not form.errors:
            try:
                core_services.share_record(
                    actor=request.user,
                    obj=item,
                    purpose=data["purpose"],
                    to_organisation=data["organisation"],
                    to_person=person,
                    until=data["until"],
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("%(ref)s was shared.") % {"ref": item.reference})
                return redirect(item.get_absolute_url())
    return render(request, "threats/share.html", {"item": item, "form": form})


@login_required
def archive(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    """Archive an OCG, priority individual or vulnerability, saying why."""
    if kind not in REGISTER_ITEMS:
        raise Http404
    item = open_record(
        request,
        REGISTER_ITEMS[kind].objects.all(),
        action=policy.CHANGE,
        audit_action=AuditAction.VIEW,
        reference=reference.upper(),
    )
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.archive(actor=request.user, item=item, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("%(ref)s was archived.") % {"ref": item.reference})
            return redirect(item.get_absolute_url())
    return render(request, "threats/archive.html", {"item": item, "form": form})


def form_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has one."""
    for field_name, errs in getattr(exc, "message_dict", {None: exc.messages}).items():
        form.add_error(field_name if field_name in form.fields else None, errs)


SEARCH_OVERVIEW = 10  # results of each kind on the overview; a kind's own pages show 50


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """One search across every kind the person may see (OCGs, priority individuals,
    vulnerabilities, people, identifiers, intelligence, tasking), grouped by kind with counts;
    `kind` shows one kind, paged. Every search is audited with its counts."""
    terms = register_search.Terms.of(request.GET.get("q", ""))
    only = request.GET.get("kind", "")
    chosen = register_search.kind(only)
    page = None
    if chosen is not None:
        matches = chosen.find(request.user, terms)
        if not terms.text:
            matches = matches.none()
        page = paginate(request, matches)
        groups = [
            register_search.Group(chosen, page.paginator.count, [chosen.hit(o) for o in page])
        ]
    else:
        groups = register_search.run(request.user, terms, limit=SEARCH_OVERVIEW)
    if terms.text:
        extra: dict[str, Any] = (
            {"kind": chosen.code, "page": page.number} if chosen and page else {}
        )
        audit.record(
            AuditAction.SEARCH,
            actor=request.user,
            object_type="threats",
            detail=register_search.audit_detail(terms, groups, **extra),
        )
    return render(
        request,
        "threats/search.html",
        {
            "query": terms.text,
            "groups": groups,
            "chosen": chosen,
            "page_obj": page,
            "total": sum(g.count for g in groups),
            "overview_size": SEARCH_OVERVIEW,
        },
    )


@login_required
def nominal_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """A person on the register: their OCGs (with role), priority individual records,
    identifiers, and what upper apps add (the intelligence about them), each only as far as
    the reader may see it; 404 unless the person's record itself is visible."""
    nominal = open_record(
        request, Nominal.objects.select_related("owner"), reference=reference.upper()
    )
    user = request.user
    memberships = (
        OcgMember.objects.visible_to(user)
        .filter(nominal=nominal)
        .select_related("ocg", "ocg__owner")
    )
    return render(
        request,
        "threats/nominal_detail.html",
        {
            "nominal": nominal,
            "memberships": sorted(
                memberships, key=lambda m: (MEMBER_ROLE_ORDER.get(m.role, 99), m.ocg.reference)
            ),
            "priority_records": PriorityIndividual.objects.visible_to(user)
            .filter(nominal=nominal)
            .select_related("owner")
            .order_by("reference"),
            "links": EntityLink.objects.visible_to(user)
            .filter(nominal=nominal)
            .select_related("entity")
            .order_by("entity__kind", "entity__canonical"),
            "panels": panels.render(request, "nominal", nominal),
        },
    )


# Members by the weight of their role in the group (the choices' order), not alphabetically.
MEMBER_ROLE_ORDER = {value: index for index, value in enumerate(MemberRole.values)}


__all__ = [
    "archive",
    "form_errors",
    "nominal_detail",
    "ocg_create",
    "ocg_detail",
    "ocg_list",
    "register_list",
    "search",
    "share",
]
