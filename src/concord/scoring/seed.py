"""Demo world: an assessment for most register items under the default model, some overdue."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.scoring.models import (
    Assessment,
    AssessmentValue,
    ScaleLevel,
    published_model,
    subject_field,
)
from concord.scoring.services import CURRENT_FIELDS, Scorer
from concord.threats.models import REGISTER_ITEMS, Ocg, PriorityIndividual, RegisterItem

RATIONALES = [
    "Intelligence from force and ROCU sources.",
    "Recent disruption reduced this.",
    "Corroborated by partner reporting.",
    "Based on the last quarter's incidents.",
]
# The scenario groups' assessments (threats.seed.SCENARIO_OCGS): a level index per dimension of
# the default model and how many days ago it was made. Operation Tarmac and the Irwell Valley
# network are band 1 (a ROCU's level); the Llanelli, Ystwyth and Hollinwood groups are due
# re-assessment (the model's cycle is 90 days), waiting for dp.analyst and the GMP analysts.
SCENARIO_SCORES: dict[str, tuple[dict[str, int], int]] = {
    "tarmac": (
        {
            "harm_physical": 4,
            "harm_psychological": 3,
            "harm_financial": 3,
            "harm_community": 4,
            "scope": 2,
            "vulnerability": 3,
            "likelihood": 6,
            "confidence": 2,
            "capability": 1,
            "capacity": 1,
            "opportunity": 2,
        },
        20,
    ),
    "gwenllian": (
        {
            "harm_physical": 4,
            "harm_psychological": 2,
            "harm_financial": 1,
            "harm_community": 3,
            "scope": 1,
            "vulnerability": 1,
            "likelihood": 5,
            "confidence": 1,
            "capability": 1,
            "capacity": 1,
            "opportunity": 2,
        },
        40,
    ),
    "harbour": (
        {
            "harm_physical": 2,
            "harm_psychological": 3,
            "harm_financial": 2,
            "harm_community": 2,
            "scope": 1,
            "vulnerability": 2,
            "likelihood": 4,
            "confidence": 1,
            "capability": 2,
            "capacity": 1,
            "opportunity": 2,
        },
        100,
    ),
    "ystwyth": (
        {
            "harm_physical": 1,
            "harm_psychological": 1,
            "harm_financial": 3,
            "harm_community": 2,
            "scope": 1,
            "vulnerability": 1,
            "likelihood": 5,
            "confidence": 1,
            "capability": 2,
            "capacity": 2,
            "opportunity": 2,
        },
        110,
    ),
    "irwell": (
        {
            "harm_physical": 4,
            "harm_psychological": 3,
            "harm_financial": 2,
            "harm_community": 3,
            "scope": 2,
            "vulnerability": 2,
            "likelihood": 5,
            "confidence": 2,
            "capability": 1,
            "capacity": 1,
            "opportunity": 2,
        },
        30,
    ),
    "hollinwood": (
        {
            "harm_physical": 3,
            "harm_psychological": 3,
            "harm_financial": 1,
            "harm_community": 3,
            "scope": 0,
            "vulnerability": 3,
            "likelihood": 5,
            "confidence": 1,
            "capability": 2,
            "capacity": 2,
            "opportunity": 2,
        },
        95,
    ),
}


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
    scenario = {
        ocg.pk: SCENARIO_SCORES[key]
        for key, ocg in world.refs.get("scenario_ocgs", {}).items()
        if key in SCENARIO_SCORES
    }
    scales = {d.code: list(d.levels.all()) for d in dimensions}
    for item in world.track(items, total=len(items), desc="assessments"):
        story = scenario.get(item.pk) if isinstance(item, Ocg) else None
        if story is None and rng.random() < 0.1:
            continue  # a few are mapped but not yet scored
        levels = {}
        for d in dimensions:
            scale = scales[d.code]
            if story is not None and d.code in story[0]:
                index = min(len(scale) - 1, story[0][d.code])
            else:
                # Skew towards the middle of each scale, as real assessments are.
                index = min(len(scale) - 1, max(0, round(rng.triangular(0, len(scale) - 1))))
            levels[d.code] = scale[index]
        days_ago = story[1] if story is not None else rng.randint(0, 130)
        # Never assessed before it was on the register.
        mapped = getattr(item, "mapped_on", None) or getattr(item, "designated_on", None)
        if mapped is not None:
            days_ago = min(days_ago, max(0, (timezone.localdate() - mapped).days))
        assessed_at = now - dt.timedelta(days=days_ago)
        # Some have been assessed before, every review cycle or so: a history with a trend.
        history = [levels]
        for _earlier in range(rng.choice([0] * 8 + [1, 2, 3])):
            earlier = dict(history[-1])
            moved = rng.choice(dimensions)
            scale = scales[moved.code]
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
                rationale=_rationale(rng, level),
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


def _rationale(rng: random.Random, level: ScaleLevel) -> str:
    """Why a level was chosen, in an analyst's words: the level and what it rests on."""
    why = rng.choice(RATIONALES)
    return f"{level.label}: {why[0].lower()}{why[1:]}"


def reset() -> None:
    AssessmentValue.objects.all().delete()
    Assessment.objects.all().delete()


# Before the plans, so that the top of the picture is known when the plans are written.
STEP = SeedStep(name="scoring", order=26, run=seed, reset=reset)
