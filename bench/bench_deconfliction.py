"""Deconfliction's online checks on PostgreSQL (issue 14): one subject against N registered
(index look-up of its blocking keys, then the engine's score of the candidates) and one
planned deployment against a year of national deployments (bounding box and time window on
indexed columns, then the haversine distance).

CONCORD_BENCH_DECONFLICTION_SUBJECTS (default 1000000) and CONCORD_BENCH_DECONFLICTION_EVENTS
(default 350000) set the sizes.
"""

from __future__ import annotations

import json
import os
from typing import Any


def run(ctx: Any) -> list[str]:
    size = int(os.environ.get("CONCORD_BENCH_DECONFLICTION_SUBJECTS", "1000000"))
    events = int(os.environ.get("CONCORD_BENCH_DECONFLICTION_EVENTS", "350000"))
    url = ctx.postgres_database("concord_bench_deconfliction")
    ctx.concord(url, "migrate", "--no-input", "-v", "0")
    people = json.loads(ctx.python(url, "deconfliction_worker.py", "subjects", str(size)))
    print(f"  subjects: p95 {people['p95']:.1f} ms over {people['subjects']:,}", flush=True)
    places = json.loads(ctx.python(url, "deconfliction_worker.py", "events", str(events)))
    print(f"  events: p95 {places['p95']:.1f} ms over {places['deployments']:,}", flush=True)
    return [
        "## Deconfliction: the online checks (PostgreSQL)",
        "",
        "| measure | figure | target (issue 14) |",
        "|---|---:|---|",
        f"| check one person against {people['subjects']:,} registered "
        f"({people['keys']:,} blocking keys), {people['probes']} probes | "
        f"p50 {people['p50']:.1f} ms, p95 {people['p95']:.1f} ms, max {people['max']:.0f} ms "
        "| p95 <= 50 ms |",
        f"| check one deployment against {places['deployments']:,} over a year, "
        f"{places['probes']} probes ({places['with_conflict']} in conflict) | "
        f"p50 {places['p50']:.1f} ms, p95 {places['p95']:.1f} ms, max {places['max']:.0f} ms "
        "| p95 <= 50 ms |",
        "",
        f"People: the matching bench's synthetic UK people (made in {people['made_seconds']:.0f} "
        f"s, loaded by COPY in {people['load_seconds']:.0f} s) over 1,000 active operations; "
        f"half the probes are planted corrupted copies ({people['copies_found']} of "
        f"{people['copies']} found their original), half new people. Timed: "
        "`deconfliction.checking.matches`, the read the registration service makes (the "
        "service then writes the subject, its keys, any hit and the audit entry). Deployments: "
        "random points over England and Wales, random times over a year, radii 50 m to 1 km; "
        "each probe is placed 110 m from an existing deployment at its time.",
    ]
