"""The prioritised picture: one ranked list, with band-to-owning-level mismatches explained."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core.choices import OrganisationKind
from concord.scoring.choices import OwnerLevel
from concord.scoring.models import ScoringModel
from concord.threats.models import Ocg

KIND_LEVEL = {
    OrganisationKind.FORCE: OwnerLevel.FORCE,
    OrganisationKind.PARTNER: OwnerLevel.FORCE,
    OrganisationKind.ROCU: OwnerLevel.REGION,
    OrganisationKind.NATIONAL: OwnerLevel.NATIONAL,
}


def ranked(queryset: QuerySet[Ocg]) -> QuerySet[Ocg]:
    """Highest priority first: band, then risk score; unassessed items last."""
    return (
        queryset.select_related("owner", "owner__region")
        .prefetch_related("criminality_types")
        .order_by(
            F("band_rank").asc(nulls_last=True), F("risk_score").desc(nulls_last=True), "reference"
        )
    )


@dataclass(frozen=True)
class Row:
    ocg: Ocg
    level: str
    overdue: bool
    mismatch: str


def rows(items: Iterable[Ocg], model: ScoringModel | None) -> list[Row]:
    today = timezone.localdate()
    fit: dict[str, list[str]] = model.level_fit if model else {}
    out = []
    for ocg in items:
        level = KIND_LEVEL[OrganisationKind(ocg.owner.kind)]
        mismatch = ""
        if ocg.band and fit.get(ocg.band[:-1]) and level not in fit[ocg.band[:-1]]:
            mismatch = _("Band %(band)s is held at %(level)s level; it fits %(fit)s.") % {
                "band": ocg.band,
                "level": OwnerLevel(level).label.lower(),
                "fit": _(" or ").join(str(OwnerLevel(f).label).lower() for f in fit[ocg.band[:-1]]),
            }
        out.append(
            Row(ocg, level, ocg.review_due_on is None or ocg.review_due_on < today, mismatch)
        )
    return out


def counts_by_band(queryset: QuerySet[Ocg]) -> list[dict[str, Any]]:
    """How many items in each band (for the chart and its table)."""
    from django.db.models import Count

    counts = (
        queryset.exclude(band="")
        .values("band", "band_rank")
        .annotate(n=Count("id", distinct=True))
        .order_by("band_rank")
    )
    return [dict(row) for row in counts]
