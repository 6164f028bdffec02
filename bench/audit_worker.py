"""Runs inside a subprocess for bench/bench_audit.py: builds and times the audit trail.

    python bench/audit_worker.py generate --count N [--chunk 10000] [--seal interleaved|after]
    python bench/audit_worker.py verify [--jobs N] [--repeat 3]
    python bench/audit_worker.py overhead [--n 2000] [--user dp.analyst]
    python bench/audit_worker.py pages [--n 200]

DATABASE_URL names the database (already migrated; `overhead` and `pages` need the demo world).
Each verb prints one JSON object as its last line of output.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

ACTIONS = ["view"] * 70 + ["search"] * 15 + ["update"] * 10 + ["export"] * 5
ORGANISATIONS = ["DYP", "GMP", "TARIAN", "NCA", "MCC", "WMP", "ROCU-NW", "SWP", "NWP", "GWP"]
OBJECT_TYPES = [
    ("threats.ocg", "OCG"),
    ("threats.nominal", "Nominal"),
    ("organisations.user", "Person"),
    ("threats.intelreport", "Intelligence report"),
]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "python-httpx/0.27.0",
]
STATUSES = ["active", "dormant", "disrupted", "archived"]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.config.settings")
    import django

    django.setup()


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload), flush=True)


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- generate ------------------------------------------------------------------------------


def _entries(count: int, rng: random.Random) -> Any:
    """Yield (field values in MAC_FIELDS order) for `count` realistic entries, oldest first."""
    from concord.core import audit

    actors = [
        (
            i,
            f"{rng.choice(['dp', 'gmp', 'tarian', 'nca', 'mcc'])}.user{i}",
            rng.choice(ORGANISATIONS),
        )
        for i in range(1, 3001)
    ]
    v4 = [
        f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(500)
    ]
    v6 = [f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(1, 65536):x}" for _ in range(50)]
    ips = [audit._normalise_ip(ip) for ip in v4 + v6]  # as audit.record stores them
    start = datetime.now(UTC) - timedelta(days=365)
    step = 365 * 86400 * 1_000_000 // max(count, 1)  # microseconds between entries
    for n in range(count):
        actor_id, username, org = rng.choice(actors)
        action = rng.choice(ACTIONS)
        changes: dict[str, Any] = {}
        detail: dict[str, Any] = {}
        if action in ("view", "update"):
            object_type, label = rng.choice(OBJECT_TYPES)
            object_id = str(rng.randrange(1, 50000))
            object_repr = f"{label} {object_id}"
            owner = rng.choice(ORGANISATIONS)
            if action == "update":
                before, after = rng.sample(STATUSES, 2)
                changes = {"status": [before, after], "review_due": [None, "2026-03-01"]}
        else:
            object_type, object_id, object_repr, owner = "core.auditentry", "", "", ""
            detail = {"filters": {"q": f"name{rng.randrange(1000)}", "organisation": org}}
            if action == "export":
                detail["format"] = rng.choice(["csv", "xlsx"])
        at = start + timedelta(microseconds=n * step + rng.randrange(step or 1))
        yield (
            uuid.uuid4().hex,  # uid
            at,
            actor_id,
            username,
            org,
            action,
            object_type,
            object_id,
            object_repr[:200],
            owner,
            audit._json_safe(changes),
            audit._json_safe(detail),
            "",  # reason
            rng.choice(["web"] * 9 + ["api"]),
            rng.choice(ips),
            rng.choice(USER_AGENTS)[:300],
            uuid.uuid4().hex,  # request id
        )


def _insert_postgres(rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    from concord.core import audit

    columns = [*audit.MAC_FIELDS, "mac"]
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        names = ", ".join(columns)
        with cursor.copy(f"COPY core_auditentry ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    raw.commit()


def _insert_sqlite(rows: list[tuple[Any, ...]]) -> None:
    """executemany with the values adapted as the ORM adapts them (bulk_create is ~4x slower)."""
    from django.db import connection, transaction
    from django.db.models import Field

    from concord.core import audit
    from concord.core.models import AuditEntry

    columns = [*audit.MAC_FIELDS, "mac"]
    fields = [AuditEntry._meta.get_field(name) for name in columns]
    special = [
        (i, field)
        for i, field in enumerate(fields)
        if isinstance(field, Field)
        if field.get_internal_type() in ("DateTimeField", "JSONField", "GenericIPAddressField")
    ]
    adapted = []
    for row in rows:
        values = list(row)
        for i, field in special:
            values[i] = field.get_db_prep_save(values[i], connection)
        adapted.append(values)
    names = ", ".join(columns)
    marks = ", ".join(["%s"] * len(columns))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO core_auditentry ({names}) VALUES ({marks})", adapted)  # noqa: S608


def generate(args: argparse.Namespace) -> None:
    _setup()
    from django.db import connection

    from concord.core import audit

    key = audit._key()
    changes_at, detail_at = audit.MAC_FIELDS.index("changes"), audit.MAC_FIELDS.index("detail")
    postgres = connection.vendor == "postgresql"
    insert = _insert_postgres if postgres else _insert_sqlite
    rng = random.Random(20260101)  # synthetic data, not security
    build = write = seal = 0.0
    sealed = 0
    source = _entries(args.count, rng)
    done = 0
    while done < args.count:
        started = time.perf_counter()
        rows = []
        for values in source:
            mac = audit.mac_for(values, key)
            if postgres:  # COPY takes JSON as text
                values = (
                    *values[:changes_at],
                    json.dumps(values[changes_at]),
                    json.dumps(values[detail_at]),
                    *values[detail_at + 1 :],
                )
            rows.append((*values, mac))
            if len(rows) == args.chunk:
                break
        build += time.perf_counter() - started
        started = time.perf_counter()
        insert(rows)
        write += time.perf_counter() - started
        done += len(rows)
        if args.seal == "interleaved":
            started = time.perf_counter()
            sealed += audit.seal_pending()
            seal += time.perf_counter() - started
    if args.seal == "after":
        started = time.perf_counter()
        while n := audit.seal_pending():
            sealed += n
        seal += time.perf_counter() - started
    _emit(
        {
            "entries": done,
            "build_s": build,
            "insert_s": write,
            "seal_s": seal,
            "sealed": sealed,
            "method": "COPY" if postgres else "executemany",
        }
    )


# --- verify --------------------------------------------------------------------------------


def verify(args: argparse.Namespace) -> None:
    """Time audit.verify() `--repeat` times; CPU and memory include its worker processes."""
    _setup()
    from django.db import connection

    from concord.core import audit

    connection.ensure_connection()
    before = _maxrss_mib()
    seconds = []
    cpu_start = _cpu_seconds()
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = audit.verify(ranges=args.jobs)
        seconds.append(time.perf_counter() - started)
        if not result.ok:
            break
    _emit(
        {
            "ok": result.ok,
            "problem": result.problem,
            "entries": result.entries,
            "seals": result.seals,
            "unsealed": result.unsealed,
            "processes": result.processes,
            "runs": seconds,
            "seconds": statistics.median(seconds),
            "cpu_s": (_cpu_seconds() - cpu_start) / len(seconds),
            "maxrss_before_mib": before,
            "maxrss_mib": _maxrss_mib(),
            "worker_maxrss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        }
    )


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the verify workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# --- overhead per audited request ----------------------------------------------------------


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "mean_ms": statistics.fmean(ordered) * 1000,
        "p50_ms": ordered[len(ordered) // 2] * 1000,
        "p95_ms": ordered[int(len(ordered) * 0.95)] * 1000,
    }


def overhead(args: argparse.Namespace) -> None:
    _setup()
    from django.db import connection, transaction

    from concord.core import audit, context, signals
    from concord.organisations.models import User

    user = User.objects.get(username=args.user)
    people = list(User.objects.filter(is_active=True).order_by("pk"))

    def empty(i: int) -> None:
        with transaction.atomic():
            pass

    def view_as(actor: Any) -> Any:
        def audited(i: int) -> None:
            with transaction.atomic():
                audit.record(
                    "view",
                    actor=actor if actor is not None else people[i % len(people)],
                    object_type="threats.ocg",
                    object_id=str(i),
                    object_repr=f"OCG {i}: the Example family",
                    owner_code="DYP",
                )

        return audited

    def timed(step: Any, offset: int, n: int) -> list[float]:
        samples = []
        for i in range(n):
            with context.acting(
                source="web", ip="10.1.2.3", user_agent=USER_AGENTS[0], request_id=uuid.uuid4().hex
            ):
                started = time.perf_counter()
                step(offset + i)
                samples.append(time.perf_counter() - started)
        return samples

    with connection.cursor() as cursor:
        cursor.execute("SHOW fsync")
        fsync = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        synchronous_commit = cursor.fetchone()[0]
    # Warm up (connection, caches) on people other than the one measured below.
    timed(empty, 0, 200)
    timed(view_as(None), 1_000_000, 200)
    results: dict[str, Any] = {
        "n": args.n,
        "people": len(people),
        "fsync": fsync,
        "synchronous_commit": synchronous_commit,
    }
    results["empty"] = _summary(timed(empty, 0, args.n))
    # The audit trail's own cost: the monitoring detectors (run on commit) disconnected.
    receivers = signals.audit_entry_committed.receivers[:]
    signals.audit_entry_committed.receivers.clear()
    signals.audit_entry_committed.sender_receivers_cache.clear()
    try:
        results["no_monitoring"] = _summary(timed(view_as(None), 2_000_000, args.n))
    finally:
        signals.audit_entry_committed.receivers[:] = receivers
        signals.audit_entry_committed.sender_receivers_cache.clear()
    # As shipped, views spread over everyone (a light history each), then all by one person.
    results["spread"] = _summary(timed(view_as(None), 3_000_000, args.n))
    results["one_person"] = _summary(timed(view_as(user), 4_000_000, args.n))
    audit.seal_pending()
    _emit(results)


def pages(args: argparse.Namespace) -> None:
    _setup()
    from django.test import Client

    from concord.organisations.models import User

    def timed(username: str, path: str) -> dict[str, float]:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        for _ in range(20):
            assert client.get(path).status_code == 200  # bench sanity
        samples = []
        for _ in range(args.n):
            started = time.perf_counter()
            response = client.get(path)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200
        return _summary(samples)

    _emit(
        {
            "n": args.n,
            "organisations": timed("dp.analyst", "/organisations/"),
            "audit_search": timed("psd.auditor", "/audit/?person=dp.analyst"),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="verb", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--count", type=int, required=True)
    gen.add_argument("--chunk", type=int, default=10000)
    gen.add_argument("--seal", choices=["interleaved", "after", "none"], default="interleaved")
    check = sub.add_parser("verify")
    check.add_argument("--jobs", type=int, default=None, help="as `concord audit verify --jobs`")
    check.add_argument("--repeat", type=int, default=3)
    over = sub.add_parser("overhead")
    over.add_argument("--n", type=int, default=2000)
    over.add_argument("--user", default="dp.analyst")
    page = sub.add_parser("pages")
    page.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    {"generate": generate, "verify": verify, "overhead": overhead, "pages": pages}[args.verb](args)


if __name__ == "__main__":
    main()
