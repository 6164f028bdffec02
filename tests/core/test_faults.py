"""Faults, made for real (issue 17): PostgreSQL restarted and stopped under a serving
`concord serve`, a disk that will not take another byte, two people deciding the same thing at
once. Each time: a clear answer (never a traceback or a bare 500), nothing lost or doubled,
and the audit trail still verifies.

Killing a worker mid-task is tests/core/test_worker_process.py; federation syncs cut or
interrupted by a restart are tests/federation/test_faults.py."""

from __future__ import annotations

import datetime as dt
import html
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from concord.core import audit
from concord.core.models import AuditAction, AuditEntry
from concord.meetings import services as meetings
from concord.meetings.choices import ForumKind, ForumLevel
from concord.meetings.models import Decision, Forum
from concord.organisations.models import Notification
from concord.organisations.services import issue_api_token
from concord.ownership import tasking, transfers
from tests.access.registry import make_ocg
from tests.core.test_serve import free_port, wait_until_up
from tests.core.workers import REPO, database_url, environment
from tests.factories import UserFactory, organisation
from tests.pg_cluster import Cluster

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="restarts a PostgreSQL server of its own (the PostgreSQL pass)"
)
UNAVAILABLE = "The service cannot use its database just now. Try again in a minute."


def report(n: int) -> dict[str, str]:
    return {
        "title": f"Fault test {n}",
        "text": "Two handguns moved by ferry in a grey Transit.",
        "information_date": str(timezone.localdate() - dt.timedelta(days=1)),
        "source_evaluation": "2",
        "intelligence_assessment": "B",
        "handling_code": "P",
    }


def serve(database: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`concord serve` (one worker, two threads) on `database`, its output to `log` (a pipe
    would fill up and stall it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "concord.config.cli", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "2"],
        env=environment(DATABASE_URL=database, CONCORD_LOG_FORMAT="json"),
        cwd=REPO,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip


class Traffic(threading.Thread):
    """A signed-in person reading a page and the API, over and over, until stopped: what the
    server answered each time. Holding `lock` pauses it between requests."""

    def __init__(self, base: str, session: str, token: str) -> None:
        super().__init__(daemon=True)
        self.base, self.session, self.token = base, session, token
        self.answers: list[tuple[str, int, str]] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def get(self, path: str) -> tuple[str, int, str]:
        kwargs: dict = (
            {"headers": {"Authorization": self.token}}
            if path.startswith("/api/")
            else {"cookies": {"sessionid": self.session}}
        )
        try:
            answer = requests.get(f"{self.base}{path}", timeout=60, **kwargs)
        except requests.RequestException as error:  # never expected: kept to be seen
            return (path, 0, str(error))
        return (path, answer.status_code, answer.text)

    def run(self) -> None:
        while not self.stopping.is_set():
            with self.lock:
                for path in ("/", "/api/v1/intelligence?limit=5"):
                    self.answers.append(self.get(path))
            self.stopping.wait(0.05)  # a person's pace, not a flood

    def since(self, count: int) -> list[tuple[str, int, str]]:
        return self.answers[count:]

    def at_once(self, paths: list[str]) -> list[tuple[str, int, str]]:
        """The paths requested at the same moment (so each of the server's threads takes one)."""
        with ThreadPoolExecutor(max_workers=len(paths)) as pool:
            return list(pool.map(self.get, paths))


@postgres_only
@pytest.mark.usefixtures("committed_world")
def test_serving_through_a_postgresql_restart_and_outage(cast, tmp_path):
    analyst = cast("dp.analyst")
    token = "Bearer " + issue_api_token(actor=analyst, person=analyst, name="faults", days=1)[1]
    browser = Client()
    browser.force_login(analyst)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    cluster = Cluster()
    server = None
    log = tmp_path / "serve.log"
    try:
        url = cluster.copy_database(database_url(), "concord")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = serve(url, port, log)
        wait_until_up(base, seconds=120)
        api = requests.Session()
        api.headers["Authorization"] = token
        record = f"{base}/api/v1/intelligence"
        assert api.post(record, json=report(1), timeout=60).status_code == 201
        traffic = Traffic(base, session, token)
        both = ["/", "/api/v1/intelligence?limit=5"]

        # Restarted while nobody asks anything: the server's kept connections are all dead.
        # Each is checked before its next use and replaced (CONN_HEALTH_CHECKS), so not one
        # request fails, and the web process is not restarted.
        assert {code for _p, code, _t in traffic.at_once(both)} == {200}  # both threads
        cluster.restart("fast")
        after = traffic.at_once(both) + [traffic.get(path) for path in both * 2]
        after += traffic.at_once(both)
        assert [code for _p, code, _t in after] == [200] * len(after), after

        # Restarted as a crash would, while people read: requests in flight fail, clearly.
        traffic.start()
        wait_for(lambda: len(traffic.answers) >= 4, "pages before the restart")
        cluster.restart("immediate")
        restarted = len(traffic.answers)
        wait_for(lambda: len(traffic.answers) >= restarted + 6, "pages after the restart")
        # The one request in flight as the server came back may have failed; none after it.
        assert {code for _p, code, _t in traffic.since(restarted + 1)} == {200}

        # The database down for a while: a clear 503, in the form each caller reads.
        cluster.stop("fast")
        down = len(traffic.answers)
        wait_for(lambda: len(traffic.answers) >= down + 4, "pages while the database is down")
        page = requests.get(f"{base}/", cookies={"sessionid": session}, timeout=60)
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "30"
        assert "Service unavailable" in page.text
        assert UNAVAILABLE in page.text
        assert 'class="concord-header"' in page.text  # the service's look, not a bare error
        welsh = requests.get(
            f"{base}/",
            cookies={"sessionid": session, settings.LANGUAGE_COOKIE_NAME: "cy"},
            timeout=60,
        )
        assert welsh.status_code == 503
        assert "Nid yw'r gwasanaeth ar gael" in html.unescape(welsh.text)
        refused = api.post(record, json=report(2), timeout=60)
        assert refused.status_code == 503
        assert refused.json() == {"detail": UNAVAILABLE}
        assert refused.headers["Retry-After"] == "30"
        # Alive, but not ready: the load balancer takes it out of rotation, nothing restarts it.
        health = requests.get(f"{base}/healthz", timeout=60)
        assert (health.status_code, health.json()) == (
            200,
            {"status": "ok", "database": "unreachable"},
        )
        ready = requests.get(f"{base}/readyz", timeout=60)
        assert ready.status_code == 503
        assert ready.json()["database"] == "unreachable"

        cluster.start()
        wait_for(lambda: requests.get(f"{base}/readyz", timeout=60).ok, "ready again")
        back = len(traffic.answers)
        wait_for(lambda: len(traffic.answers) >= back + 4, "pages after the outage")
        assert api.post(record, json=report(3), timeout=60).status_code == 201
        traffic.stopping.set()
        traffic.join(timeout=120)

        # Through it all, every answer was a page or a clear 503: never a 500 or a traceback.
        codes = {code for _p, code, _t in traffic.answers}
        assert codes <= {200, 503}, codes
        assert 503 in {code for _p, code, _t in traffic.since(down)}
        for path, code, text in traffic.answers:
            assert "Traceback" not in text
            if code == 503:
                assert UNAVAILABLE in text, (path, text[:500])
        assert {code for _p, code, _t in traffic.since(back + 1)} == {200}
        assert server.poll() is None  # the same server throughout

        # Nothing lost, nothing doubled; the refused report is not there.
        with psycopg.connect(url) as db:
            titles = [
                row[0]
                for row in db.execute(
                    "SELECT title FROM intelligence_intelreport WHERE title LIKE 'Fault test%' "
                    "ORDER BY title"
                )
            ]
        assert titles == ["Fault test 1", "Fault test 3"]
        verified = subprocess.run(
            [sys.executable, "-m", "concord.config.cli", "audit", "verify"],
            env=environment(DATABASE_URL=url),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
    except AssertionError as failure:
        raise AssertionError(f"{failure}\n{log.read_text()[-6000:]}") from None
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            server.wait(timeout=60)
        cluster.remove()
    output = log.read_text()
    assert output.count("Booting worker") == 1, output[-3000:]


def wait_for(condition, what: str, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


# Two people deciding the same thing at once ---------------------------------------------------


def at_once(
    calls: dict[str, Callable[[], Any]], *, meanwhile: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Run each call in its own thread (its own database connection and transaction),
    released together, `meanwhile` running in this thread; what each returned."""
    barrier = threading.Barrier(len(calls))
    results: dict[str, Any] = {}

    def run(name: str, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[name] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    if meanwhile is not None:
        meanwhile()
    for thread in threads:
        thread.join(timeout=120)
    return results


@contextmanager
def inserts_held(table: str) -> Iterator[Callable[[], None]]:
    """On PostgreSQL, hold inserts into `table` (a SHARE lock from a connection of its own:
    reads go on) until the returned `release` is called once two other transactions wait on
    a lock, so two racers both get as far as they can before either commits: the race
    happens every time, not one run in six. On SQLite, whose writers take turns whole
    (BEGIN IMMEDIATE), `release` does nothing."""
    if connection.vendor != "postgresql":
        yield lambda: None
        return
    with psycopg.connect(database_url()) as gate:
        gate.execute(f"LOCK TABLE {table} IN SHARE MODE")

        def release() -> None:
            waiting = (
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            with psycopg.connect(database_url(), autocommit=True) as watcher:
                wait_for(lambda: watcher.execute(waiting).fetchone()[0] >= 2, "both racers")
            gate.rollback()

        yield release


def api_client(person) -> Client:  # type: ignore[no-untyped-def]
    """A client calling the API with the person's own bearer token; a server error comes back
    as the 500 response a caller would see, not as an exception."""
    token = issue_api_token(actor=person, person=person, name="race", days=1)[1]
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")


def answer(response) -> tuple[int, Any]:  # type: ignore[no-untyped-def]
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.content.decode()[:300]


def decisions_audited(obj, actions: set[str]) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    entries = AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=AuditAction.UPDATE
    )
    return [e for e in entries if (e.detail or {}).get("action") in actions]


def race(url: str, posts: dict[str, tuple[Any, dict[str, str]]], held: str, ok: int) -> Any:
    """POST each body to `url` from its own client at once, the first insert into table `held`
    waiting until the other request is under way; one must answer `ok` and the other 422.
    Returns the winner's key and the loser's answer."""
    with inserts_held(held) as release:
        results = at_once(
            {
                key: lambda key=key: answer(
                    posts[key][0].post(url, posts[key][1], content_type="application/json")
                )
                for key in posts
            },
            meanwhile=release,
        )
    assert sorted(code for code, _body in results.values()) == [ok, 422], results
    (won,) = [key for key, (code, _body) in results.items() if code == ok]
    (lost,) = [body for code, body in results.values() if code == 422]
    return won, lost


@pytest.mark.usefixtures("committed_world")
def test_two_people_accept_and_decline_one_tasking_request_at_once(cast):
    chair = cast("tarian.chair")
    chief = UserFactory(
        username="tarian.chief", organisation=organisation("TARIAN"), roles=["chief_officer"]
    )
    request = tasking.request_tasking(
        actor=cast("nca.tasking"),
        to_organisation=organisation("TARIAN"),
        capability="Covert surveillance",
        asked="Two weeks of mobile surveillance on the principal",
        reason="Supply route into the region, firearms linked",
        respond_by=timezone.localdate() + dt.timedelta(days=5),
    )
    url = f"/api/v1/tasking/{request.reference}/decision"
    reason = "Team committed to Operation Larch until March"
    # The first to change the request waits to tell the requester (a notification) while the
    # other is already trying to change it too.
    won, lost = race(
        url,
        {
            "accept": (api_client(chair), {"decision": "accept", "reason": ""}),
            "decline": (api_client(chief), {"decision": "decline", "reason": reason}),
        },
        Notification._meta.db_table,
        ok=200,
    )
    status = {"accept": "accepted", "decline": "declined"}[won]
    assert lost == {"errors": {"__all__": [f"This request is already {status}."]}}
    request.refresh_from_db()
    assert request.status == status
    assert request.decided_by == (chair if won == "accept" else chief)
    # One decision in the trail, and the trail still verifies.
    (entry,) = decisions_audited(request, {"accept", "decline"})
    assert entry.detail["action"] == won
    audit.seal_pending()
    verdict = audit.verify()
    assert verdict.ok, verdict.problem


@pytest.mark.usefixtures("committed_world")
def test_two_chairs_decide_one_agenda_entry_at_once(cast):
    chair = cast("tarian.chair")
    deputy = UserFactory(
        username="tarian.deputy", organisation=organisation("TARIAN"), roles=["tasking_chair"]
    )
    forum = Forum.objects.create(
        organisation=organisation("TARIAN"),
        name="Regional tasking and coordination group",
        level=ForumLevel.REGION,
        kind=ForumKind.TACTICAL,
        chair=chair,
    )
    forum.members.set([chair, deputy])
    meeting = meetings.schedule(
        actor=chair, forum=forum, starts_at=timezone.now() + dt.timedelta(days=3)
    )
    transfers.request_transfer(
        actor=cast("dp.sio"),
        item=make_ocg("DYP", "OFFICIAL", False),
        kind="support",
        to_organisation=organisation("TARIAN"),
        reason="Firearms supply across three force areas",
        asked="An SIO and surveillance",
    )
    (entry,) = [
        i for i in meetings.build_agenda(actor=chair, meeting=meeting) if i.kind == "transfer"
    ]
    url = f"/api/v1/meetings/{meeting.pk}/agenda/{entry.pk}/decision"
    rationale = "Decided in the regional meeting"
    won, lost = race(
        url,
        {
            "no_action": (api_client(chair), {"outcome": "no_action", "rationale": rationale}),
            "rescore": (api_client(deputy), {"outcome": "rescore", "rationale": rationale}),
        },
        Decision._meta.db_table,
        ok=201,
    )
    assert lost == {"errors": {"__all__": ["This item has already been decided."]}}
    (decision,) = Decision.objects.filter(item=entry)
    assert decision.outcome == won
    meeting_decisions = [
        e
        for e in AuditEntry.objects.filter(
            object_type="meetings.meeting", object_id=str(meeting.pk)
        )
        if (e.detail or {}).get("meeting") == "decision"
    ]
    assert len(meeting_decisions) == 1
    audit.seal_pending()
    verdict = audit.verify()
    assert verdict.ok, verdict.problem


# A disk that takes no more bytes ----------------------------------------------------------------

FETCH_PACK = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
client.cookies["{cookie}"] = "{session}"
client.cookies["{language_cookie}"] = "cy"
answer = client.get("/meetings/{pk}/pack/?format=pdf")
print(json.dumps({{
    "status": answer.status_code,
    "type": answer["Content-Type"],
    "retry": answer.get("Retry-After"),
    "head": answer.content[:5].decode("latin-1"),
    "text": answer.content.decode("utf-8", "replace") if answer.status_code != 200 else "",
}}))
"""


def no_room_to_write() -> None:
    """In the child: no file may grow by a single byte (RLIMIT_FSIZE 0; Python ignores
    SIGXFSZ, so a write fails with EFBIG as one fails with ENOSPC on a full disk)."""
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


@pytest.mark.usefixtures("committed_world")
def test_a_meeting_pack_asked_for_when_the_disk_is_full(cast):
    """A PDF pack is made in memory and written to no file: with no room on the server's disk
    it is still made where the database is elsewhere (PostgreSQL); where the database is the
    file on that disk (SQLite) its download cannot be recorded, so the reader is told, clearly
    and in their language, and nothing is recorded; once there is room again it works."""
    chair = cast("tarian.chair")
    forum = Forum.objects.create(
        organisation=organisation("TARIAN"),
        name="Regional tasking and coordination group",
        level=ForumLevel.REGION,
        kind=ForumKind.TACTICAL,
        chair=chair,
    )
    forum.members.set([chair])
    meeting = meetings.schedule(
        actor=chair, forum=forum, starts_at=timezone.now() + dt.timedelta(days=3)
    )
    browser = Client()
    browser.force_login(chair)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value

    def downloads() -> int:
        return AuditEntry.objects.filter(
            action=AuditAction.DOWNLOAD, object_type="meetings.meeting", object_id=str(meeting.pk)
        ).count()

    script = FETCH_PACK.format(
        cookie=settings.SESSION_COOKIE_NAME,
        session=session,
        language_cookie=settings.LANGUAGE_COOKIE_NAME,
        pk=meeting.pk,
    )
    full = subprocess.run(
        [sys.executable, "-c", script],
        env=environment(DJANGO_SETTINGS_MODULE="concord.config.settings"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=no_room_to_write,
    )
    assert full.returncode == 0, full.stderr
    answered = json.loads(full.stdout.strip().splitlines()[-1])
    if ON_POSTGRES:
        assert (answered["status"], answered["type"], answered["head"]) == (
            200,
            "application/pdf",
            "%PDF-",
        )
        assert downloads() == 1
    else:
        assert answered["status"] == 503, answered
        assert answered["retry"] == "30"
        assert "Nid yw'r gwasanaeth ar gael" in html.unescape(answered["text"])
        assert "Traceback" not in answered["text"]
        assert downloads() == 0  # nothing half-done was kept
        # Room again: the same request works, and is recorded once.
        again = browser.get(f"/meetings/{meeting.pk}/pack/?format=pdf")
        assert again.status_code == 200
        assert again.content.startswith(b"%PDF-")
        assert downloads() == 1
    audit.seal_pending()
    verdict = audit.verify()
    assert verdict.ok, verdict.problem
