"""The prioritised picture: OCGs, priority individuals and vulnerabilities in one ranked list,
with band-to-owning-level mismatches explained.

Each kind is read through its own `visible_to(user)` and the filters, reduced to the same
columns, and the three are combined with UNION so that one ORDER BY and one LIMIT rank them
in the database: the first page costs the same number of queries whatever the register holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, F, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from concord.core.choices import OrganisationKind
from concord.organisations.models import Organisation
from concord.scoring.choices import OwnerLevel
from concord.scoring.filters import PictureFilter
from concord.scoring.models import ScoringModel
from concord.threats.models import REGISTER_ITEMS, CriminalityType, Ocg

KIND_LEVEL = {
    OrganisationKind.FORCE: OwnerLevel.FORCE,
    OrganisationKind.PARTNER: OwnerLevel.FORCE,
    OrganisationKind.ROCU: OwnerLevel.REGION,
    OrganisationKind.NATIONAL: OwnerLevel.NATIONAL,
}
KIND_LABELS = {
    "ocg": _lazy("OCG"),
    "pi": _lazy("Priority individual"),
    "vulnerability": _lazy("Vulnerability"),
}
COLUMNS = (
    "item_kind",
    "pk",
    "reference",
    "name",
    "band",
    "band_rank",
    "risk_score",
    "owner_id",
    "review_due_on",
)


def _part(kind: str, user: Any, filters: PictureFilter) -> QuerySet[Any]:
    model = REGISTER_ITEMS[kind]
    part: QuerySet[Any] = (
        filters.filter_for(kind, model.objects.visible_to(user))
        .annotate(item_kind=Value(kind, output_field=CharField()))
        .order_by()
        .values_list(*COLUMNS)
    )
    return part


def kinds(filters: PictureFilter) -> list[str]:
    return [filters.kind] if filters.kind else list(REGISTER_ITEMS)


def ranked(user: Any, filters: PictureFilter) -> QuerySet[Any]:
    """Highest priority first: band, then risk score; unassessed items last. Rows are tuples
    of COLUMNS; UNION (not UNION ALL) drops the repeats that filter joins make."""
    parts = [_part(kind, user, filters) for kind in kinds(filters)]
    combined = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0].distinct()
    return combined.order_by(
        F("band_rank").asc(nulls_last=True), F("risk_score").desc(nulls_last=True), "reference"
    )


@dataclass(frozen=True)
class Row:
    kind: str
    pk: int
    reference: str
    name: str
    band: str
    risk_score: Any
    owner: Organisation
    review_due_on: Any
    level: str
    overdue: bool
    mismatch: str
    criminality: list[str]

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


def _criminality(tuples: list[tuple[Any, ...]]) -> dict[tuple[str, int], list[str]]:
    """Criminality names per item on a page: an OCG's own; a PI's or vulnerability's from the
    OCGs it is linked to. One query per kind present, whatever the page size."""
    names = {t.pk: t.display_name for t in CriminalityType.objects.all()}
    found: dict[tuple[str, int], list[str]] = {}
    for kind in REGISTER_ITEMS:
        ids = [t[1] for t in tuples if t[0] == kind]
        if not ids:
            continue
        if kind == "ocg":
            pairs = Ocg.criminality_types.through.objects.filter(ocg_id__in=ids).values_list(
                "ocg_id", "criminalitytype_id"
            )
        else:
            model: Any = REGISTER_ITEMS[kind]
            pairs = (
                model.objects.filter(pk__in=ids, ocgs__criminality_types__isnull=False)
                .values_list("pk", "ocgs__criminality_types")
                .distinct()
            )
        for item_id, type_id in pairs:
            found.setdefault((kind, item_id), [])
            if names[type_id] not in found[(kind, item_id)]:
                found[(kind, item_id)].append(names[type_id])
    return found


def rows(tuples: Iterable[tuple[Any, ...]], model: ScoringModel | None) -> Iterator[Row]:
    """Rows for a page (or an export chunk) of `ranked` tuples: owners, criminality, level,
    overdue and mismatch resolved in a fixed number of queries."""
    today = timezone.localdate()
    fit: dict[str, list[str]] = model.level_fit if model else {}
    batch: list[tuple[Any, ...]] = []
    for item in tuples:
        batch.append(item)
        if len(batch) == 500:
            yield from _rows(batch, fit, today)
            batch = []
    if batch:
        yield from _rows(batch, fit, today)


def _rows(tuples: list[tuple[Any, ...]], fit: dict[str, list[str]], today: Any) -> Iterator[Row]:
    owners = Organisation.objects.select_related("region").in_bulk({t[7] for t in tuples})
    criminality = _criminality(tuples)
    for kind, pk, reference, name, band, _rank, risk, owner_id, due in tuples:
        owner = owners[owner_id]
        level = KIND_LEVEL[OrganisationKind(owner.kind)]
        mismatch = ""
        if band and fit.get(band[:-1]) and level not in fit[band[:-1]]:
            mismatch = _("Band %(band)s is held at %(level)s level; it fits %(fit)s.") % {
                "band": band,
                "level": OwnerLevel(level).label.lower(),
                "fit": _(" or ").join(str(OwnerLevel(f).label).lower() for f in fit[band[:-1]]),
            }
        yield Row(
            kind=kind,
            pk=pk,
            reference=reference,
            name=name,
            band=band,
            risk_score=risk,
            owner=owner,
            review_due_on=due,
            level=level,
            overdue=due is None or due < today,
            mismatch=mismatch,
            criminality=criminality.get((kind, pk), []),
        )


def counts_by_band(user: Any, filters: PictureFilter) -> list[dict[str, Any]]:
    """How many items in each band, all kinds together (for the chart and its table)."""
    totals: dict[tuple[str, int | None], int] = {}
    for kind in kinds(filters):
        model = REGISTER_ITEMS[kind]
        matching = filters.filter_for(kind, model.objects.visible_to(user)).exclude(band="")
        for row in (
            model.objects.filter(pk__in=matching.values("pk"))
            .values("band", "band_rank")
            .annotate(n=Count("id"))
            .order_by()
        ):
            key = (row["band"], row["band_rank"])
            totals[key] = totals.get(key, 0) + row["n"]
    return [
        {"band": band, "band_rank": rank, "n": n}
        for (band, rank), n in sorted(totals.items(), key=lambda kv: kv[0][1] or 0)
    ]
