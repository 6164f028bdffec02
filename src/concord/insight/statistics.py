"""The figures of a quarterly public release: validated disruptions and their outcomes per
region, counted from every record (these are national aggregates, published only after
disclosure control and a second person's approval), and their protection.

A disruption counts in the region of the organisation it was claimed for (an NCA disruption
under "National agencies"), in the quarter of the financial year it happened in.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, Sum

from concord.insight import disclosure
from concord.insight.choices import StatisticsTable
from concord.organisations.models import Region
from concord.plans.choices import DisruptionStatus, Strand
from concord.plans.models import Disruption

NATIONAL = "National agencies"
TOTAL = "England and Wales"
STRANDS = ["Pursue", "Prevent", "Protect", "Prepare"]
STRAND_CODES: list[str] = [Strand.PURSUE, Strand.PREVENT, Strand.PROTECT, Strand.PREPARE]
# The published outcome tables: each a count per region, from these sums over disruptions.
OUTCOMES: dict[str, Any] = {
    StatisticsTable.ARRESTS: Sum("arrests"),
    StatisticsTable.CHARGES: Sum("charges"),
    StatisticsTable.SAFEGUARDED: Sum("victims_safeguarded") + Sum("children_safeguarded"),
    StatisticsTable.FIREARMS: Sum("firearms"),
    StatisticsTable.DRUGS: Count("pk", filter=Q(drugs_kg__gt=0)),
    StatisticsTable.CASH: Count("pk", filter=Q(cash_gbp__gt=0)),
}


def quarter_dates(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter of the financial year starting in April of `year`."""
    month = 4 + 3 * (quarter - 1)
    first = dt.date(year + (month > 12), (month - 1) % 12 + 1, 1)
    after_month = month + 3
    after = dt.date(year + (after_month > 12), (after_month - 1) % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


def quarter_of(day: dt.date) -> tuple[int, int]:
    """(financial year, quarter) a day falls in."""
    year = day.year if day.month >= 4 else day.year - 1
    return year, ((day.month - 4) % 12) // 3 + 1


def regions() -> list[str]:
    """The rows of every table: each region by name, then the national agencies."""
    return [*Region.objects.order_by("name").values_list("name", flat=True), NATIONAL]


def count(year: int, quarter: int) -> dict[str, dict[str, Any]]:
    """The true counts of the quarter, per table: {"labels": rows, "counts": nested lists}."""
    first, last = quarter_dates(year, quarter)
    rows = regions()
    index = {name: i for i, name in enumerate(rows)}
    validated = Disruption._base_manager.filter(
        status=DisruptionStatus.VALIDATED, occurred_on__gte=first, occurred_on__lte=last
    )
    by_strand: dict[int, list[int]] = defaultdict(lambda: [0] * len(STRAND_CODES))
    for group in validated.values("claimed_for__region__name", "strand").annotate(n=Count("pk")):
        row = index.get(group["claimed_for__region__name"] or NATIONAL, index[NATIONAL])
        if group["strand"] in STRAND_CODES:
            by_strand[row][STRAND_CODES.index(group["strand"])] += group["n"]
    found: dict[str, dict[str, Any]] = {
        StatisticsTable.DISRUPTIONS: {
            "labels": rows,
            "columns": STRANDS,
            "counts": [by_strand[i] for i in range(len(rows))],
        }
    }
    sums = validated.values("claimed_for__region__name").annotate(
        **{f"n_{code}": expression for code, expression in OUTCOMES.items()}
    )
    per_table: dict[str, list[int]] = {code: [0] * len(rows) for code in OUTCOMES}
    for summed in sums:
        found_row: dict[str, Any] = dict(summed)
        i = index.get(found_row["claimed_for__region__name"] or NATIONAL, index[NATIONAL])
        for code in OUTCOMES:
            per_table[code][i] += int(found_row[f"n_{code}"] or 0)
    for code in OUTCOMES:
        found[code] = {"labels": rows, "counts": per_table[code]}
    return found


@dataclass(frozen=True)
class Protected:
    """One table as protected: the engine's release and what is published of it."""

    code: str
    release: disclosure.Release

    def published(self) -> dict[str, Any]:
        return {"code": self.code, "data": disclosure.as_data(self.release, total_label=TOTAL)}


def rules_of(data: dict[str, Any]) -> disclosure.Rules:
    protection = data.get("protection", {})
    return disclosure.Rules(
        threshold=int(data.get("threshold", 10)),
        rounding_base=int(data.get("rounding_base", 5)),
        protection=disclosure.Protection(
            percent=float(protection.get("percent", 20)), width=int(protection.get("width", 4))
        ),
    )


def protect(counts: dict[str, dict[str, Any]], rules: disclosure.Rules) -> list[Protected]:
    """Every table protected under the rules, each checked by the engine's audit (a table the
    audit finds unsafe raises `UnsafeReleaseError`, and nothing is kept)."""
    made: list[Protected] = []
    for code in StatisticsTable.values:
        table = counts[code]
        rows = disclosure.Dimension("region", tuple(table["labels"]))
        if "columns" in table:
            dimensions: tuple[disclosure.Dimension, ...] = (
                rows,
                disclosure.Dimension("strand", tuple(table["columns"])),
            )
        else:
            dimensions = (rows,)
        release = disclosure.protect(
            disclosure.Table(dimensions=dimensions, counts=table["counts"]), rules
        )
        made.append(Protected(code=code, release=release))
    return made
