"""Demo world: an assessment for most register items under the default model, some overdue."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.scoring.models import Assessment, AssessmentValue, published_model, subject_field
from concord.scoring.services import CURRENT_FIELDS, Scorer
from concord.threats.models import REGISTER_ITEMS, Ocg, PriorityIndividual, RegisterItem

RATIONALES = [
    "Intelligence from force and ROCU sources.",
    "Recent disruption reduced this.",
    "Corroborated by partner reporting.",
    "Based on the last quarter's incidents.",
]


def seed(world: DemoWorld) -> None:
    rng = world.rng
    model = published_model()
    dimensions = list(model.dimensions.prefetch_related("levels"))
    assessor = world.refs.get("personas", {}).get("dp.analyst")
    if assessor is None:
        return
    items: list[RegisterItem] = list(
        world.refs.get("register_items")
        or [*Ocg.objects.order_by("pk"), *PriorityIndividual.objects.order_by("pk")]
    )
    now = timezone.now()
    scorer = Scorer(model)
    assessments: list[Assessment] = []
    chosen_levels = []
    for item in world.track(items, total=len(items), desc="assessments"):
        if rng.random() < 0.1:
            continue  # a few are mapped but not yet scored
        levels = {}
        for d in dimensions:
            scale = list(d.levels.all())
            # Skew towards the middle of each scale, as real assessments are.
            index = min(len(scale) - 1, max(0, round(rng.triangular(0, len(scale) - 1))))
            levels[d.code] = scale[index]
        assessed_at = now - dt.timedelta(days=rng.randint(0, 130))
        # Some have been assessed before, every review cycle or so: a history with a trend.
        history = [levels]
        for _earlier in range(rng.choice([0] * 8 + [1, 2, 3])):
            earlier = dict(history[-1])
            moved = rng.choice(dimensions)
            scale = list(moved.levels.all())
            earlier[moved.code] = scale[
                min(len(scale) - 1, max(0, scale.index(earlier[moved.code]) + rng.choice([-1, 1])))
            ]
            history.append(earlier)
        for age, chosen in reversed(list(enumerate(history))):
            scored = scorer(chosen)
            assessments.append(
                Assessment(
                    **{subject_field(item): item},
                    model=model,
                    assessor=assessor,
                    assessed_at=assessed_at - dt.timedelta(days=95 * age),
                    risk_score=scored.risk,
                    position_score=scored.position,
                    band=scored.band,
                    confidence=scored.confidence,
                    summary=rng.choice(RATIONALES),
                )
            )
            chosen_levels.append(chosen)
        item.band, item.band_rank, item.risk_score = (
            scored.band,
            model.band_rank(scored.band),
            scored.risk,
        )
        item.assessed_on = timezone.localtime(assessed_at).date()
        item.review_due_on = item.assessed_on + dt.timedelta(days=model.review_days)
    Assessment.objects.bulk_create(assessments, batch_size=1000)
    AssessmentValue.objects.bulk_create(
        [
            AssessmentValue(
                assessment=a,
                dimension=level.dimension,
                level=level,
                rationale=rng.choice(RATIONALES),
            )
            for a, levels in zip(assessments, chosen_levels, strict=True)
            for level in levels.values()
        ],
        batch_size=5000,
    )
    for model_class in REGISTER_ITEMS.values():
        model_class.objects.bulk_update(
            [i for i in items if isinstance(i, model_class) and i.band],
            CURRENT_FIELDS,
            batch_size=1000,
        )
    world.count("assessments", len(assessments))


def reset() -> None:
    AssessmentValue.objects.all().delete()
    Assessment.objects.all().delete()


STEP = SeedStep(name="scoring", order=30, run=seed, reset=reset)
