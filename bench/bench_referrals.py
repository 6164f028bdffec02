"""Partner referrals (issue 16): an upload of 10,000 Border Force referrals, each checked
against the national register (50,000 nominals and their phones), through the same service as
the upload page (services.upload_referrals: parse, route, store, check, audit).

By default it runs on the national demo world on PostgreSQL (shared with the other national
benchmarks). CONCORD_BENCH_REFERRALS_DATABASE names another database holding a seeded world
instead (the register is topped up with synthetic nominals to national size where it holds
fewer); CONCORD_BENCH_REFERRALS (default 10000) and CONCORD_BENCH_REFERRALS_NOMINALS (default
50000) size the run.
"""

from __future__ import annotations

import json
import os
from typing import Any


def run(ctx: Any) -> list[str]:
    referrals = int(os.environ.get("CONCORD_BENCH_REFERRALS", "10000"))
    nominals = int(os.environ.get("CONCORD_BENCH_REFERRALS_NOMINALS", "50000"))
    url = os.environ.get("CONCORD_BENCH_REFERRALS_DATABASE") or ctx.national_world()
    where = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    out = ctx.python(url, "referrals_worker.py", str(referrals), str(nominals))
    figures = json.loads(out.strip().splitlines()[-1])
    return section(figures, where)


def section(f: dict[str, Any], where: str) -> list[str]:
    return [
        f"## Partner referrals: an upload checked against the national register ({where})",
        "",
        f"{f['referrals']:,} Border Force parcel referrals uploaded as one file through "
        "`services.upload_referrals` (every row parsed and routed, stored, checked against "
        "every nominal by the deconfliction matching engine and against intelligence by "
        "identifier, priorities set, one audit entry each), one transaction.",
        "",
        "| what | figure |",
        "|---|---|",
        f"| nominals on the register (indexed) | {f['nominals']:,} |",
        f"| of them synthetic, added to reach national size | {f['added_nominals']:,} |",
        f"| indexing the register | {f['index_seconds']} s |",
        f"| upload: parse, store, check, audit | {f['upload_seconds']} s |",
        f"| total | {f['total_seconds']} s |",
        f"| referrals checked per second | {f['checks_per_second']:,} |",
        f"| hits kept (match and pointer each) | {f['matches']:,} ({f['strong']:,} strong) |",
        "",
        "Target (issue 16): Border Force's fast-parcel referrals to one region run at about "
        "1,124 a year; a national year is a few 10,000-row files, each taken in well inside a "
        "background task's budget.",
        "",
    ]
