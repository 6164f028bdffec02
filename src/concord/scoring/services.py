"""Scoring changes: assess a register item, publish a model version, re-score under it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.choices import RoleCode
from concord.core.models import AuditAction
from concord.scoring.choices import DimensionGroup, ModelStatus
from concord.scoring.expressions import Formula, FormulaError
from concord.scoring.models import (
    SUBJECT_FIELDS,
    Assessment,
    AssessmentValue,
    Dimension,
    ScaleLevel,
    ScoringModel,
    published_model,
    subject_field,
)
from concord.threats.models import RegisterItem


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


def _current(item: RegisterItem, model: ScoringModel, assessment: Assessment) -> list[str]:
    """Keep the item's current band, score and review date (what the picture ranks by)."""
    item.band = assessment.band
    item.band_rank = model.band_rank(assessment.band)
    item.risk_score = assessment.risk_score
    item.assessed_on = timezone.localtime(assessment.assessed_at).date()
    item.review_due_on = item.assessed_on + dt.timedelta(days=model.review_days)
    return CURRENT_FIELDS


CURRENT_FIELDS = ["band", "band_rank", "risk_score", "assessed_on", "review_due_on"]


@transaction.atomic
def assess(
    *,
    actor: Any,
    item: RegisterItem,
    chosen: Mapping[str, int],
    rationale: Mapping[str, str],
    summary: str = "",
    model: ScoringModel | None = None,
) -> Assessment:
    """Score an OCG, priority individual or vulnerability: a level and a rationale per
    dimension, under the published model."""
    if not policy.can(actor, policy.CHANGE, item):
        raise PermissionDenied(_("You cannot assess this record."))
    model = model or published_model()
    levels = _levels_for(model, chosen)
    _require_news(item, model, levels, rationale, summary)
    scored = score(model, levels)
    before = {"band": item.band, "risk_score": str(item.risk_score or "")}
    assessment = Assessment.objects.create(
        **{subject_field(item): item},
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
    type(item).objects.filter(pk=item.pk).update(
        **{name: getattr(item, name) for name in _current(item, model, assessment)}
    )
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=item,
        changes=audit.diff(before, {"band": scored.band, "risk_score": str(scored.risk)}),
        detail={"assessment": assessment.pk, "model": str(model)},
    )
    return assessment


def _require_news(
    item: RegisterItem,
    model: ScoringModel,
    levels: Mapping[str, ScaleLevel],
    rationale: Mapping[str, str],
    summary: str,
) -> None:
    """An assessment that changes no level and no rationale of the last one must say why it
    is confirmed (the summary): otherwise it would restart the re-assessment clock unread."""
    last = (
        Assessment.objects.filter(**{subject_field(item): item}, model=model)
        .prefetch_related("values__dimension")
        .order_by("-assessed_at", "-id")
        .first()
    )
    if last is None or summary.strip():
        return
    before = {v.dimension.code: (v.level_id, v.rationale) for v in last.values.all()}
    after = {code: (level.pk, rationale.get(code, "").strip()) for code, level in levels.items()}
    if before == after:
        raise ValidationError(
            {
                "summary": _(
                    "Nothing has changed since the last assessment: say why it is confirmed "
                    "in the summary."
                )
            }
        )


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
        description_cy=model.description_cy,
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
            guidance_cy=dimension.guidance_cy,
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
                    guidance_cy=lv.guidance_cy,
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
    """Re-score the latest assessment of every OCG, priority individual and vulnerability
    under `model`, carrying values by dimension code and scale order. Each batch is one
    transaction; returns how many were re-scored."""
    if model.status != ModelStatus.PUBLISHED:
        raise ValidationError(_("Re-score only under a published model."))
    latest: list[tuple[str, int]] = []
    for field_name in SUBJECT_FIELDS.values():
        newest = (
            Assessment.objects.filter(**{field_name: OuterRef(field_name)})
            .order_by("-assessed_at", "-id")
            .values("pk")[:1]
        )
        latest += [
            (field_name, pk)
            for pk in Assessment.objects.filter(
                **{f"{field_name}__isnull": False}, pk=Subquery(newest)
            )
            .order_by(field_name)
            .values_list("id", flat=True)
        ]
    total, done = len(latest), 0
    rescorer = _Rescorer(actor, model)
    for start in range(0, total, batch):
        chunk = latest[start : start + batch]
        with transaction.atomic():
            for field_name in SUBJECT_FIELDS.values():
                ids = [pk for name, pk in chunk if name == field_name]
                if ids:
                    done += rescorer.rescore(field_name, ids)
        if progress:
            progress(min(start + batch, total), total)
    return done


class _Rescorer:
    """One batch task's state: the new model's scales and formulas, read once."""

    def _set_current(self, field_name: str, model: Any, ids: list[int]) -> None:
        """Point a batch of items at the assessments just made: one UPDATE whose values come
        from each item's newest assessment under this model (Django's bulk_update builds a
        CASE per row and field, which took half the task's time)."""
        newest = Assessment.objects.filter(
            **{field_name: OuterRef("pk")}, model=self.model
        ).order_by("-assessed_at", "-id")
        ranks = [When(band=band, then=Value(self.model.band_rank(band))) for band in self._bands()]
        assessed_on = timezone.localtime(self.now).date()
        model.objects.filter(pk__in=ids).update(
            band=Subquery(newest.values("band")[:1]),
            risk_score=Subquery(newest.values("risk_score")[:1]),
            band_rank=Subquery(
                newest.annotate(rank=Case(*ranks, output_field=IntegerField())).values("rank")[:1]
            ),
            assessed_on=assessed_on,
            review_due_on=assessed_on + dt.timedelta(days=self.model.review_days),
        )

    def _bands(self) -> list[str]:
        return [
            str(number["band"]) + str(letter["letter"])
            for number in self.model.risk_bands
            for letter in self.model.position_bands
        ]

    def __init__(self, actor: Any, model: ScoringModel) -> None:
        self.actor, self.model = actor, model
        dimensions = {d.code: d for d in model.dimensions.prefetch_related("levels")}
        self.codes = set(dimensions)
        self.by_order = {
            code: {lv.order: lv for lv in d.levels.all()} for code, d in dimensions.items()
        }
        self.scorer = Scorer(model)
        self.now = timezone.now()

    def rescore(self, field_name: str, ids: list[int]) -> int:
        sources = (
            Assessment.objects.filter(pk__in=ids)
            .exclude(model=self.model)
            .select_related(field_name)
            .prefetch_related("values__dimension", "values__level")
        )
        made: list[tuple[Assessment, dict[str, ScaleLevel], dict[str, str]]] = []
        for source in sources:
            chosen = {v.dimension.code: v.level.order for v in source.values.all()}
            if set(chosen) != self.codes:
                continue  # a new dimension needs a person's judgement, not a batch
            levels = {code: self.by_order[code].get(order) for code, order in chosen.items()}
            resolved = {code: lv for code, lv in levels.items() if lv is not None}
            if len(resolved) != len(levels):
                continue  # a scale changed shape: the same, for a person to judge
            scored = self.scorer(resolved)
            assessment = Assessment(
                **{field_name: getattr(source, field_name)},
                model=self.model,
                assessor=self.actor,
                assessed_at=self.now,
                risk_score=scored.risk,
                position_score=scored.position,
                band=scored.band,
                confidence=scored.confidence,
                summary=source.summary,
                rescored_from=source,
            )
            rationale = {v.dimension.code: v.rationale for v in source.values.all()}
            made.append((assessment, resolved, rationale))
        if not made:
            return 0
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
        items = [a.subject for a, *_unused in made]
        self._set_current(field_name, type(items[0]), [item.pk for item in items])
        audit.record(
            AuditAction.UPDATE,
            actor=self.actor,
            object_type="scoring.scoringmodel",
            object_id=str(self.model.pk),
            object_repr=str(self.model),
            detail={"rescored": [item.reference for item in items]},
        )
        return len(made)
