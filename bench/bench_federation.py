"""Federation at a force's scale: ingesting signed STIX, a sync of 100,000 objects between two
instances, and the OASIS reference TAXII 2.1 server (medallion) on the same objects.

Each instance is its own PostgreSQL database (a copy of one migrated template, as
tests/federation/conftest.py makes them) and, where served, its own `concord runserver
--noreload` process on loopback, peered as the two-instance tests peer them. The Django work
runs in subprocesses (bench/federation_worker.py); the HTTP clients run here.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from bench.federation_worker import read_feed

ROOT = Path(__file__).resolve().parent.parent
WORKER = ROOT / "bench" / "federation_worker.py"

OBJECTS = 100_000  # in the origin's feed for the peer's organisation
ENVELOPE = 1_000  # objects per signed envelope (ingest, and adding over HTTP)
PAGE = 1_000  # TAXII page size (CONCORD_FEDERATION_PAGE, medallion's max_page_size)
TARGET_RATE = 2_000  # objects/s ingested
TARGET_SYNC_S = 120.0
# Time allowed for each open-ended measure; what does not fit is measured on fewer objects
# and, for medallion, extrapolated.
HTTP_ADD_BUDGET_S = 120.0  # Concord's ingest over HTTP
MEDALLION_FETCH_BUDGET_S = 90.0
MEDALLION_ADD_BUDGET_S = 75.0
TAXII = "application/taxii+json;version=2.1"
CONCORD = [sys.executable, "-m", "concord.config.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _admin(ctx: Any, sql: str) -> None:
    import psycopg

    with psycopg.connect(_with_db(ctx.postgres_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)  # our own literal SQL


def _copy(ctx: Any, template: str, name: str) -> str:
    """A database made from the migrated template (CREATE DATABASE … TEMPLATE), dropped by
    the run's cleanup."""
    _admin(ctx, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(ctx, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    ctx.created.append(name)
    return _with_db(ctx.postgres_url, name)


def _last_json(text: str) -> dict[str, Any]:
    return json.loads(text.strip().splitlines()[-1])  # type: ignore[no-any-return]


class Instance:
    """One Concord: its database, home (federation key, server log) and server process."""

    def __init__(self, name: str, url: str, home: Path) -> None:
        self.name = name
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        (home / "federation.pem").unlink(missing_ok=True)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/taxii2/api/"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CONCORD"))}
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        self.env = {
            **env,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "concord.config.settings",
            "CONCORD_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "CONCORD_SECRET_KEY": f"bench-federation-{name}-" + "k" * 40,
            "CONCORD_DEBUG": "false",
            "CONCORD_REQUIRE_2FA": "false",
            "CONCORD_FEDERATION_KEY_FILE": str(home / "federation.pem"),
            "CONCORD_FEDERATION_PAGE": str(PAGE),
            "CONCORD_LOG_LEVEL": "WARNING",
            "PYTHONPATH": path,
        }
        self.server: subprocess.Popen[bytes] | None = None

    def concord(self, *args: str) -> str:
        done = subprocess.run(
            [*CONCORD, *args],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def worker(self, *args: str) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, str(WORKER), *args],
            env=self.env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        return _last_json(done.stdout)

    def serve(self) -> None:
        log = (self.home / "server.log").open("wb")
        self.server = subprocess.Popen(
            [*CONCORD, "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait_for(f"http://127.0.0.1:{self.port}/healthz", self.server, self.home / "server.log")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=30)
        self.server = None


def _wait_for(
    url: str, process: subprocess.Popen[bytes], log: Path, **kwargs: Any
) -> requests.Response:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            response = requests.get(url, timeout=5, **kwargs)
            if response.ok:
                return response
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer: {log.read_text()[-2000:]}")


def _peer(origin: Instance, *recipients: Instance) -> dict[str, str]:
    """Peer the origin (the force, DYP) with each recipient (the ROCU, TARIAN), as
    tests/federation/conftest.py does; return each recipient's token on the origin and the
    origin's token on each recipient."""
    tokens: dict[str, str] = {}
    origin_key = origin.concord("federation", "key")
    for recipient in recipients:
        key = recipient.concord("federation", "key")
        on_origin = origin.concord(
            "federation", "add-peer", recipient.name, "--organisation", "TARIAN",
            "--local-organisation", "DYP", "--url", recipient.url, "--public-key", key,
        )  # fmt: skip
        on_recipient = recipient.concord(
            "federation", "add-peer", "force", "--organisation", "DYP",
            "--local-organisation", "TARIAN", "--url", origin.url, "--public-key", origin_key,
            "--token", on_origin,
        )  # fmt: skip
        origin.concord("federation", "token", recipient.name, on_recipient)
        tokens[f"{recipient.name} on origin"] = on_origin
        tokens[f"origin on {recipient.name}"] = on_recipient
    return tokens


# --- the same client code for both servers ---------------------------------------------------


def _session(**auth: Any) -> requests.Session:
    session = requests.Session()
    session.headers.update({"Accept": TAXII})
    if "token" in auth:
        session.headers["Authorization"] = f"Bearer {auth['token']}"
    else:
        session.auth = auth["basic"]
    return session


def _objects_url(session: requests.Session, root: str) -> str:
    """The first collection the reader may read (Concord: the exchange)."""
    listing = session.get(f"{root}collections/", timeout=60)
    listing.raise_for_status()
    first = next(c for c in listing.json()["collections"] if c.get("can_read"))
    return f"{root}collections/{first['id']}/objects/"


def fetch_all(session: requests.Session, root: str) -> dict[str, Any]:
    """Page through a collection: limit=PAGE, every version, following `more` and `next`."""
    url = _objects_url(session, root)
    params = {"limit": str(PAGE), "match[version]": "all"}
    objects = pages = size = 0
    times = []
    token = None
    started = time.perf_counter()
    while True:
        t = time.perf_counter()
        response = session.get(url, params={**params, **({"next": token} if token else {})})
        response.raise_for_status()
        body = response.json()
        times.append(time.perf_counter() - t)
        objects += len(body.get("objects", []))
        pages += 1
        size += len(response.content)
        token = body.get("next")
        if not body.get("more") or not token:
            break
    return {
        "objects": objects,
        "pages": pages,
        "bytes": size,
        "seconds": time.perf_counter() - started,
        "first_page_s": times[0],
        "page_p50": statistics.median(times),
        "page_max": max(times),
    }


def add_all(
    session: requests.Session, root: str, texts: list[str], budget: float
) -> dict[str, Any]:
    """POST envelopes in order until all are added or the budget is spent."""
    url = _objects_url(session, root)
    headers = {"Content-Type": TAXII}
    times: list[float] = []
    objects = 0
    for text in texts:
        data = text.encode()
        t = time.perf_counter()
        response = session.post(url, data=data, headers=headers, timeout=600)
        response.raise_for_status()
        status = response.json()
        times.append(time.perf_counter() - t)
        objects += int(status.get("total_count", 0))
        if sum(times) > budget:
            break
    return {"envelopes": len(times), "objects": objects, "seconds": sum(times), "times": times}


# --- medallion -------------------------------------------------------------------------------


class Medallion:
    """medallion (OASIS TAXII 2.1 reference server, Flask) with its memory backend holding
    `feed`'s objects in one collection, on a free loopback port."""

    USER = ("bench", "bench-password")
    COLLECTION = str(uuid.uuid5(uuid.NAMESPACE_URL, "concord-bench-federation"))

    def __init__(self, home: Path, feed: list[tuple[str, str]]) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.root = f"http://127.0.0.1:{self.port}/bench/"
        objects, manifest = [], []
        for at, body in feed:
            obj = json.loads(body)
            objects.append(obj)
            manifest.append(
                {
                    "id": obj["id"],
                    "date_added": at,
                    "version": obj.get("modified", obj.get("created")),
                    "media_type": "application/stix+json;version=2.1",
                }
            )
        data = {
            "/discovery": {
                "title": "medallion (bench)",
                "description": "",
                "contact": "",
                "default": self.root,
                "api_roots": [self.root],
            },
            "bench": {
                "information": {
                    "title": "bench",
                    "description": "",
                    "versions": [TAXII],
                    "max_content_length": 200 * 1024 * 1024,
                },
                "status": [],
                "collections": [
                    {
                        "id": self.COLLECTION,
                        "title": "Intelligence exchange",
                        "description": "",
                        "can_read": True,
                        "can_write": True,
                        "media_types": ["application/stix+json;version=2.1"],
                        "objects": objects,
                        "manifest": manifest,
                    }
                ],
            },
        }
        (home / "data.json").write_text(json.dumps(data))
        config = {
            "backend": {
                "module": "medallion.backends.memory_backend",
                "module_class": "MemoryBackend",
                "filename": str(home / "data.json"),
                "session_timeout": 3600,  # `next` tokens outlive a slow walk
            },
            "users": {self.USER[0]: self.USER[1]},
            "taxii": {"max_page_size": PAGE},
        }
        (home / "config.json").write_text(json.dumps(config))
        self.log = home / "medallion.log"
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "medallion.scripts.run", "--host", "127.0.0.1"),
                *("--port", str(self.port), "--log-level", "WARN", str(home / "config.json")),
            ],
            cwd=home,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        _wait_for(
            f"http://127.0.0.1:{self.port}/taxii2/",
            self.process,
            self.log,
            auth=self.USER,
            headers={"Accept": TAXII},
        )

    def session(self) -> requests.Session:
        return _session(basic=self.USER)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _quadratic(points: list[tuple[int, float]], n: int) -> float:
    """Least-squares t = a·N + b·N² through the measured (N, t), evaluated at n."""
    s2 = sum(x**2 for x, _ in points)
    s3 = sum(x**3 for x, _ in points)
    s4 = sum(x**4 for x, _ in points)
    t1 = sum(x * y for x, y in points)
    t2 = sum(x**2 * y for x, y in points)
    det = s2 * s4 - s3 * s3
    if not det:
        return points[-1][1] * (n / points[-1][0]) ** 2
    a = (t1 * s4 - t2 * s3) / det
    b = (s2 * t2 - s3 * t1) / det
    return a * n + b * n * n


def _medallion_fetch(home: Path, feed: list[tuple[str, str]]) -> dict[str, Any]:
    """Paging fetch from medallion on the first N objects, N doubling while the next size is
    expected to fit the budget (its time grows with N²)."""
    runs: list[dict[str, Any]] = []
    spent, size = 0.0, 500
    while True:
        size = min(size, len(feed))
        started = time.perf_counter()
        server = Medallion(home / f"fetch-{size}", feed[:size])
        load_s = time.perf_counter() - started
        try:
            got = fetch_all(server.session(), server.root)
        finally:
            server.stop()
        got["loaded_s"] = load_s
        runs.append(got)
        spent += time.perf_counter() - started
        print(f"  medallion fetch {size:,}: {got['seconds']:.1f} s", flush=True)
        if size == len(feed) or spent + 4.5 * (time.perf_counter() - started) > (
            MEDALLION_FETCH_BUDGET_S
        ):
            break
        size *= 2
    full = runs[-1]["objects"] == len(feed)
    estimate = (
        runs[-1]["seconds"]
        if full
        else _quadratic([(r["objects"], r["seconds"]) for r in runs], len(feed))
    )
    return {"runs": runs, "full": full, "estimate_s": estimate}


def _linear_sum(times: list[float], count: int) -> float:
    """Fit t_k = c + d·k to the measured envelope times and sum it over `count` envelopes."""
    n = len(times)
    if n < 2:
        return times[0] * count
    mean_k, mean_t = (n - 1) / 2, statistics.fmean(times)
    d = sum((k - mean_k) * (t - mean_t) for k, t in enumerate(times)) / sum(
        (k - mean_k) ** 2 for k in range(n)
    )
    c = mean_t - d * mean_k
    return sum(times) + sum(c + d * k for k in range(n, count))


def _envelopes(feed: list[tuple[str, str]], key_file: Path | None) -> list[str]:
    """The feed in envelopes of ENVELOPE objects: signed by the origin's key, from DYP to
    TARIAN (for a Concord), or plain TAXII envelopes (for medallion)."""
    texts = []
    key = None
    if key_file is not None:
        from cryptography.hazmat.primitives import serialization

        from concord.intelligence import signing

        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    for start in range(0, len(feed), ENVELOPE):
        bodies = ",".join(body for _at, body in feed[start : start + ENVELOPE])
        if key is None:
            texts.append(f'{{"objects":[{bodies}]}}')
            continue
        unsigned = f'{{"objects":[{bodies}],"x_concord_from":"DYP","x_concord_to":"TARIAN"}}'
        signature = json.dumps(
            signing.signature_for(unsigned.encode(), key),  # type: ignore[arg-type]
            separators=(",", ":"),
        )
        texts.append(f'{unsigned[:-1]},"{signing.SIGNATURE}":{signature}}}')
    return texts


# --- the benchmark ---------------------------------------------------------------------------


def run(ctx: Any) -> list[str]:
    scratch = ctx.scratch / "federation"
    scratch.mkdir(parents=True, exist_ok=True)
    feed_file = scratch / "feed.tsv"
    template_url = ctx.postgres_database("concord_bench_fed_template")
    template = urlsplit(template_url).path.lstrip("/")
    migrate_s = ctx.concord(template_url, "migrate", "--no-input", "-v", "0")
    origin = Instance("origin", _copy(ctx, template, "concord_bench_fed_a"), scratch / "a")
    rocu = Instance("rocu", _copy(ctx, template, "concord_bench_fed_b"), scratch / "b")
    receiver = Instance("receiver", _copy(ctx, template, "concord_bench_fed_c"), scratch / "c")
    ingest_url = _copy(ctx, template, "concord_bench_fed_ingest")
    alone = Instance("ingest", ingest_url, scratch / "ingest")

    # The origin's feed for Tarian: reports, shares and feed rows, checked against the services.
    built = origin.worker("origin", "--objects", str(OBJECTS), "--feed", str(feed_file))
    print(
        f"  origin: {built['reports']:,} reports, {built['objects']:,} feed objects in "
        f"{built['total_s']:.0f} s",
        flush=True,
    )
    feed = read_feed(str(feed_file))

    # 1. Ingest in one process, no HTTP.
    ingested = alone.worker("ingest", "--feed", str(feed_file), "--envelope", str(ENVELOPE))
    print(f"  ingest: {ingested['rate']:,.0f} objects/s", flush=True)

    # 2. Sync between two instances; 3. the same objects over plain TAXII.
    servers: list[Instance] = []
    try:
        tokens = _peer(origin, rocu, receiver)
        for instance in (rocu, receiver):
            instance.worker("people")
        for instance in (origin, rocu, receiver):
            instance.serve()
            servers.append(instance)
        started = time.perf_counter()
        output = rocu.concord("sync", "force", "--pull-only", "-v", "0")
        sync_s = time.perf_counter() - started
        held = rocu.worker("held")
        print(f"  sync: {sync_s:.0f} s ({output})", flush=True)
        concord_fetch = fetch_all(_session(token=tokens["rocu on origin"]), origin.url)
        print(f"  Concord fetch: {concord_fetch['seconds']:.1f} s", flush=True)
        signed = _envelopes(feed, origin.home / "federation.pem")
        concord_add = add_all(
            _session(token=tokens["origin on receiver"]), receiver.url, signed, HTTP_ADD_BUDGET_S
        )
        print(f"  Concord add over HTTP: {concord_add['objects']:,} objects", flush=True)
    finally:
        for instance in servers:
            instance.stop()
    # medallion 3.0 takes an extension definition's own `version` property (the extension's
    # version, "1.0.0") for a manifest's version timestamp and fails every page that holds
    # one: it gets the feed without the one 3x5x2 extension definition.
    plain = [(at, body) for at, body in feed if '"type":"extension-definition"' not in body]
    medallion_fetch = _medallion_fetch(scratch / "medallion", plain)
    server = Medallion(scratch / "medallion" / "add", [])
    try:
        medallion_add = add_all(
            server.session(), server.root, _envelopes(plain, None), MEDALLION_ADD_BUDGET_S
        )
    finally:
        server.stop()
    print(f"  medallion add: {medallion_add['objects']:,} objects", flush=True)
    return _section(
        ctx,
        {
            "built": built,
            "migrate_s": migrate_s,
            "ingested": ingested,
            "sync_s": sync_s,
            "output": output,
            "held": held,
            "concord_fetch": concord_fetch,
            "concord_add": concord_add,
            "medallion_fetch": medallion_fetch,
            "medallion_add": medallion_add,
            "envelopes": len(signed),
            "plain": plain,
        },
    )


def _settings(ctx: Any) -> str:
    import psycopg

    with psycopg.connect(_with_db(ctx.postgres_url, "postgres")) as conn:
        got = [conn.execute(f"SHOW {name}").fetchone() for name in ("fsync", "synchronous_commit")]
    return f"fsync={got[0][0]}, synchronous_commit={got[1][0]}"  # type: ignore[index]


def _rate(objects: int, seconds: float) -> str:
    return f"{objects / seconds:,.0f}" if seconds else "-"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _section(ctx: Any, r: dict[str, Any]) -> list[str]:
    built, ingested, held = r["built"], r["ingested"], r["held"]
    fetch, add, m_fetch, m_add = (
        r["concord_fetch"], r["concord_add"], r["medallion_fetch"], r["medallion_add"]
    )  # fmt: skip
    objects, reports = built["objects"], built["reports"]
    rate = ingested["rate"]
    per_envelope = ingested["queries"] / max(ingested["envelopes"], 1)
    sizes = ", ".join(f"{x['objects']:,}" for x in m_fetch["runs"])
    phases = ingested["phases"]
    sync_rate = objects / r["sync_s"]
    complete = (
        held["reports"] == held["references"] == held["released"] == held["shares"] == reports
        and held["received"] == held["distinct"] == built["distinct"]
        and not held["duplicates"]
    )
    kinds = ", ".join(
        f"{n:,} {kind}" for kind, n in sorted(built["kinds"].items(), key=lambda x: -x[1])
    )
    try:
        from importlib.metadata import version

        medallion = f"medallion {version('medallion')}"
    except Exception:  # only a label
        medallion = "medallion"
    full = m_fetch["full"]
    largest = m_fetch["runs"][-1]
    m_objects = len(r["plain"])
    add_envelopes = r["envelopes"]
    m_envelopes = (m_objects + ENVELOPE - 1) // ENVELOPE
    m_add_total = _linear_sum(m_add["times"], m_envelopes)
    lines = [
        "## Federation: ingest, sync and the TAXII reference server (PostgreSQL)",
        "",
        f"Targets: ingest at least {TARGET_RATE:,} signed STIX objects/s, and a sync of "
        f"100,000 objects between two instances in under {TARGET_SYNC_S / 60:.0f} minutes. The "
        f"OASIS reference TAXII 2.1 server ({medallion}, Flask, memory backend) is measured in "
        "the same run on the same objects as the peer.",
        "",
        "| measure | figure | target (issue 7) | meets |",
        "|---|---:|---|---|",
        f"| `ingest.ingest(peer, envelope)` in one process: {ingested['objects']:,} objects in "
        f"{ingested['envelopes']} signed envelopes of up to {ENVELOPE:,} | **{rate:,.0f} "
        f"objects/s** ({ingested['seconds']:.0f} s); per envelope p50 {ingested['p50']:.2f} s, "
        f"p95 {ingested['p95']:.2f} s | ≥ {TARGET_RATE:,} objects/s | "
        f"{'yes' if rate >= TARGET_RATE else 'no'} |",
        f"| `concord sync force --pull-only` at instance B from instance A over HTTP: "
        f"{objects:,} objects ({reports:,} reports) in pages of {PAGE:,} | **{r['sync_s']:.0f} "
        f"s** ({sync_rate:,.0f} objects/s) | < {TARGET_SYNC_S / 60:.0f} min | "
        f"{'yes' if r['sync_s'] < TARGET_SYNC_S else 'no'} |",
        "",
        f"The objects: instance A (Dyfed-Powys, DYP) holds {reports:,} released reports, each "
        f"shared with Tarian (a core Share) and published into Tarian's feed: {objects:,} feed "
        f"objects ({kinds}; {built['bytes'] / 1e6:.0f} MB of canonical JSON), from "
        f"{built['ocgs']:,} OCGs with 0 to 2 per report, 80% with a place, 30% C-coded "
        "under one of three sets of conditions, 40% OFFICIAL-SENSITIVE. They were made in bulk "
        "(IntelReport, OCG links, Share and FeedObject rows, and the feed's clock) with the "
        "bodies `stix.report_objects` and `feed._rows` give and `date_added` ticking as "
        f"`feed.publish` ticks it ({built['total_s']:.0f} s in all, "
        f"{built['rows_s']:.0f} s of it making the STIX). Checked in the same run: "
        f"{len(built['check']['checked']) - 1} of these reports (one C-coded with two OCGs and "
        "a place, one with neither, one at random) re-published by `feed.publish` give the "
        "same rows byte for byte, and a report recorded, released, approved and disseminated "
        "through the services gets the rows the bulk code makes of it (then rolled back). "
        "Reports name OCGs only (no people or identifiers).",
        "",
        f"Ingest ran against a fresh migrated database with the origin registered as a peer "
        f"(`federation.register_peer`) and three Tarian analysts to be told; each envelope is "
        f"one page of A's feed in order, signed with the peer's Ed25519 key (as A signs its "
        f"pages), parsed from JSON outside the timing ({ingested['parse_s']:.1f} s in all). "
        f"Where its {ingested['seconds']:.0f} s went (timed by wrapping the functions ingest "
        f"calls): checking {phases['check']:.1f} s, of which the signature "
        f"{phases['verify']:.1f} s and the per-object checks (`_check_objects`, each distinct "
        f"object parsed as STIX 2.1) {phases['stix']:.1f} s; applying {phases['apply']:.0f} s; "
        f"{ingested['queries']:,} queries in all ({per_envelope:.0f} per envelope). "
        f"{ingested['skipped']:,} objects were skipped as "
        "already held (an OCG named by several reports is in the feed once per report).",
        "",
        f"The sync: A and B are each a database copied from one migrated template and a "
        "`concord runserver --noreload` process (Django's threaded development server: no "
        "production WSGI server is installed), peered with `concord federation key`, "
        "`add-peer` and `token` as tests/federation/conftest.py peers them, "
        f"CONCORD_FEDERATION_PAGE={PAGE}. Timed is the whole command at B (start-up included), "
        f'which printed: "{r["output"]}". Afterwards B held {held["reports"]:,} received '
        f"reports ({held['references']:,} distinct references, {held['released']:,} released, "
        f"{held['shares']:,} live shares to Tarian) and {held['received']:,} received objects, "
        f"one per distinct STIX id ({built['distinct']:,} in A's feed), "
        f"{held['duplicates']} duplicated: "
        f"{'complete, nothing twice' if complete else 'NOT COMPLETE'}.",
        "",
        "### The same objects from the OASIS reference server",
        "",
        f"One client for both servers (requests): list the collections, then GET the first "
        f"readable collection's objects with limit={PAGE} and match[version]=all, following "
        "`more` and `next`. Concord A is read as B's peer account (each page signed and "
        f"audited); medallion holds the same objects (the same JSON, date_added and versions) "
        f"in its memory backend, one collection, max_page_size {PAGE}, basic authentication, "
        "served by Flask's threaded development server. medallion 3.0 takes an extension "
        'definition\'s own `version` property ("1.0.0") for a manifest version and fails '
        f"every page that holds one, so it holds the {m_objects:,} objects other than the 3x5x2 "
        "extension definition. Adding is POSTing envelopes of "
        f"{ENVELOPE:,} objects in feed order: to Concord, signed as A signs them, into the "
        "exchange collection of instance C (a third fresh instance peered with A like B) as A's "
        "peer account, each checked whole and ingested; to medallion, plain TAXII envelopes "
        "into an empty collection. Each open-ended measure has a time budget; what did not fit "
        "was measured on fewer objects and is said so.",
        "",
        "| server | operation | objects | pages or envelopes | time | objects/s |",
        "|---|---|---:|---:|---:|---:|",
        f"| Concord (A) | paging fetch | {fetch['objects']:,} | {fetch['pages']} | "
        f"{fetch['seconds']:.1f} s (page p50 {fetch['page_p50']:.2f} s) | "
        f"**{_rate(fetch['objects'], fetch['seconds'])}** |",
    ]
    for run in m_fetch["runs"]:
        lines.append(
            f"| medallion | paging fetch | {run['objects']:,} | {run['pages']} | "
            f"{run['seconds']:.1f} s | {_rate(run['objects'], run['seconds'])} |"
        )
    if not full:
        lines.append(
            f"| medallion | paging fetch, extrapolated | {m_objects:,} | "
            f"{(m_objects + PAGE - 1) // PAGE} | ≈ {_duration(m_fetch['estimate_s'])} | "
            f"≈ **{_rate(m_objects, m_fetch['estimate_s'])}** |"
        )
    lines += [
        f"| Concord (C) | add (signed, ingested) | {add['objects']:,} | {add['envelopes']} | "
        f"{add['seconds']:.1f} s | **{_rate(add['objects'], add['seconds'])}** |",
        f"| medallion | add | {m_add['objects']:,} | {m_add['envelopes']} | "
        f"{m_add['seconds']:.1f} s | {_rate(m_add['objects'], m_add['seconds'])} |",
    ]
    if m_add["envelopes"] * ENVELOPE < m_objects:
        lines.append(
            f"| medallion | add, extrapolated | {m_objects:,} | "
            f"{m_envelopes} | ≈ {_duration(m_add_total)} | "
            f"≈ **{_rate(m_objects, m_add_total)}** |"
        )
    notes: list[str] = []
    if not full:
        notes.append(
            f"medallion's fetch was measured on the feed's first {sizes} "
            f"objects only (the next size would not fit the {MEDALLION_FETCH_BUDGET_S:.0f} s "
            f"budget): its first page alone took {largest['first_page_s']:.1f} s at "
            f"{largest['objects']:,}. The memory backend compares every object with every "
            "manifest entry to sort a page (parsing both timestamps each time) and every object "
            "with every other to pick spec versions, and copies the whole collection several "
            "times per request, so its time grows with the square of the objects held; the "
            f"{m_objects:,} figure is the least-squares t = aN + bN² through the measured sizes, "
            "an extrapolation, not a measurement."
        )
    if m_add["envelopes"] * ENVELOPE < m_objects:
        first, last = m_add["times"][0], m_add["times"][-1]
        notes.append(
            f"medallion's adding was measured on its first {m_add['envelopes']} envelopes (the "
            f"{MEDALLION_ADD_BUDGET_S:.0f} s budget): each envelope's objects are compared "
            "with every object already held, so an envelope took "
            f"{first:.2f} s into an empty collection and {last:.2f} s into "
            f"{(m_add['envelopes'] - 1) * ENVELOPE:,}; all {m_envelopes} is the sum of a "
            "straight line fitted to the measured envelope times, an extrapolation."
        )
    if add["envelopes"] < add_envelopes:
        notes.append(
            f"Concord's adding was measured on the first {add['envelopes']} of "
            f"{add_envelopes} envelopes (a {HTTP_ADD_BUDGET_S:.0f} s budget); the first "
            f"envelope took {add['times'][0]:.2f} s, the last {add['times'][-1]:.2f} s."
        )
    for note in notes:
        lines += ["", note]
    lines += [
        "",
        f"Each server, its client and PostgreSQL ({_settings(ctx)}) share the "
        f"{os.cpu_count()} cores. Reading all of A's pages (the fetch above) takes "
        f"{fetch['seconds']:.0f} s; the sync took {r['sync_s']:.0f} s, so most of it is B "
        "checking and applying what it reads.",
    ]
    return lines
