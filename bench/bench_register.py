"""The register at national scale: re-scoring every OCG, and the prioritised picture's first
page (server time, through the whole Django stack with the access policy)."""

from __future__ import annotations

import json
from typing import Any

RUNS = 60


def run(ctx: Any) -> list[str]:
    url = ctx.national_world()
    pictures = {
        who: json.loads(ctx.python(url, "register_worker.py", "picture", who, str(RUNS)))
        for who in ("nca.tasking", "tarian.chair", "dp.analyst")
    }
    rescore = json.loads(ctx.python(url, "register_worker.py", "rescore"))
    print(f"  re-score {rescore['rescored']} items in {rescore['seconds']:.1f} s", flush=True)
    lines = [
        "## The register at national scale (PostgreSQL)",
        "",
        f"National world: {rescore['total_ocgs']:,} OCGs and {rescore['total_pis']:,} priority "
        "individuals, with vulnerabilities (seeded by `seed_demo --scale national`).",
        "",
        "| measure | figure | target (issue 4) |",
        "|---|---:|---|",
        "| re-score the latest assessment of every assessed OCG, PI and vulnerability under a "
        f"new model version ({rescore['rescored']:,}) | "
        f"{rescore['seconds']:.1f} s | under 10 s |",
    ]
    for who, fig in pictures.items():
        lines.append(
            f"| prioritised picture, first page, as `{who}` ({fig['visible']:,} visible) | "
            f"p50 {fig['p50']:.0f} ms, p95 {fig['p95']:.0f} ms, {fig['queries']} queries | "
            "p95 under 150 ms |"
        )
    lines += [
        "",
        f"Server time through Django's test client ({RUNS} requests each, after one warm-up): "
        "the access policy's filter, ranking, band counts, pagination and the page's audit "
        "entry. The list ranks OCGs, PIs and vulnerabilities together (a UNION of the three "
        "access-filtered queries, ordered and paged by the database). No peer system exists "
        "for this measure; the three personas compare national, regional and force reach on "
        "the same data.",
    ]
    return lines
