"""Intelligence at national scale: the list, the API list and one report's page over the
national world's 1,000,000 reports (server time, through the whole Django stack with the
access policy)."""

from __future__ import annotations

import json
from typing import Any

RUNS = 40
WHO = ("nca.tasking", "tarian.chair", "dp.analyst")


def run(ctx: Any) -> list[str]:
    url = ctx.national_world()
    figures = {
        who: json.loads(ctx.python(url, "intelligence_worker.py", who, str(RUNS))) for who in WHO
    }
    total = next(iter(figures.values()))["total"]
    lines = [
        "## Intelligence at national scale (PostgreSQL)",
        "",
        f"National world: {total:,} intelligence reports (seeded by `seed_demo --scale "
        "national`), a fifth of those released shared with a region's ROCU, a neighbour or "
        "the NCA.",
        "",
        "| page | as (visible) | p50 (ms) | p95 (ms) | queries | target |",
        "|---|---|---:|---:|---:|---|",
    ]
    names = {
        "list": "/intelligence/ (first page)",
        "api": "/api/v1/intelligence?limit=25",
        "report": "one report's page",
    }
    for who, fig in figures.items():
        for key, name in names.items():
            if key in fig:
                lines.append(
                    f"| {name} | `{who}` ({fig['visible']:,}) | {fig[key]['p50']:.0f} | "
                    f"{fig[key]['p95']:.0f} | {fig[key]['queries']} | p95 under 150 ms |"
                )
    lines += [
        "",
        f"Server time through Django's test client ({RUNS} requests each, after one warm-up), "
        "with the page's audit entry. Intelligence has no regional or national reach, so what "
        "a person sees is their own organisation's reports and those shared with them. The "
        "list page and the API list read a page through `VisibleList` (core/visible_list.py): "
        "each of the two (the owner's reports from an index of owner and date, the shared "
        "ones by id) gives only its own first rows, merged in order, and the count is the own "
        "reports' plus the shared ones they do not hold. The 150 ms is the prioritised "
        "picture's target, taken as the comparison; no peer system exists for this measure.",
        "",
        "The list's reading alone (its count and first 50 reports, as calls in the worker), "
        "by `VisibleList` and by the code path it replaced (the policy's queryset ordered and "
        "limited as one query, which PostgreSQL answered by reading every report to test it "
        "against the visible ids), in the same run:",
        "",
        "| as | VisibleList p50 (ms) | p95 (ms) | plain queryset p50 (ms) | p95 (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for who, fig in figures.items():
        arms, plain = fig["paths"]["arms"], fig["paths"]["plain"]
        lines.append(
            f"| `{who}` | {arms['p50']:.0f} | {arms['p95']:.0f} | "
            f"{plain['p50']:.0f} | {plain['p95']:.0f} |"
        )
    return lines
