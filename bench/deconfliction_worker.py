"""Runs inside a bench subprocess (Django set up by env): the online deconfliction checks.

    python bench/deconfliction_worker.py subjects N      load N people, time checks of one
    python bench/deconfliction_worker.py events N        load N deployments, time event checks

Loads with COPY (PostgreSQL) into a migrated, empty database: the people are the matching
bench's synthetic UK people (Faker en_GB, seeded) with their blocking keys as
`SubjectKey` rows, spread over 1,000 active operations of the police organisations; each probe
is a planted corrupted copy (a typo, a nickname, swapped day and month…) or a new person, and
is timed through `checking.matches`, the read the registration service makes (index look-up of
the keys, then the engine's score of the candidates).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import statistics
import sys
import time

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from concord.deconfliction import checking  # noqa: E402
from concord.deconfliction.choices import DeploymentKind, SubjectKind  # noqa: E402
from concord.deconfliction.matching import synthetic  # noqa: E402
from concord.deconfliction.models import Deployment, Operation, Subject  # noqa: E402
from concord.organisations.models import Organisation  # noqa: E402

OPERATIONS = 1000
PROBES = 300


def _operations() -> list[int]:
    owners = list(Organisation.objects.exclude(kind="partner").values_list("pk", flat=True))
    today = timezone.localdate()
    made = Operation.objects.bulk_create(
        [
            Operation(
                owner_id=owners[i % len(owners)],
                name=f"Operation {i}",
                contact_name=f"Desk {i}",
                starts=today - dt.timedelta(days=30),
            )
            for i in range(OPERATIONS)
        ],
        batch_size=1000,
    )
    return [o.pk for o in made]


def _copy(table: str, columns: list[str], rows: list[tuple[object, ...]]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor() as pg, pg.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
            cp.write(buffer.getvalue())


def _percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p95": ordered[int(len(ordered) * 0.95) - 1] * 1000,
        "max": ordered[-1] * 1000,
    }


def subjects(size: int) -> dict[str, float]:
    started = time.perf_counter()
    planted = synthetic.planted(size, copies=PROBES / size * 2, relatives=0.1)
    copies = {copy for _original, copy in planted.pairs}
    people = [p for p in planted.people if p.id not in copies]
    made_seconds = time.perf_counter() - started
    operations = _operations()
    now = timezone.now().isoformat()
    started = time.perf_counter()
    first = (Subject.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    subject_rows = []
    key_rows = []
    for i, p in enumerate(people):
        pk = first + i
        op = operations[i % len(operations)]
        postcode = p.postcode.upper()
        subject_rows.append(
            (
                pk,
                op,
                SubjectKind.PERSON.value,
                p.given_name,
                p.surname,
                "",
                p.dob,
                "",
                postcode,
                now,
            )
        )
        fake = Subject(
            pk=pk,
            operation_id=op,
            kind=SubjectKind.PERSON,
            given_name=p.given_name,
            surname=p.surname,
            dob=p.dob,
            postcode=postcode,
        )
        for key in checking.keys_of(fake):
            key_rows.append((pk, op, key.replace("\t", " "), "t"))
    columns = ["id", "operation_id", "kind", "given_name", "surname", "aliases", "dob", "value"]
    _copy("deconfliction_subject", [*columns, "postcode", "created_at"], subject_rows)
    _copy("deconfliction_subjectkey", ["subject_id", "operation_id", "key", "active"], key_rows)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('deconfliction_subject_id_seq', %s)", [first + len(people)])
        cursor.execute("ANALYZE deconfliction_subject")
        cursor.execute("ANALYZE deconfliction_subjectkey")
    load_seconds = time.perf_counter() - started
    # Probes: the planted copies (each should find its original) and as many new people.
    probe_op = Operation.objects.create(
        owner=Organisation.objects.get(code="GMP"),
        name="Probe",
        contact_name="Probe desk",
        starts=timezone.localdate(),
    )
    rng = random.Random(14)  # benchmark sampling
    copy_people = [p for p in planted.people if p.id in copies][:PROBES]
    times: list[float] = []
    found = 0
    for p in copy_people:
        probe = Subject(
            pk=0,
            operation=probe_op,
            kind=SubjectKind.PERSON,
            given_name=p.given_name,
            surname=p.surname,
            dob=p.dob,
            postcode=p.postcode.upper(),
        )
        keys = checking.keys_of(probe)
        t0 = time.perf_counter()
        hits = checking.matches(probe, keys)
        times.append(time.perf_counter() - t0)
        found += bool(hits)
    fresh = synthetic.planted(PROBES, copies=0, relatives=0, seed=rng.randint(1000, 9999))
    for p in fresh.people:
        probe = Subject(
            pk=0,
            operation=probe_op,
            kind=SubjectKind.PERSON,
            given_name=p.given_name,
            surname=p.surname,
            dob=p.dob,
            postcode=p.postcode.upper(),
        )
        keys = checking.keys_of(probe)
        t0 = time.perf_counter()
        checking.matches(probe, keys)
        times.append(time.perf_counter() - t0)
    return {
        "subjects": len(people),
        "keys": len(key_rows),
        "made_seconds": made_seconds,
        "load_seconds": load_seconds,
        "probes": len(times),
        "copies": len(copy_people),
        "copies_found": found,
        **_percentiles(times),
    }


# England and Wales, roughly: deployments fall in this box.
SOUTH, NORTH, WEST, EAST = 50.2, 54.9, -4.9, 1.4


def events(size: int) -> dict[str, float]:
    operations = _operations()
    rng = random.Random(14)  # benchmark data
    start_of_year = timezone.now() - dt.timedelta(days=180)
    kinds = [k.value for k in DeploymentKind]
    now = timezone.now().isoformat()
    rows = []
    started = time.perf_counter()
    for i in range(size):
        starts = start_of_year + dt.timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        ends = starts + dt.timedelta(minutes=rng.randint(60, 8 * 60))
        rows.append(
            (
                operations[i % len(operations)],
                rng.choice(kinds),
                "",
                "",
                round(rng.uniform(SOUTH, NORTH), 5),
                round(rng.uniform(WEST, EAST), 5),
                rng.choice((50, 100, 200, 400, 1000)),
                starts.isoformat(),
                ends.isoformat(),
                "f",
                now,
            )
        )
    columns = ["operation_id", "kind", "place", "postcode", "latitude", "longitude"]
    columns += ["radius_m", "starts", "ends", "urgent", "created_at"]
    _copy("deconfliction_deployment", columns, rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE deconfliction_deployment")
    load_seconds = time.perf_counter() - started
    probe_op = Operation.objects.create(
        owner=Organisation.objects.get(code="GMP"),
        name="Probe",
        contact_name="Probe desk",
        starts=timezone.localdate(),
    )
    times: list[float] = []
    conflicts = 0
    # Probes in the busiest places: where deployments already are, at their times.
    sample = list(Deployment.objects.order_by("?")[:PROBES])
    for other in sample:
        probe = Deployment(
            operation=probe_op,
            kind="warrant",
            latitude=other.latitude + 0.001,
            longitude=other.longitude,
            radius_m=200,
            starts=other.starts,
            ends=other.starts + dt.timedelta(hours=2),
        )
        t0 = time.perf_counter()
        found = checking.clashes(probe)
        times.append(time.perf_counter() - t0)
        conflicts += bool(found)
    return {
        "deployments": size,
        "load_seconds": load_seconds,
        "probes": len(times),
        "with_conflict": conflicts,
        **_percentiles(times),
    }


if __name__ == "__main__":
    what, size = sys.argv[1], int(sys.argv[2])
    result = subjects(size) if what == "subjects" else events(size)
    print(json.dumps(result, default=str))
