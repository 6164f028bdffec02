"""Deconfliction pages: operations and what they register, each party's hits as pointers, the
watch desk's queue, and a map of deployments drawn without anything from the internet.

A party's hit page shows its own side (its operation and subject or deployment, seen through
the policy) and of the other party only the pointer the `Hit` holds: the organisation, whom to
call, the reference, the kind and the time. The watch desk's pages read `Hit` alone, which has
no path to either side's records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.core import audit, policy
from concord.core.access import open_record, open_through, visible_one
from concord.core.models import AuditAction
from concord.deconfliction import services
from concord.deconfliction.choices import HitStatus, Side
from concord.deconfliction.forms import DeploymentForm, OperationForm, ResolveForm, SubjectForm
from concord.deconfliction.models import Deployment, Hit, HitSide, Operation
from concord.web.exports import FORMATS, export_response
from concord.web.lists import paginate, query_without


def may_deconflict(user: Any) -> bool:
    return policy.may(user, policy.Act.DECONFLICT, None)


def keeps_watch(user: Any) -> bool:
    return policy.may(user, policy.Act.KEEP_WATCH, None)


def _naive(moment: Any) -> Any:
    """A time as the spreadsheet shows it: local, without a zone (XLSX has none)."""
    return timezone.localtime(moment).replace(tzinfo=None)


def _apply(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- operations ----------------------------------------------------------------------------


@login_required
def operation_list(request: HttpRequest) -> HttpResponseBase:
    """The operations you may see, newest first; CSV/XLSX."""
    if not may_deconflict(request.user):
        raise Http404
    rows = (
        Operation.objects.visible_to(request.user)
        .select_related("owner")
        .order_by("-starts", "-pk")
    )
    fmt = request.GET.get("export", "")
    if fmt in FORMATS:
        found = list(rows[:50000])
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="deconfliction.operation",
            detail={"format": fmt, "count": len(found)},
        )
        return export_response(
            name="deconfliction-operations",
            fmt=fmt,
            headers=[_("Operation"), _("Name"), _("Owner"), _("Kind"), _("From"), _("Until")],
            rows=(
                [o.reference, o.name, o.owner.code, o.get_kind_display(), o.starts, o.ends or ""]
                for o in found
            ),
        )
    page = paginate(request, rows)
    audit.record_list(
        request.user,
        object_type="deconfliction.operation",
        rows=page.object_list,
        count=page.paginator.count,
        page=page.number,
    )
    return render(
        request,
        "deconfliction/operation_list.html",
        {"page_obj": page, "query": query_without(request.GET, "page", "export")},
    )


@login_required
def operation_new(request: HttpRequest) -> HttpResponseBase:
    """Register an operation of your organisation."""
    if not may_deconflict(request.user):
        raise Http404
    form = OperationForm(request.POST or None, initial={"starts": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            operation = services.register_operation(
                actor=request.user,
                details=services.OperationDetails(
                    name=data["name"],
                    kind=data["kind"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                    starts=data["starts"],
                    ends=data["ends"],
                    classification=data["classification"],
                    sensitive=data["sensitive"],
                ),
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The operation is registered: add its subjects."))
            return redirect(operation.get_absolute_url())
    return render(request, "deconfliction/operation_new.html", {"form": form})


def _operation_page(
    request: HttpRequest,
    operation: Operation,
    subject_form: SubjectForm | None = None,
    deployment_form: DeploymentForm | None = None,
) -> HttpResponseBase:
    sides = (
        HitSide.objects.visible_to(request.user)
        .filter(operation=operation)
        .select_related(
            "hit__a_organisation", "hit__b_organisation", "hit__peer", "subject", "deployment"
        )
    )
    may_change = policy.may(request.user, policy.Act.DECONFLICT, operation)
    return render(
        request,
        "deconfliction/operation.html",
        {
            "operation": operation,
            "subjects": operation.subjects.all(),
            "deployments": operation.deployments.all(),
            "sides": sides,
            "may_change": may_change,
            "subject_form": subject_form or SubjectForm(prefix="subject"),
            "deployment_form": deployment_form
            or DeploymentForm(prefix="deployment", initial={"radius_m": 200}),
        },
    )


@login_required
def operation_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One operation: its subjects, deployments and hits (each a pointer to whom to call)."""
    operation = open_record(request, Operation.objects.select_related("owner"), pk=pk)
    return _operation_page(request, operation)


def _own_operation(request: HttpRequest, pk: int) -> Operation:
    operation = visible_one(request.user, Operation.objects.select_related("owner"), pk=pk)
    if not policy.may(request.user, policy.Act.DECONFLICT, operation):
        raise Http404
    return operation


def _told(request: HttpRequest, hits: list[Hit]) -> None:
    if hits:
        messages.warning(
            request,
            _("Deconfliction hit: %(refs)s. Contact the other party before you act.")
            % {"refs": ", ".join(h.reference for h in hits)},
        )
    else:
        messages.success(request, _("Checked: no conflict found."))


def _register_and_check(
    request: HttpRequest,
    operation: Any,
    form: Any,
    register: Callable[[dict[str, Any]], tuple[Any, list[Any]]],
    form_name: str,
) -> HttpResponseBase:
    """A subject or deployment posted for the operation: registered and checked at once, the
    hits told; or the operation's page again, the form showing its errors."""
    if form.is_valid():
        try:
            _registered, hits = register(form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            _apply(form, error)
        else:
            _told(request, hits)
            return redirect(operation.get_absolute_url())
    return _operation_page(request, operation, **{form_name: form})


@login_required
@require_POST
def add_subject(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Register a subject of the operation and check it at once."""
    operation = _own_operation(request, pk)
    return _register_and_check(
        request,
        operation,
        SubjectForm(request.POST, prefix="subject"),
        lambda data: services.register_subject(
            actor=request.user,
            operation=operation,
            details=services.SubjectDetails(
                kind=data["kind"],
                given_name=data["given_name"],
                surname=data["surname"],
                aliases=data["aliases"],
                dob=data["dob"],
                value=data["value"],
                postcode=data["postcode"],
            ),
        ),
        "subject_form",
    )


@login_required
@require_POST
def add_deployment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Register a planned deployment of the operation and check it at once."""
    operation = _own_operation(request, pk)
    return _register_and_check(
        request,
        operation,
        DeploymentForm(request.POST, prefix="deployment"),
        lambda data: services.register_deployment(
            actor=request.user,
            operation=operation,
            details=services.DeploymentDetails(
                kind=data["kind"],
                place=data["place"],
                postcode=data["postcode"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                radius_m=data["radius_m"],
                starts=data["starts"],
                ends=data["ends"],
                urgent=data["urgent"],
            ),
        ),
        "deployment_form",
    )


# --- a party's hits ------------------------------------------------------------------------


def _instance(organisation: Any) -> str:
    """In an export: whose peer instance holds the other side ("" for a side held here)."""
    return str(organisation.name) if organisation is not None else ""


def _sides(user: Any) -> Any:
    return HitSide.objects.visible_to(user).select_related(
        "hit__a_organisation", "hit__b_organisation", "hit__peer", "operation"
    )


@login_required
def hit_list(request: HttpRequest) -> HttpResponseBase:
    """Your hits: for each, your own operation and whom to call; CSV/XLSX."""
    rows = _sides(request.user)
    status = request.GET.get("status", "")
    if status in HitStatus.values:
        rows = rows.filter(hit__status=status)
    fmt = request.GET.get("export", "")
    if fmt in FORMATS:
        found = list(rows[:50000])
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="deconfliction.hitside",
            detail={"format": fmt, "count": len(found), "filters": {"status": status}},
        )
        return export_response(
            name="deconfliction-hits",
            fmt=fmt,
            headers=[
                _("Hit"),
                _("Kind"),
                _("Found"),
                _("Your operation"),
                _("Other organisation"),
                _("Whom to call"),
                _("On the instance of"),
                _("Status"),
            ],
            rows=(
                [
                    s.hit.reference,
                    s.hit.get_kind_display(),
                    _naive(s.hit.created_at),
                    s.operation.reference,
                    s.other_organisation.name,
                    s.other_contact,
                    _instance(s.other_peer_organisation),
                    s.hit.get_status_display(),
                ]
                for s in found
            ),
        )
    page = paginate(request, rows)
    audit.record_list(
        request.user,
        object_type="deconfliction.hitside",
        rows=page.object_list,
        count=page.paginator.count,
        page=page.number,
        filters={"status": status},
    )
    return render(
        request,
        "deconfliction/hit_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": HitStatus.choices,
            "query": query_without(request.GET, "page", "export"),
        },
    )


@login_required
def hit_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One hit, your side of it: what of yours conflicts, and whom to call."""
    side = open_through(
        request,
        _sides(request.user).select_related("subject", "deployment"),
        pk=pk,
    )
    return render(request, "deconfliction/hit.html", {"side": side, "hit": side.hit})


# --- the watch desk ------------------------------------------------------------------------


def _desk_rows() -> Any:
    return Hit.objects.select_related("a_organisation", "b_organisation", "peer")


@login_required
def desk(request: HttpRequest) -> HttpResponseBase:
    """The watch desk's queue: every hit at pointer level, urgent and most pressing first."""
    if not keeps_watch(request.user):
        raise Http404
    status = request.GET.get("status", "active")
    rows = _desk_rows()
    if status in HitStatus.values:
        rows = rows.filter(status=status)
    elif status != "all":
        status = "active"
        rows = rows.exclude(status=HitStatus.RESOLVED)
    fmt = request.GET.get("export", "")
    if fmt in FORMATS:
        found = list(rows[:50000])
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="deconfliction.hit",
            detail={"format": fmt, "count": len(found), "filters": {"status": status}},
        )
        return export_response(
            name="deconfliction-watch-desk",
            fmt=fmt,
            headers=[
                _("Hit"),
                _("Kind"),
                _("Urgent"),
                _("Found"),
                _("Respond by"),
                _("Party"),
                _("Contact"),
                _("Other party"),
                _("Contact"),
                _("On the instance of"),
                _("Status"),
                _("Resolution"),
                _("Minutes to resolve"),
            ],
            rows=(
                [
                    h.reference,
                    h.get_kind_display(),
                    _("Yes") if h.urgent else _("No"),
                    _naive(h.created_at),
                    _naive(h.respond_by),
                    h.a_organisation.name,
                    h.a_contact,
                    h.b_organisation.name,
                    h.b_contact,
                    _instance(h.peer.organisation if h.peer else None),
                    h.get_status_display(),
                    h.get_resolution_display(),
                    h.response_minutes if h.response_minutes is not None else "",
                ]
                for h in found
            ),
        )
    page = paginate(request, rows)
    audit.record_list(
        request.user,
        object_type="deconfliction.hit",
        rows=page.object_list,
        count=page.paginator.count,
        page=page.number,
        filters={"status": status},
    )
    return render(
        request,
        "deconfliction/desk.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": [("active", _("Not yet resolved")), ("all", _("All")), *HitStatus.choices],
            "query": query_without(request.GET, "page", "export"),
            "now": timezone.now(),
        },
    )


@login_required
def desk_hit(request: HttpRequest, reference: str) -> HttpResponseBase:
    """One hit at the watch desk: both parties' pointers, contact each, record the resolution."""
    if not keeps_watch(request.user):
        raise Http404
    try:
        hit = _desk_rows().get(reference=reference[:16])
    except Hit.DoesNotExist:
        raise Http404 from None
    form = ResolveForm(request.POST or None)
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step in ("contact_a", "contact_b"):
                side = Side.A if step == "contact_a" else Side.B
                services.record_contact(actor=request.user, hit=hit, side=side)
                messages.success(
                    request,
                    _("Contact with %(org)s recorded.") % {"org": hit.organisation(side).name},
                )
                return redirect(hit.get_absolute_url())
            if step == "resolve" and form.is_valid():
                services.resolve_hit(
                    actor=request.user,
                    hit=hit,
                    resolution=form.cleaned_data["resolution"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("The resolution is recorded."))
                return redirect(hit.get_absolute_url())
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            _apply(form, error)
    audit.record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="deconfliction.hit",
        object_id=str(hit.pk),
        object_repr=hit.reference,
    )
    return render(
        request,
        "deconfliction/desk_hit.html",
        {"hit": hit, "form": form, "now": timezone.now()},
    )


# --- the map -------------------------------------------------------------------------------

# The map's frame: England and Wales in latitude and longitude, drawn as an equirectangular
# projection scaled by the cosine of the middle latitude.
SOUTH, NORTH, WEST, EAST = 49.9, 55.9, -5.8, 1.8
MAP_WIDTH = 600


def _xy(latitude: float, longitude: float, height: int) -> tuple[int, int]:
    x = (longitude - WEST) / (EAST - WEST) * MAP_WIDTH
    y = (NORTH - latitude) / (NORTH - SOUTH) * height
    return round(x), round(y)


@login_required
def deployment_map(request: HttpRequest) -> HttpResponseBase:
    """Your planned deployments on a map of England and Wales (drawn here, no tiles), with the
    same in a table; a deployment in conflict is marked."""
    if not may_deconflict(request.user):
        raise Http404
    import math

    height = round(MAP_WIDTH * (NORTH - SOUTH) / ((EAST - WEST) * math.cos(math.radians(53))))
    rows = list(
        Deployment.objects.visible_to(request.user)
        .filter(ends__gte=timezone.now())
        .select_related("operation__owner")
        .order_by("starts", "pk")[:200]
    )
    in_conflict = set(
        HitSide.objects.visible_to(request.user)
        .filter(deployment__in=rows)
        .values_list("deployment_id", flat=True)
    )
    scale = MAP_WIDTH / ((EAST - WEST) * 111_320 * math.cos(math.radians(53)))
    points = []
    for d in rows:
        x, y = _xy(d.latitude, d.longitude, height)
        points.append(
            {
                "d": d,
                "x": x,
                "y": y,
                "r": max(3, round(d.radius_m * scale)),
                "hit": d.pk in in_conflict,
            }
        )
    audit.record_list(
        request.user, object_type="deconfliction.deployment", rows=rows, count=len(rows)
    )
    return render(
        request,
        "deconfliction/map.html",
        {"points": points, "width": MAP_WIDTH, "height": height},
    )
