"""Effectiveness for the nation and the nightly consistency run, at national scale."""

from __future__ import annotations

import json
from typing import Any

RUNS = 20


def run(ctx: Any) -> list[str]:
    url = ctx.national_world()
    got = json.loads(ctx.python(url, "insight_worker.py", str(RUNS)).strip().splitlines()[-1])
    print(
        f"  effectiveness: p50 {got['p50'] * 1000:.0f} ms, p95 {got['p95'] * 1000:.0f} ms; "
        f"nightly consistency {got['nightly']:.1f} s",
        flush=True,
    )
    page = "yes" if got["p95"] <= 0.3 else "no"
    nightly = "yes" if got["nightly"] <= 60 else "no"
    return [
        "## Effectiveness and national consistency at national scale (PostgreSQL)",
        "",
        "| measure | figure | target (issue 15) | meets |",
        "|---|---:|---|---|",
        f"| the effectiveness page for England and Wales over a financial year, against the "
        f"year before, as the national function reads it ({got['disruptions']:,} disruptions) "
        f"| p50 {got['p50'] * 1000:.0f} ms, p95 {got['p95'] * 1000:.0f} ms, "
        f"{got['queries']} queries | p95 at most 300 ms | {page} |",
        f"| the nightly consistency run over every ROCU and force (every rule) | "
        f"{got['nightly']:.1f} s, {got['exceptions']:,} exceptions | at most 60 s | {nightly} |",
        "",
        f"The page through Django's test client as `nca.tasking`, {RUNS} times after one "
        "warm-up, in one process: every figure is an aggregate query over the reader's visible "
        "querysets, for both periods. The run is `insight.consistency.run`, one aggregate query "
        "per rule and model, the exceptions written in batches of 2,000.",
    ]
