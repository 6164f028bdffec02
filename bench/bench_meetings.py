"""Agenda building at national scale: the NCA's national tasking forum over the whole register."""

from __future__ import annotations

import json
from typing import Any

RUNS = 20


def run(ctx: Any) -> list[str]:
    url = ctx.national_world()
    got = json.loads(ctx.python(url, "meetings_worker.py", str(RUNS)).strip().splitlines()[-1])
    print(f"  national agenda: p50 {got['p50']:.2f} s, p95 {got['p95']:.2f} s", flush=True)
    meets = "yes" if got["p95"] < 2 else "no"
    return [
        "## Agenda building at national scale (PostgreSQL)",
        "",
        "| measure | figure | target (issue 6) | meets |",
        "|---|---:|---|---|",
        f"| build the national tasking forum's agenda over {got['ocgs']:,} visible OCGs (and the "
        f"PIs, vulnerabilities, requests, plans and claims) | p50 {got['p50']:.2f} s, "
        f"p95 {got['p95']:.2f} s, {got['items']} items, {got['queries']} queries | under 2 s | "
        f"{meets} |",
        "",
        f"`meetings.services.build_agenda` as the chair (`nca.tasking`) runs it, {RUNS} times "
        "after one warm-up, in one process: every kind of entry is one query through the chair's "
        "access policy, capped at 20 entries per kind and register type with a count of the rest, "
        "then written as agenda items in one insert. No peer system exists for this measure.",
    ]
