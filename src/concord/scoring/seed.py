"""Demo world: an assessment for most OCGs under the default model, some overdue."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.scoring.models import Assessment, AssessmentValue, published_model
from concord.scoring.services import score
from concord.threats.models import Ocg

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
    ocgs = list(world.refs.get("ocgs", Ocg.objects.order_by("pk")))
    now = timezone.now()
    assessments: list[Assessment] = []
    chosen_levels = []
    for ocg in world.track(ocgs, total=len(ocgs), desc="assessments"):
        if rng.random() < 0.1:
            continue  # a few are mapped but not yet scored
        levels = {}
        for d in dimensions:
            scale = list(d.levels.all())
            # Skew towards the middle of each scale, as real assessments are.
            index = min(len(scale) - 1, max(0, round(rng.triangular(0, len(scale) - 1))))
            levels[d.code] = scale[index]
        scored = score(model, levels)
        assessed_at = now - dt.timedelta(days=rng.randint(0, 130))
        assessments.append(
            Assessment(
                ocg=ocg,
                model=model,
                assessor=assessor,
                assessed_at=assessed_at,
                risk_score=scored.risk,
                position_score=scored.position,
                band=scored.band,
                confidence=scored.confidence,
                summary=rng.choice(RATIONALES),
            )
        )
        chosen_levels.append(levels)
        ocg.band, ocg.band_rank, ocg.risk_score = (
            scored.band,
            model.band_rank(scored.band),
            scored.risk,
        )
        ocg.assessed_on = timezone.localtime(assessed_at).date()
        ocg.review_due_on = ocg.assessed_on + dt.timedelta(days=model.review_days)
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
    Ocg.objects.bulk_update(
        [a.ocg for a in assessments],
        ["band", "band_rank", "risk_score", "assessed_on", "review_due_on"],
        batch_size=1000,
    )
    world.count("assessments", len(assessments))


def reset() -> None:
    AssessmentValue.objects.all().delete()
    Assessment.objects.all().delete()


STEP = SeedStep(name="scoring", order=30, run=seed, reset=reset)
