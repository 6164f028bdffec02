"""Scoring changes: assess an OCG, publish a model version, re-score under a new version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.choices import RoleCode
from concord.core.models import AuditAction
from concord.scoring.choices import DimensionGroup, ModelStatus
from concord.scoring.expressions import Formula, FormulaError
from concord.scoring.models import (
    Assessment,
    AssessmentValue,
    Dimension,
    ScaleLevel,
    ScoringModel,
    published_model,
)
from concord.threats.models import Ocg


@dataclass(frozen=True)
class Scored:
    risk: Decimal
    position: Decimal
    band: str
    confidence: str


class Scorer:
    """A model's formulas parsed once, for scoring many items."""

    def __init__(self, model: ScoringModel) -> None:
        self.model = model
        try:
            self.risk = Formula(model.risk_formula)
            self.position = Formula(model.position_formula)
        except FormulaError as exc:
            raise ValidationError(str(exc)) from None
        self.confidence_codes = [
            d.code for d in model.dimensions.all() if d.group == DimensionGroup.CONFIDENCE
        ]

    def __call__(self, levels: Mapping[str, ScaleLevel]) -> Scored:
        values = {code: level.value for code, level in levels.items()}
        try:
            risk = self.risk.evaluate(values).quantize(Decimal("0.001"))
            position = self.position.evaluate(values).quantize(Decimal("0.001"))
        except FormulaError as exc:
            raise ValidationError(str(exc)) from None
        confidence = next((levels[c].label for c in self.confidence_codes if c in levels), "")
        return Scored(risk, position, self.model.band_for(risk, position), confidence)


def score(model: ScoringModel, levels: Mapping[str, ScaleLevel]) -> Scored:
    """Apply a model's formulas and bands to one level per dimension code (pure)."""
    return Scorer(model)(levels)


def _levels_for(model: ScoringModel, chosen: Mapping[str, int]) -> dict[str, ScaleLevel]:
    """Resolve {dimension code: level order} for every dimension, naming what is wrong."""
    dimensions = {d.code: d for d in model.dimensions.prefetch_related("levels")}
    missing = [code for code in dimensions if code not in chosen]
    if missing:
        raise ValidationError({code: _("Choose a value.") for code in missing})
    unknown = [code for code in chosen if code not in dimensions]
    if unknown:
        raise ValidationError(
            _("Not dimensions of %(model)s: %(codes)s")
            % {"model": model, "codes": ", ".join(unknown)}
        )
    levels: dict[str, ScaleLevel] = {}
    for code, order in chosen.items():
        level = next((lv for lv in dimensions[code].levels.all() if lv.order == order), None)
        if level is None:
            raise ValidationError({code: _("Choose one of the listed values.")})
        levels[code] = level
    return levels


def _apply_to_ocg(ocg: Ocg, model: ScoringModel, assessment: Assessment) -> None:
    ocg.band = assessment.band
    ocg.band_rank = model.band_rank(assessment.band)
    ocg.risk_score = assessment.risk_score
    ocg.assessed_on = timezone.localtime(assessment.assessed_at).date()
    ocg.review_due_on = ocg.assessed_on + dt.timedelta(days=model.review_days)
    Ocg.objects.filter(pk=ocg.pk).update(
        band=ocg.band,
        band_rank=ocg.band_rank,
        risk_score=ocg.risk_score,
        assessed_on=ocg.assessed_on,
        review_due_on=ocg.review_due_on,
    )


@transaction.atomic
def assess_ocg(
    *,
    actor: Any,
    ocg: Ocg,
    chosen: Mapping[str, int],
    rationale: Mapping[str, str],
    summary: str = "",
    model: ScoringModel | None = None,
) -> Assessment:
    """Score an OCG: a level and a rationale per dimension, under the published model."""
    if not policy.can(actor, policy.CHANGE, ocg):
        raise PermissionDenied(_("You cannot assess this OCG."))
    model = model or published_model()
    levels = _levels_for(model, chosen)
    scored = score(model, levels)
    before = {"band": ocg.band, "risk_score": str(ocg.risk_score or "")}
    assessment = Assessment.objects.create(
        ocg=ocg,
        model=model,
        assessor=actor,
        assessed_at=timezone.now(),
        risk_score=scored.risk,
        position_score=scored.position,
        band=scored.band,
        confidence=scored.confidence,
        summary=summary.strip(),
    )
    AssessmentValue.objects.bulk_create(
        [
            AssessmentValue(
                assessment=assessment,
                dimension=level.dimension,
                level=level,
                rationale=rationale.get(code, "").strip(),
            )
            for code, level in levels.items()
        ]
    )
    _apply_to_ocg(ocg, model, assessment)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=ocg,
        changes=audit.diff(before, {"band": scored.band, "risk_score": str(scored.risk)}),
        detail={"assessment": assessment.pk, "model": str(model)},
    )
    return assessment


def require_register_writer(actor: Any) -> None:
    """Importing maps and updates OCGs: the same people who may map them."""
    from concord.threats.services import require_mapper

    require_mapper(actor)


def _require_model_admin(actor: Any) -> None:
    if not (actor.is_superuser or actor.has_role(RoleCode.ADMINISTRATOR)):
        raise PermissionDenied(_("Only administrators change scoring models."))


@transaction.atomic
def publish_model(*, actor: Any, model: ScoringModel) -> ScoringModel:
    """Publish a draft version: check it, then it is used for new assessments."""
    _require_model_admin(actor)
    if model.status != ModelStatus.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    model.full_clean()
    for dimension in model.dimensions.all():
        if not dimension.levels.exists():
            raise ValidationError(_("Dimension %(code)s has no scale.") % {"code": dimension.code})
    model.status = ModelStatus.PUBLISHED
    model.published_at = timezone.now()
    model.published_by = actor
    model.save()
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type="scoring.scoringmodel",
        object_id=str(model.pk),
        object_repr=str(model),
        detail={"published": True},
    )
    return model


@transaction.atomic
def draft_next_version(*, actor: Any, model: ScoringModel) -> ScoringModel:
    """Copy a version (dimensions, scales, formulas, bands) into a new draft to edit."""
    _require_model_admin(actor)
    latest = ScoringModel.objects.filter(name=model.name).order_by("-version").first()
    assert latest is not None
    draft = ScoringModel.objects.create(
        name=model.name,
        version=latest.version + 1,
        description=model.description,
        risk_formula=model.risk_formula,
        position_formula=model.position_formula,
        risk_bands=model.risk_bands,
        position_bands=model.position_bands,
        level_fit=model.level_fit,
        review_days=model.review_days,
    )
    for dimension in model.dimensions.prefetch_related("levels"):
        copy = Dimension.objects.create(
            model=draft,
            code=dimension.code,
            name=dimension.name,
            name_cy=dimension.name_cy,
            group=dimension.group,
            order=dimension.order,
            guidance=dimension.guidance,
        )
        ScaleLevel.objects.bulk_create(
            [
                ScaleLevel(
                    dimension=copy,
                    order=lv.order,
                    label=lv.label,
                    label_cy=lv.label_cy,
                    value=lv.value,
                    guidance=lv.guidance,
                )
                for lv in dimension.levels.all()
            ]
        )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        object_type="scoring.scoringmodel",
        object_id=str(draft.pk),
        object_repr=str(draft),
    )
    return draft


def rescore_all(
    *,
    actor: Any,
    model: ScoringModel,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 500,
) -> int:
    """Re-score every OCG's latest assessment under `model`, carrying values by dimension code
    and scale order. Each batch is one transaction; returns how many were re-scored."""
    if model.status != ModelStatus.PUBLISHED:
        raise ValidationError(_("Re-score only under a published model."))
    dimensions = {d.code: d for d in model.dimensions.prefetch_related("levels")}
    newest = (
        Assessment.objects.filter(ocg=OuterRef("ocg"))
        .order_by("-assessed_at", "-id")
        .values("pk")[:1]
    )
    latest_ids = list(
        Assessment.objects.filter(pk=Subquery(newest))
        .order_by("ocg_id")
        .values_list("id", flat=True)
    )
    total, done = len(latest_ids), 0
    now = timezone.now()
    scorer = Scorer(model)
    by_order = {code: {lv.order: lv for lv in d.levels.all()} for code, d in dimensions.items()}
    for start in range(0, total, batch):
        chunk = latest_ids[start : start + batch]
        with transaction.atomic():
            sources = (
                Assessment.objects.filter(pk__in=chunk)
                .exclude(model=model)
                .select_related("ocg")
                .prefetch_related("values__dimension", "values__level")
            )
            made: list[tuple[Assessment, dict[str, ScaleLevel], dict[str, str]]] = []
            for source in sources:
                chosen = {v.dimension.code: v.level.order for v in source.values.all()}
                if set(chosen) != set(dimensions):
                    continue  # a new dimension needs a person's judgement, not a batch
                levels = {code: by_order[code].get(order) for code, order in chosen.items()}
                resolved = {code: lv for code, lv in levels.items() if lv is not None}
                if len(resolved) != len(levels):
                    continue  # a scale changed shape: the same, for a person to judge
                scored = scorer(resolved)
                assessment = Assessment(
                    ocg=source.ocg,
                    model=model,
                    assessor=actor,
                    assessed_at=now,
                    risk_score=scored.risk,
                    position_score=scored.position,
                    band=scored.band,
                    confidence=scored.confidence,
                    summary=source.summary,
                    rescored_from=source,
                )
                rationale = {v.dimension.code: v.rationale for v in source.values.all()}
                made.append((assessment, resolved, rationale))
            Assessment.objects.bulk_create([a for a, *_unused in made])
            AssessmentValue.objects.bulk_create(
                [
                    AssessmentValue(
                        assessment=a,
                        dimension=lv.dimension,
                        level=lv,
                        rationale=rationale.get(code, ""),
                    )
                    for a, resolved, rationale in made
                    for code, lv in resolved.items()
                ],
                batch_size=5000,
            )
            ocgs = []
            for assessment, *_unused in made:
                ocg = assessment.ocg
                ocg.band = assessment.band
                ocg.band_rank = model.band_rank(assessment.band)
                ocg.risk_score = assessment.risk_score
                ocg.assessed_on = timezone.localtime(now).date()
                ocg.review_due_on = ocg.assessed_on + dt.timedelta(days=model.review_days)
                ocgs.append(ocg)
            Ocg.objects.bulk_update(
                ocgs, ["band", "band_rank", "risk_score", "assessed_on", "review_due_on"]
            )
            done += len(made)
            audit.record(
                AuditAction.UPDATE,
                actor=actor,
                object_type="scoring.scoringmodel",
                object_id=str(model.pk),
                object_repr=str(model),
                detail={"rescored": [a.ocg.reference for a, *_unused in made]},
            )
        if progress:
            progress(min(start + batch, total), total)
    return done
