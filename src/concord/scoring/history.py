"""An item's assessment history: every assessment, what changed from the one before, and the
points of its score-trend chart (drawn as inline SVG, with the table as its text alternative)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from concord.scoring.models import Assessment, subject_field
from concord.threats.models import RegisterItem

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 600, 200, 24


@dataclass
class Entry:
    assessment: Assessment
    # (dimension name, level before, level now) for each dimension whose level changed.
    changed: list[tuple[str, str, str]] = field(default_factory=list)
    first: bool = False


@dataclass
class History:
    entries: list[Entry]  # newest first
    points: str = ""  # SVG polyline points, oldest to newest
    dots: list[dict[str, Any]] = field(default_factory=list)
    top: Decimal = Decimal(0)
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT

    def __bool__(self) -> bool:
        return bool(self.entries)


def for_item(item: RegisterItem) -> History:
    """Every assessment of `item`, in a fixed number of queries however long its history."""
    assessments = list(
        Assessment.objects.filter(**{subject_field(item): item})
        .select_related("assessor", "model", "rescored_from")
        .prefetch_related("values__dimension", "values__level")
        .order_by("assessed_at", "id")
    )
    entries: list[Entry] = []
    previous: dict[str, tuple[str, int, str]] = {}
    for index, assessment in enumerate(assessments):
        now = {
            v.dimension.code: (v.dimension.display_name, v.level.order, v.level.display_label)
            for v in assessment.values.all()
        }
        changed = [
            (name, previous[code][2] if code in previous else "—", label)
            for code, (name, order, label) in now.items()
            if code not in previous or previous[code][1] != order
        ]
        entries.append(Entry(assessment, [] if index == 0 else changed, first=index == 0))
        previous = now
    history = History(entries=list(reversed(entries)))
    if assessments:
        top = max(a.risk_score for a in assessments) or Decimal(1)
        span = max(1, len(assessments) - 1)
        inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD
        dots = []
        for index, a in enumerate(assessments):
            x = CHART_PAD + (inner_w * index / span if len(assessments) > 1 else inner_w / 2)
            y = CHART_PAD + inner_h * (1 - float(a.risk_score / top))
            dots.append({"x": round(x, 1), "y": round(y, 1), "assessment": a})
        history.dots = dots
        history.points = " ".join(f"{d['x']},{d['y']}" for d in dots)
        history.top = top
    return history
