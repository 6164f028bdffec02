"""Scoring pages: the prioritised picture, assessing a register item, models and guidance."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from concord.core import audit, policy
from concord.core.access import open_record
from concord.core.models import AuditAction
from concord.organisations.models import Organisation, Region
from concord.scoring import history, importing, picture, services
from concord.scoring.choices import OwnerLevel
from concord.scoring.filters import PictureFilter
from concord.scoring.models import (
    Assessment,
    ImportBatch,
    ScoringModel,
    published_model,
    subject_field,
)
from concord.threats.models import REGISTER_ITEMS, CriminalityType
from concord.web.exports import FORMATS, export_response
from concord.web.lists import paginate, parse_filters


def _model_or_none() -> ScoringModel | None:
    try:
        return published_model()
    except ScoringModel.DoesNotExist:
        return None


@login_required
def picture_view(request: HttpRequest) -> HttpResponseBase:
    """One ranked list of everything the person may see, by nation, region or force."""
    filters, errors = parse_filters(PictureFilter, request.GET)
    items = picture.ranked(request.user, filters)
    model = _model_or_none()
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        audit.record(
            AuditAction.EXPORT,
            actor=request.user,
            object_type="threats",
            detail={"filters": filters.used(), "format": fmt, "view": "priorities"},
        )
        return export_response(
            name="priorities",
            fmt=fmt,
            headers=[
                _("Rank"),
                _("Kind"),
                _("Reference"),
                _("Name"),
                _("Band"),
                _("Risk score"),
                _("Criminality"),
                _("Owner"),
                _("Owning level"),
                _("Re-assessment due"),
                _("Mismatch"),
            ],
            rows=(
                (
                    n,
                    r.kind_label,
                    r.reference,
                    r.name,
                    r.band,
                    r.risk_score or "",
                    "; ".join(r.criminality),
                    r.owner.code,
                    r.level,
                    r.review_due_on or "",
                    r.mismatch,
                )
                for n, r in enumerate(picture.rows(items.iterator(chunk_size=500), model), start=1)
            ),
        )
    page = paginate(request, items)
    rows = list(picture.rows(page.object_list, model))
    audit.record(
        AuditAction.SEARCH,
        actor=request.user,
        object_type="threats",
        detail={
            "filters": filters.used(),
            "view": "priorities",
            "shown": [r.reference for r in rows],
        },
    )
    bands = picture.counts_by_band(request.user, filters)
    top = max((b["n"] for b in bands), default=0)
    return render(
        request,
        "scoring/picture.html",
        {
            "page_obj": page,
            "rows": rows,
            "filters": filters,
            "filter_errors": errors,
            "first_rank": page.start_index(),
            "bands": [{**b, "width": round(100 * b["n"] / top) if top else 0} for b in bands],
            "regions": Region.objects.all(),
            "forces": Organisation.objects.forces(),
            "criminality_types": CriminalityType.objects.all(),
            "levels": OwnerLevel.choices,
            "kinds": list(picture.KIND_LABELS.items()),
            "review_days": model.review_days if model else 90,
        },
    )


@login_required
def assess(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    """Score an OCG, priority individual or vulnerability under the published model: a value
    and a rationale for each dimension."""
    if kind not in REGISTER_ITEMS:
        raise Http404
    item = open_record(
        request,
        REGISTER_ITEMS[kind].objects.select_related("owner"),
        action=policy.CHANGE,
        reference=reference.upper(),
    )
    model = published_model()
    dimensions = list(model.dimensions.prefetch_related("levels"))
    errors: dict[str, Any] = {}
    chosen: dict[str, int] = {}
    rationale: dict[str, str] = {}
    if request.method == "POST":
        for dimension in dimensions:
            raw = request.POST.get(dimension.code, "")
            if raw.isdigit():
                chosen[dimension.code] = int(raw)
            rationale[dimension.code] = request.POST.get(f"{dimension.code}-rationale", "")
        try:
            assessment = services.assess(
                actor=request.user,
                item=item,
                chosen=chosen,
                rationale=rationale,
                summary=request.POST.get("summary", ""),
                model=model,
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(
                request,
                _("%(ref)s is now band %(band)s.")
                % {"ref": item.reference, "band": assessment.band},
            )
            return redirect(item.get_absolute_url())
    elif last := (
        Assessment.objects.filter(**{subject_field(item): item}, model=model)
        .prefetch_related("values__dimension", "values__level")
        .first()
    ):
        chosen = {v.dimension.code: v.level.order for v in last.values.all()}
        rationale = {v.dimension.code: v.rationale for v in last.values.all()}
    return render(
        request,
        "scoring/assess.html",
        {
            "item": item,
            "model": model,
            "dimensions": dimensions,
            "chosen": chosen,
            "rationale": rationale,
            "errors": errors,
            "summary": request.POST.get("summary", ""),
            "history": history.for_item(item),
        },
    )


@login_required
def history_view(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    """Every assessment of one item, what changed each time, and the score trend."""
    if kind not in REGISTER_ITEMS:
        raise Http404
    item = open_record(
        request, REGISTER_ITEMS[kind].objects.select_related("owner"), reference=reference.upper()
    )
    return render(
        request,
        "scoring/history.html",
        {
            "item": item,
            "history": history.for_item(item),
            "can_change": policy.can(request.user, policy.CHANGE, item),
        },
    )


@login_required
def model_list(request: HttpRequest) -> HttpResponse:
    """Scoring models, versions, formulas, bands and every scale with its guidance."""
    models_ = ScoringModel.objects.prefetch_related("dimensions__levels")
    return render(request, "scoring/models.html", {"models": models_})


class UploadForm(forms.Form):
    sheet = forms.FileField(label=_lazy("Spreadsheet (CSV or XLSX)"))


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a register spreadsheet; the next page previews it with every error named."""
    if not policy.may(request.user, policy.Act.MAP, None):
        raise Http404
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["sheet"]
        if upload.size > importing.MAX_BYTES:
            form.add_error("sheet", _("The file is larger than 10 MB."))
        else:
            try:
                services.require_register_writer(request.user)
            except PermissionDenied:
                raise Http404 from None
            batch = importing.store(actor=request.user, filename=upload.name, content=upload.read())
            return redirect("scoring:import_preview", pk=batch.pk)
    return render(request, "scoring/import_upload.html", {"form": form})


@login_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """What the sheet will do, row by row, or every problem by row and column; then import."""
    if not policy.may(request.user, policy.Act.MAP, None):
        raise Http404
    batch = get_object_or_404(ImportBatch, pk=pk, uploaded_by_id=request.user.pk)
    try:
        rows = importing.read_table(batch.filename, bytes(batch.content))
        checked = importing.plan(owner=batch.owner, rows=rows)
        problem = ""
    except ValueError as exc:
        checked, problem = importing.Plan(), str(exc)
    if request.method == "POST" and not problem and not checked.errors:
        try:
            counts = importing.commit(actor=request.user, batch=batch)
        except ValueError as exc:
            problem = str(exc)
        else:
            messages.success(
                request,
                _("Imported: %(created)s mapped, %(updated)s updated, %(assessed)s assessed.")
                % counts,
            )
            return redirect("threats:ocg_list")
    return render(
        request,
        "scoring/import_preview.html",
        {"batch": batch, "plan": checked, "problem": problem},
    )
