"""Register pages: the OCG list, one OCG, mapping, sharing, and search."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core import services as core_services
from concord.core.access import open_record
from concord.core.models import AuditAction, Share
from concord.core.text import normalise_name
from concord.organisations.models import User
from concord.threats import services
from concord.threats.choices import EntityKind
from concord.threats.filters import OcgFilter
from concord.threats.forms import ArchiveForm, MemberFormSet, OcgForm, ShareForm
from concord.threats.models import (
    REGISTER_ITEMS,
    CriminalityType,
    Entity,
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
    items: QuerySet[Any],
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
    members = OcgMember.objects.visible_to(request.user).filter(ocg=ocg).select_related("nominal")
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


def identifier_forms(query: str) -> set[str]:
    """Every canonical form the query could be (a postcode, a phone, a VRM…)."""
    forms = set()
    for kind in EntityKind.values:
        try:
            forms.add(services.canonical_form(kind, query))
        except ValidationError:
            continue
    return forms


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Search OCGs, people and identifiers the person may see; every search is audited."""
    query = request.GET.get("q", "").strip()[:100]
    ocgs: list[Ocg] = []
    nominals: list[Nominal] = []
    entities: list[Entity] = []
    if query:
        key = normalise_name(query)
        ocgs = list(
            visible_ocgs(request.user).filter(OcgFilter(q=query).get_filter_expression())[:50]
        )
        nominals = (
            list(Nominal.objects.visible_to(request.user).filter(name_key__contains=key)[:50])
            if key
            else []
        )
        entities = list(
            Entity.objects.visible_to(request.user)
            .filter(canonical__in=identifier_forms(query))
            .prefetch_related(
                Prefetch(
                    "links",
                    queryset=EntityLink.objects.visible_to(request.user).select_related(
                        "nominal", "ocg"
                    ),
                )
            )[:50]
        )
        audit.record(
            AuditAction.SEARCH,
            actor=request.user,
            object_type="threats",
            detail={
                "query": query,
                "ocgs": len(ocgs),
                "nominals": len(nominals),
                "entities": len(entities),
            },
        )
    return render(
        request,
        "threats/search.html",
        {"query": query, "ocgs": ocgs, "nominals": nominals, "entities": entities},
    )


__all__ = [
    "archive",
    "form_errors",
    "ocg_create",
    "ocg_detail",
    "ocg_list",
    "register_list",
    "search",
    "share",
]
