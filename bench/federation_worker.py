"""Runs inside a subprocess for bench/bench_federation.py (Django set up by env).

    python bench/federation_worker.py origin --objects N --feed FILE
    python bench/federation_worker.py people
    python bench/federation_worker.py ingest --feed FILE [--envelope 1000]
    python bench/federation_worker.py held

`origin` makes the origin instance's feed: OCGs and released reports owned by the origin
organisation, each shared with the recipient organisation (core Share rows) and published into
its TAXII feed as `feed.publish` would (the same objects, bodies, versions and date_added ticks,
written in bulk), then checks that by publishing samples through the services themselves. It
writes the feed (date_added and body, in date_added order) to FILE. `people` adds the
recipient's analysts (who are told of what arrives). `ingest` registers the origin as a peer
and times `ingest.ingest` on signed envelopes of the feed. `held` counts what an instance holds
from its peer. Each verb prints one JSON object as its last line of output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import statistics
import time
from typing import Any

ORIGIN = "DYP"  # the force whose instance is the origin (A)
RECIPIENT = "TARIAN"  # its ROCU, whose instance (B) pulls
OCGS = 5_000
SEED = 20261129
CONDITIONS = [
    "Law enforcement only; consult DYP before any action.",
    "Not to be disclosed outside the ROCU's Pursue team without the originator's consent.",
    "Do not action before the originating SIO's briefing; risk to a covert source.",
]
PLACES = [
    "Pembroke Dock", "Haverfordwest", "Carmarthen", "Llanelli", "Aberystwyth", "Newtown",
    "Brecon", "Llandrindod Wells", "Milford Haven", "Fishguard", "Cardigan", "Lampeter",
    "Ammanford", "Tenby", "Welshpool", "Machynlleth", "Builth Wells", "Swansea",
]  # fmt: skip
SUBJECTS = [
    "Cash couriers", "A county line", "Firearms", "Cannabis cultivation", "Stolen plant",
    "Modern slavery", "Money laundering through a car wash", "Cocaine supply",
    "Fraud against older residents", "Organised acquisitive crime",
]  # fmt: skip
SENTENCES = [
    "A grey Transit van registered to a hire company was seen at the address {n} times.",
    "The subject is believed to collect cash on Thursdays and travel east on the M4.",
    "Two handguns are said to have been moved by ferry from Rosslare in the last month.",
    "A new line number began advertising on {n} May; runners are local teenagers.",
    "The property has been fitted with reinforced doors and a CCTV camera facing the lane.",
    "Payments of about £{n},000 pass through a business account with little trade.",
    "The source states the group uses encrypted handsets bought in Birmingham.",
    "Vulnerable adults at the flats are being cuckooed; at least {n} doors are involved.",
    "The vehicle was stopped near the Severn Bridge with a concealed compartment.",
    "Associates meet at a gym after closing; counter-surveillance has been noticed.",
]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.config.settings")
    import django

    django.setup()


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload), flush=True)


def _person(username: str, code: str, roles: list[str]) -> Any:
    from django.utils import timezone

    from concord.organisations.models import Organisation, Role, User

    person, _made = User.objects.update_or_create(
        username=username,
        defaults={
            "organisation": Organisation.objects.get(code=code),
            "first_name": username.split(".")[-1].title(),
            "last_name": "Bench",
            "email": f"{username}@example.invalid",
            "vetting_level": "NPPV3",
            "vetting_expires": timezone.localdate() + dt.timedelta(days=365),
            "is_active": True,
        },
    )
    person.set_unusable_password()
    person.save(update_fields=["password"])
    person.roles.set(Role.objects.filter(code__in=roles))
    return person


# --- origin --------------------------------------------------------------------------------

# Filled before the generating processes fork (they read these, never the database).
_REPORTS: list[Any] = []
_REPORT_OCGS: list[list[Any]] = []


def _report_rows(index: int) -> list[tuple[Any, ...]]:
    """The report's feed rows exactly as `feed.publish` computes them."""
    from concord.intelligence import feed, stix

    report = _REPORTS[index]
    return feed._rows(stix.report_objects(report, _REPORT_OCGS[index]), report)


def _rows_chunk(indices: range) -> list[list[tuple[Any, ...]]]:
    return [_report_rows(i) for i in indices]


def _plan(rng: random.Random) -> dict[str, Any]:
    """One report's fields (besides owner, reference, originator and times)."""
    code = "C" if rng.random() < 0.3 else "P"
    text = " ".join(
        s.format(n=rng.randint(2, 40)) for s in rng.sample(SENTENCES, rng.randint(2, 5))
    )
    return {
        "title": f"{rng.choice(SUBJECTS)} in {rng.choice(PLACES)}",
        "text": text,
        "information_date": dt.date.today() - dt.timedelta(days=rng.randint(1, 365)),
        "place": rng.choice(PLACES) if rng.random() < 0.8 else "",
        "classification": "OFFICIAL",
        "sensitive": rng.random() < 0.4,
        "source_evaluation": rng.choice("1223"),
        "intelligence_assessment": rng.choice("ABBCCDE"),
        "handling_code": code,
        "handling_conditions": rng.choice(CONDITIONS) if code == "C" else "",
    }


def _feed_objects(
    rows: list[tuple[Any, ...]],
    report: Any,
    organisation: Any,
    last: dt.datetime,
    seen: set[tuple[str, Any]],
) -> tuple[list[Any], dt.datetime]:
    """`feed._publish` for one report and one organisation, without the database: the clock
    ticks once per row, and a definition already in the feed is left out (ignore_conflicts)."""
    from concord.intelligence.feed import TICK
    from concord.intelligence.models import FeedObject

    at = last + TICK
    made = []
    for stix_id, kind, version, definition, body in rows:
        if not (definition and (stix_id, version) in seen):
            if definition:
                seen.add((stix_id, version))
            made.append(
                FeedObject(
                    organisation=organisation,
                    stix_id=stix_id,
                    kind=kind,
                    version=version,
                    date_added=at,
                    report=None if definition else report,
                    tombstone=False,
                    body=body,
                )
            )
        at += TICK
    return made, at


def _shape(row: Any) -> tuple[Any, ...]:
    return (row.stix_id, row.kind, row.version, row.report_id, row.tombstone, row.body)


def _check_against_services(
    reports: list[Any],
    refs: list[str],
    people: tuple[Any, Any],
    recipient: Any,
    last: dt.datetime,
    seen: set[Any],
) -> dict[str, Any]:
    """What the bulk build wrote is what dissemination writes: re-publish some bulk reports
    with `feed.publish`, and disseminate a new report through the services; each compared
    with what the bulk code makes of it. Rolled back afterwards."""
    from django.db import transaction

    from concord.intelligence import feed, services, stix
    from concord.intelligence.models import FeedObject, IntelReport

    analyst, sro = people
    checked: list[str] = []
    with transaction.atomic():
        for report in reports:
            report = IntelReport.objects.select_related("owner").get(pk=report.pk)
            # What disseminate passes to publish: the subjects the sharer may see.
            seen_by = services.subjects_seen_by(analyst, report)
            subjects = (seen_by.ocgs, seen_by.nominals, seen_by.entities)
            # The definitions it names are in the feed once, as publish writes them.
            for stix_id, kind, version, definition, body in feed._rows(
                stix.report_objects(report, *subjects), report
            ):
                if (
                    definition
                    and not FeedObject.objects.filter(
                        organisation=recipient,
                        stix_id=stix_id,
                        kind=kind,
                        version=version,
                        report=None,
                        tombstone=False,
                        body=body,
                    ).exists()
                ):
                    raise AssertionError(f"definition {stix_id} is not in the feed as published")
            mine = FeedObject.objects.filter(organisation=recipient, report=report)
            bulk = sorted(_shape(r) for r in mine)
            mine.delete()
            feed.publish(report, [recipient], *subjects)
            again = sorted(_shape(r) for r in FeedObject.objects.filter(report=report))
            if again != bulk:
                raise AssertionError(f"bulk feed rows for {report.reference} differ from publish")
            checked.append(report.reference)
        made = services.record_report(
            actor=analyst,
            title="Firearms through Pembroke Dock",
            text="Two handguns moved by ferry in a grey Transit (sighting 1).",
            information_date=dt.date.today() - dt.timedelta(days=2),
            grading=services.Grading("2", "B", "C", CONDITIONS[0]),
            place="Pembroke Dock",
            sensitive=True,
            ocgs=refs,
        )
        services.release(actor=analyst, report=made)
        services.approve_release(actor=sro, report=made)
        made.refresh_from_db()
        services.disseminate(actor=analyst, report=made, to=[recipient], purpose="Bench check")
        published = FeedObject.objects.filter(organisation=recipient, report=made)
        first = min(r.date_added for r in published)
        ocgs = list(made.ocgs.order_by("reference"))
        global _REPORTS, _REPORT_OCGS
        _REPORTS, _REPORT_OCGS = [made], [ocgs]
        objects, _at = _feed_objects(_report_rows(0), made, recipient, last, set(seen))
        if sorted(_shape(r) for r in objects) != sorted(_shape(r) for r in published):
            raise AssertionError("the bulk code's rows differ from what disseminate published")
        if first <= last:
            raise AssertionError("disseminate dated its rows before the bulk feed's clock")
        checked.append(f"{made.reference} (record, release, approve, disseminate)")
        transaction.set_rollback(True)
    return {"checked": checked, "kinds": sorted({r.kind for r in published})}


def origin(args: argparse.Namespace) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections, transaction
    from django.utils import timezone

    from concord.core.models import Share
    from concord.intelligence.choices import ReportStatus
    from concord.intelligence.models import FeedClock, FeedObject, IntelReport
    from concord.organisations.models import Organisation
    from concord.threats.models import Ocg, ReferenceCounter

    started = time.perf_counter()
    rng = random.Random(SEED)
    owner = Organisation.objects.get(code=ORIGIN)
    recipient = Organisation.objects.get(code=RECIPIENT)
    analyst = _person("dp.bench.analyst", ORIGIN, ["analyst"])
    sro = _person("dp.bench.sro", ORIGIN, ["sro"])

    ocgs = Ocg.objects.bulk_create(
        [
            Ocg(
                owner=owner,
                reference=f"OCG-{ORIGIN}-{n:06d}",
                name=f"Operation {rng.choice(['Dragon', 'Kite', 'Harbour', 'Slate'])} {n}",
                mapped_on=dt.date.today() - dt.timedelta(days=rng.randint(30, 2000)),
                created_by=analyst,
            )
            for n in range(1, OCGS + 1)
        ],
        batch_size=2000,
    )
    # Reports until the feed holds at least the wanted number of objects (definitions count
    # once: the feed keeps the first of each).
    plans: list[dict[str, Any]] = []
    chosen: list[list[Any]] = []
    definitions: set[str] = set()
    count = 0
    while count < args.objects:
        plan = _plan(rng)
        group = rng.sample(ocgs, rng.choices([0, 1, 2], [2, 5, 3])[0])
        marking = "OFFICIAL-SENSITIVE" if plan["sensitive"] else "OFFICIAL"
        new = {"identity", "extension", marking} - definitions
        if plan["handling_conditions"]:
            new |= {plan["handling_conditions"]} - definitions
        definitions |= new
        count += 1 + len(group) + bool(plan["place"]) + len(new)
        plans.append(plan)
        chosen.append(sorted(group, key=lambda o: o.reference))
    now = timezone.now()
    reports = IntelReport.objects.bulk_create(
        [
            IntelReport(
                owner=owner,
                reference=f"INT-{ORIGIN}-{n:06d}",
                originator=analyst,
                status=ReportStatus.RELEASED,
                released_at=now,
                **plan,
            )
            for n, plan in enumerate(plans, start=1)
        ],
        batch_size=2000,
    )
    through = IntelReport.ocgs.through
    through.objects.bulk_create(
        [
            through(intelreport_id=r.pk, ocg_id=o.pk)
            for r, group in zip(reports, chosen, strict=True)
            for o in group
        ],
        batch_size=5000,
    )
    content_type = ContentType.objects.get_for_model(IntelReport)
    Share.objects.bulk_create(
        [
            Share(
                content_type=content_type,
                object_id=r.pk,
                to_organisation=recipient,
                purpose="Tarian's regional tasking",
                created_by=analyst,
            )
            for r in reports
        ],
        batch_size=5000,
    )
    for prefix, last_number in (("INT", len(reports)), ("OCG", OCGS)):
        ReferenceCounter.objects.update_or_create(
            prefix=prefix, organisation=owner, defaults={"last": last_number}
        )
    rows_started = time.perf_counter()
    global _REPORTS, _REPORT_OCGS
    _REPORTS, _REPORT_OCGS = reports, chosen
    for report in reports:
        report.owner = owner
    from concord.intelligence import stix  # noqa: F401  # imported once, before the fork

    connections.close_all()
    size = 500
    chunks = [range(i, min(i + size, len(reports))) for i in range(0, len(reports), size)]
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        per_report = [rows for chunk in pool.map(_rows_chunk, chunks) for rows in chunk]
    rows_s = time.perf_counter() - rows_started

    insert_started = time.perf_counter()
    seen: set[tuple[str, Any]] = set()
    last = timezone.now()
    objects: list[Any] = []
    for report, rows in zip(reports, per_report, strict=True):
        made, last = _feed_objects(rows, report, recipient, last, seen)
        objects += made
    with transaction.atomic():
        FeedObject.objects.bulk_create(objects, batch_size=5000)
        FeedClock.objects.update_or_create(organisation=recipient, defaults={"last": last})
    insert_s = time.perf_counter() - insert_started

    with open(args.feed, "w", encoding="utf-8") as out:
        for row in objects:
            out.write(f"{row.date_added.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%S.%fZ}\t{row.body}\n")
    # One report of each shape (C-coded with two OCGs and a place; P-coded with neither),
    # and one at random.
    shapes = list(zip(reports, plans, chosen, strict=True))
    samples = [
        next(r for r, p, g in shapes if p["handling_code"] == "C" and len(g) == 2 and p["place"]),
        next(r for r, p, g in shapes if p["handling_code"] == "P" and not g and not p["place"]),
        rng.choice(reports),
    ]
    refs = sorted(o.reference for o in rng.sample(ocgs, 2))
    check = _check_against_services(samples, refs, (analyst, sro), recipient, last, seen)
    kinds: dict[str, int] = {}
    for row in objects:
        kinds[row.kind] = kinds.get(row.kind, 0) + 1
    _emit(
        {
            "reports": len(reports),
            "ocgs": OCGS,
            "objects": len(objects),
            "distinct": len({r.stix_id for r in objects}),
            "kinds": kinds,
            "bytes": sum(len(r.body.encode()) for r in objects),
            "c_coded": sum(1 for p in plans if p["handling_code"] == "C"),
            "rows_s": rows_s,
            "insert_s": insert_s,
            "total_s": time.perf_counter() - started,
            "check": check,
        }
    )


# --- people --------------------------------------------------------------------------------


def people(args: argparse.Namespace) -> None:
    """The recipient's analysts and intelligence officers, told of intelligence received."""
    for n, role in enumerate(["analyst", "analyst", "intelligence_officer"], start=1):
        _person(f"tarian.bench{n}", RECIPIENT, [role])
    _emit({"people": 3})


# --- ingest --------------------------------------------------------------------------------


def read_feed(path: str) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8") as feed:
        return [tuple(line.rstrip("\n").split("\t", 1)) for line in feed]  # type: ignore[misc]


def ingest(args: argparse.Namespace) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.db import connection

    from concord.core import context
    from concord.intelligence import ingest as ingesting
    from concord.intelligence import signing
    from concord.intelligence.federation import register_peer
    from concord.intelligence.models import IntelReport, ReceivedObject

    people(args)
    key = Ed25519PrivateKey.generate()
    peer, _token = register_peer(
        name="force",
        organisation=ORIGIN,
        local_organisation=RECIPIENT,
        url="http://127.0.0.1:9/taxii2/api/",
        public_key=signing.encode_public(key.public_key()),
    )
    bodies = [body for _at, body in read_feed(args.feed)]
    texts = []
    for start in range(0, len(bodies), args.envelope):
        unsigned = (
            '{"objects":['
            + ",".join(bodies[start : start + args.envelope])
            + f'],"x_concord_from":"{ORIGIN}","x_concord_to":"{RECIPIENT}"}}'
        )
        texts.append(_signed(unsigned, key))

    # Where the time goes: the checks (signature; each object parsed as STIX 2.1) and the
    # writes, timed by wrapping the functions ingest calls.
    phases = {"verify": 0.0, "stix": 0.0, "check": 0.0, "apply": 0.0}

    def timed(name: str, module: Any, attribute: str) -> None:
        inner = getattr(module, attribute)

        def wrapper(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return inner(*a, **k)
            finally:
                phases[name] += time.perf_counter() - t

        setattr(module, attribute, wrapper)

    timed("verify", signing, "verify")
    timed("stix", ingesting, "_check_objects")
    timed("check", ingesting, "check")
    timed("apply", ingesting, "_apply")
    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, ctx: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, ctx)

    times: list[float] = []
    parse = 0.0
    objects = new = skipped = 0
    with context.acting(source="federation"), connection.execute_wrapper(count):
        for text in texts:
            t = time.perf_counter()
            envelope = json.loads(text)
            parse += time.perf_counter() - t
            t = time.perf_counter()
            result = ingesting.ingest(peer, envelope)
            times.append(time.perf_counter() - t)
            objects += result.objects
            new += len(result.new)
            skipped += result.skipped
    total = sum(times)
    ordered = sorted(times)
    _emit(
        {
            "envelopes": len(times),
            "objects": objects,
            "new_reports": new,
            "skipped": skipped,
            "seconds": total,
            "rate": objects / total,
            "p50": statistics.median(times),
            "p95": ordered[int(0.95 * (len(ordered) - 1))],
            "max": ordered[-1],
            "parse_s": parse,
            "phases": phases,
            "queries": queries[0],
            "held_reports": IntelReport.objects.filter(origin=peer).count(),
            "held_objects": ReceivedObject.objects.filter(peer=peer).count(),
        }
    )


def _signed(unsigned: str, key: Any) -> str:
    """signing.signed_text, with the peer's key rather than this instance's."""
    from concord.intelligence import signing

    signature = json.dumps(signing.signature_for(unsigned.encode(), key), separators=(",", ":"))
    return f'{unsigned[:-1]},"{signing.SIGNATURE}":{signature}}}'


# --- held ----------------------------------------------------------------------------------


def held(args: argparse.Namespace) -> None:
    from django.db.models import Count

    from concord.core.models import Share
    from concord.intelligence.models import IntelReport, ReceivedObject

    received = IntelReport.objects.filter(origin__isnull=False)
    duplicates = (
        ReceivedObject.objects.values("peer", "stix_id").annotate(n=Count("id")).filter(n__gt=1)
    )
    _emit(
        {
            "reports": received.count(),
            "references": received.values("reference").distinct().count(),
            "released": received.filter(status="released").count(),
            "received": ReceivedObject.objects.count(),
            "distinct": ReceivedObject.objects.values("stix_id").distinct().count(),
            "duplicates": duplicates.count(),
            "shares": Share.objects.filter(
                object_id__in=received.values("pk"), revoked_at__isnull=True
            ).count(),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    verbs = parser.add_subparsers(dest="verb", required=True)
    made = verbs.add_parser("origin")
    made.add_argument("--objects", type=int, required=True)
    made.add_argument("--feed", required=True)
    verbs.add_parser("people")
    taken = verbs.add_parser("ingest")
    taken.add_argument("--feed", required=True)
    taken.add_argument("--envelope", type=int, default=1000)
    verbs.add_parser("held")
    args = parser.parse_args()
    _setup()
    {"origin": origin, "people": people, "ingest": ingest, "held": held}[args.verb](args)


if __name__ == "__main__":
    main()
