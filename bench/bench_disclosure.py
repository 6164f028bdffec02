"""Disclosure control of the public statistics (issue 15): protection and audit times.

No database: synthetic quarterly tables from a fixed seed, protected by the engine and audited
afresh, each timed as the median of a few runs in this process.

    python bench/bench_disclosure.py      (prints the section)
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

REGIONS = [
    "North West",
    "North East",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "Eastern",
    "South East",
    "South West",
    "Southern Wales",
    "London",
]
STRANDS = ["Pursue", "Prevent", "Protect", "Prepare"]
OUTCOMES = [
    "Arrests",
    "Charges",
    "Convictions",
    "Drug seizures",
    "Cash seizures",
    "Firearms seized",
    "People safeguarded",
    "Children safeguarded",
]
# A quarter's typical count per region for each column: Pursue dominates (HMICFRS found ROCUs
# lean to it); firearms and safeguarded children are rare.
STRAND_SCALE = [120, 14, 22, 6]
OUTCOME_SCALE = [90, 60, 35, 40, 18, 4, 25, 8]
FORCES = 43
CATEGORIES = 12
RUNS = 5


def _counts(rng: random.Random, rows: int, scales: list[int]) -> list[list[int]]:
    # Regions differ in size (London and the North West are several times Southern Wales).
    sizes = [rng.uniform(0.3, 2.5) for _ in range(rows)]
    return [[max(0, round(rng.gauss(s * k, (s * k) ** 0.5 + 1))) for k in scales] for s in sizes]


def tables() -> list[tuple[str, Any]]:
    """The benchmark's tables: a region's quarterly release, two ways, and a force table."""
    from concord.insight.disclosure import Dimension, Table

    rng = random.Random(15)
    region = Dimension("region", tuple(REGIONS))
    force = Dimension("force", tuple(f"Force {i + 1:02d}" for i in range(FORCES)))
    category = Dimension("category", tuple(f"Category {j + 1:02d}" for j in range(CATEGORIES)))
    force_scales = [rng.choice([5, 12, 25, 50, 100]) for _ in range(CATEGORIES)]
    return [
        (
            "10 regions + England and Wales x 4 strands",
            Table(
                dimensions=(region, Dimension("strand", tuple(STRANDS))),
                counts=_counts(rng, len(REGIONS), STRAND_SCALE),
            ),
        ),
        (
            "10 regions + England and Wales x 8 outcome kinds",
            Table(
                dimensions=(region, Dimension("outcome", tuple(OUTCOMES))),
                counts=_counts(rng, len(REGIONS), OUTCOME_SCALE),
            ),
        ),
        (
            f"{FORCES} forces x {CATEGORIES} categories",
            Table(dimensions=(force, category), counts=_counts(rng, FORCES, force_scales)),
        ),
    ]


def measure() -> list[dict[str, Any]]:
    """Protect and audit each table RUNS times; the medians and the release's figures."""
    from concord.insight.disclosure import Protection, Rules, audit, protect

    rules = Rules(threshold=10, rounding_base=5, protection=Protection(percent=20, width=5))
    results = []
    for name, table in tables():
        protecting, auditing, releases = [], [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            release = protect(table, rules)
            protecting.append(time.perf_counter() - started)
            started = time.perf_counter()
            intervals = audit(table.dimensions, release.published())
            auditing.append(time.perf_counter() - started)
            releases.append(release.cells)
        cells = len(release.cells)
        results.append(
            {
                "name": name,
                "cells": cells,
                "interior": len(table.cells),
                "primary": release.primary,
                "secondary": release.secondary,
                "audited": len(intervals),
                "protect": statistics.median(protecting),
                "audit": statistics.median(auditing),
                "deterministic": all(r == releases[0] for r in releases),
            }
        )
    return results


def run(ctx: Any) -> list[str]:
    results = measure()
    lines = [
        "## Disclosure control of the public statistics (issue 15; no database)",
        "",
        "Synthetic quarterly counts from a fixed seed (Pursue far above the other strands; "
        "firearms and safeguarded children rare), protected under the rules of a release: "
        "counts 1 to 9 suppressed, totals published (England and Wales is the total row), "
        "each primary cell's deducible interval at least ±20% and 5 wide, the fewest cells "
        "lost, figures rounded to 5. *Protect* is primary and secondary suppression, the pass "
        "that publishes again any secondary cell found needless (an audit each), and the "
        "closing check (the whole of `protect`); *audit* is one more exact audit of "
        f"the release (two LPs per suppressed cell). Median of {RUNS} runs in one process.",
        "",
        "| table | cells and totals | primary | secondary | protect | audit | same release "
        "every run |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['cells']} | {r['primary']} | {r['secondary']} | "
            f"{r['protect'] * 1000:,.0f} ms | {r['audit'] * 1000:,.0f} ms | "
            f"{'yes' if r['deterministic'] else 'no'} |"
        )
    lines += [
        "",
        "Every release above passed its audit (`protect` raises otherwise). A release is "
        "protected once, when it is prepared, and checked again when it is approved, so these "
        "times are spent a few times a quarter, not per page view.",
    ]
    return lines


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print("\n".join(run(None)))
