"""Faults in a federation sync, made for real (issue 17): a bundle cut off on its way to the
peer, the peer's answer cut off after it took the bundle, PostgreSQL restarted and stopped in
the middle of a sync (the PostgreSQL pass, on a private server of the test's own), and a full
disk when the federation key or secret is written. Each time the sync fails saying why, and
the next one completes with nothing lost and nothing doubled, and both audit trails verify.
(A page cut off on its way back is tests/federation/test_two_instances.py.)"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command

from concord.intelligence import signing
from tests.federation.conftest import ON_POSTGRES, ROOT, Instance, peered
from tests.federation.proxy import Proxy
from tests.federation.test_two_instances import share
from tests.pg_cluster import Cluster

HELD = """
import json
from concord.core import audit
from concord.core.models import Share
from concord.intelligence.models import IntelReport, ReceivedObject
received = IntelReport.objects.filter(origin__isnull=False)
audit.seal_pending()
print(json.dumps({
    "reports": sorted(received.values_list("reference", flat=True)),
    "received": ReceivedObject.objects.count(),
    "distinct": ReceivedObject.objects.values("stix_id").distinct().count(),
    "shares": Share.objects.filter(revoked_at__isnull=True, cause="federation").count(),
    "verified": audit.verify().ok,
}))
"""

RECORD_AT_ROCU = """
import datetime as dt, json
from django.utils import timezone
from concord.intelligence import services
from concord.organisations.models import Organisation, User
analyst = User.objects.get(username="tarian.analyst")
refs = []
for n in range({count}):
    report = services.record_report(
        actor=analyst, title=f"Cash couriers on the M4 {{n}}",
        text=f"Couriers move cash east on Thursdays in hire cars (sighting {{n}}).",
        information_date=timezone.localdate() - dt.timedelta(days=1),
        grading=services.Grading("1", "A", "P"),
    )
    services.release(actor=analyst, report=report)
    services.disseminate(actor=analyst, report=report, to=[Organisation.objects.get(code="DYP")],
                         purpose="For Dyfed-Powys's Pursue work")
    refs.append(report.reference)
print(json.dumps(refs))
"""


def held(instance: Instance) -> dict:
    """What the instance took in from its peer, and whether its audit trail verifies (in a
    process of its own: the instance's settings and audit key)."""
    result: dict = instance.run(HELD)
    return result


def received(instance: Instance) -> list[str]:
    """The references of the reports the instance took in, read straight from its database
    (quicker than starting a process for it)."""
    sql = (
        "SELECT reference FROM intelligence_intelreport WHERE origin_id IS NOT NULL "
        "ORDER BY reference"
    )
    url = instance.database.url
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            return [row[0] for row in db.execute(sql)]
    with psycopg.connect(url) as db:
        return [row[0] for row in db.execute(sql)]


@pytest.fixture(scope="module")
def faulty(
    tmp_path_factory: pytest.TempPathFactory, migrated: str
) -> Iterator[tuple[Instance, Instance, Proxy, Cluster | None]]:
    """The force and its ROCU, the ROCU reaching the force through a proxy that cuts on
    demand; on the PostgreSQL pass both databases are on a private server the tests restart
    (never the suite's own)."""
    cluster = Cluster() if ON_POSTGRES else None
    proxy = Proxy(0)
    try:
        with peered(tmp_path_factory.mktemp("faulty"), migrated, cluster=cluster, via=proxy) as (
            force,
            rocu,
        ):
            yield force, rocu, proxy, cluster
    finally:
        proxy.close()
        if cluster is not None:
            cluster.remove()


def test_a_push_cut_off_either_way_is_taken_once_on_the_next_sync(faulty):
    force, rocu, proxy, _cluster = faulty
    refs = rocu.run(RECORD_AT_ROCU.format(count=25))  # three pages of ten
    # The second bundle is cut off on its way: the force takes nothing of it.
    proxy.cut_request_on, proxy.cut_request_after = proxy.object_requests + 2, 4000
    cut = rocu.concord("sync", "force", "--push-only", check=False)
    assert proxy.cuts == 1
    assert cut.returncode == 1, cut.stdout + cut.stderr
    assert "The connection to force failed" in cut.stderr
    assert "Traceback" not in cut.stderr
    first_page = len(received(force))  # ten objects: reports, and what they cite
    assert 0 < first_page < len(refs)
    # The next sync sends it again; the force takes it, but its answer is cut off: the ROCU
    # cannot know it arrived, so it will send it once more.
    proxy.cut_request_on = None
    proxy.cut_on, proxy.cut_after = proxy.object_requests + 1, 0
    unanswered = rocu.concord("sync", "force", "--push-only", check=False)
    assert proxy.cuts == 2
    assert unanswered.returncode == 1
    assert "The connection to force failed" in unanswered.stderr
    # More than before: the bundle cut off on its way had left nothing at the force.
    assert first_page < len(received(force)) < len(refs)
    proxy.cut_on = None
    done = rocu.concord("sync", "force", "--push-only")
    assert "pushed 0 objects" not in done.stdout  # the unanswered page again, then the rest
    whole = held(force)
    assert whole["reports"] == sorted(refs)  # nothing lost
    assert whole["received"] == whole["distinct"]  # nothing doubled
    assert whole["shares"] == len(refs)
    assert whole["verified"]


@pytest.mark.skipif(
    not ON_POSTGRES, reason="restarts a PostgreSQL server of its own (the PostgreSQL pass)"
)
def test_postgresql_restarted_and_stopped_during_a_sync(faulty):
    force, rocu, proxy, cluster = faulty
    refs = share(force, count=30, code="P")  # three pages of ten
    start = proxy.object_requests

    def restart_at_the_second_page(count: int, line: bytes) -> None:
        if count == start + 2:
            cluster.restart("immediate")  # as a crash would, mid-sync

    proxy.on_request = restart_at_the_second_page
    try:
        crashed = rocu.concord("sync", "force", "--pull-only", check=False)
    finally:
        proxy.on_request = None
    assert crashed.returncode == 1, crashed.stdout + crashed.stderr
    assert "The sync with force stopped: this instance's database failed" in crashed.stderr
    assert "run the sync again" in crashed.stderr
    assert "Traceback" not in crashed.stderr
    # Taken in whole pages, each with its cursor: at most the page before the restart.
    assert len(received(rocu)) < len(refs)

    # Now the database is down while the force is asked for a page: it says so (TAXII 503),
    # and the ROCU's sync stops with the force's reason.
    stopped = proxy.object_requests

    def stop_at_the_next_page(count: int, line: bytes) -> None:
        if count == stopped + 1:
            cluster.stop("fast")

    proxy.on_request = stop_at_the_next_page
    try:
        refused = rocu.concord("sync", "force", "--pull-only", check=False)
    finally:
        proxy.on_request = None
        cluster.start()
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "force answered 503" in refused.stderr
    assert "Service unavailable: The service cannot use its database just now" in refused.stderr
    assert "Traceback" not in refused.stderr

    # Back up: the next sync completes, nothing lost, nothing doubled.
    rocu.concord("sync", "force", "--pull-only")
    whole = held(rocu)
    assert whole["reports"] == sorted(refs)
    assert whole["received"] == whole["distinct"]
    assert whole["shares"] == len(refs)
    assert whole["verified"]
    assert held(force)["verified"]


LIMITED = """
import sys, django
django.setup()
from django.core.management import call_command
from django.core.management.base import CommandError
try:
    call_command(*sys.argv[1:])
except CommandError as error:
    sys.exit(f"CommandError: {error}")
"""


def with_room(room: int, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`concord ARGS` in a process where no file may grow past `room` bytes: a write past it
    fails (EFBIG; Python ignores SIGXFSZ) as one fails with ENOSPC on a full disk."""

    def no_room() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    return subprocess.run(
        [sys.executable, "-c", LIMITED, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=no_room,
    )


def test_a_full_disk_leaves_no_half_written_key_or_secret(tmp_path: Path, settings) -> None:
    """Writing the federation key (made on first use) or a new deconfliction secret with no
    room on the disk fails saying so and leaves nothing half-written that a later start
    would trust, nor a partial file; the secret in use stays; with room both are written."""
    key = tmp_path / "keys" / "federation.pem"
    secret = tmp_path / "keys" / "deconfliction.secret"
    settings.FEDERATION_KEY_FILE = str(key)
    settings.DECONFLICTION_SECRET_FILE = str(secret)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CONCORD_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "concord.config.settings",
        "CONCORD_SECRET_KEY": "fault-test-" + "k" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "CONCORD_FEDERATION_KEY_FILE": str(key),
        "CONCORD_DECONFLICTION_SECRET_FILE": str(secret),
        "PYTHONPATH": str(ROOT),
    }

    full = with_room(64, "federation", "key", env=env)  # a PEM key is about 120 bytes
    assert full.returncode == 1, full.stderr
    assert f"Could not write this instance's federation key to {key}" in full.stderr
    assert "Nothing was written" in full.stderr
    assert "Traceback" not in full.stderr
    assert sorted(os.listdir(key.parent)) == []  # no key, and no part of one
    made, again = io.StringIO(), io.StringIO()
    call_command("federation", "key", stdout=made)
    assert key.stat().st_mode & 0o777 == 0o600
    signing._private_key.cache_clear()
    call_command("federation", "key", stdout=again)
    assert again.getvalue() == made.getvalue()  # kept, not made again

    call_command("federation", "deconfliction-secret", stdout=io.StringIO(), stderr=io.StringIO())
    old = secret.read_text()
    full = with_room(16, "federation", "deconfliction-secret", "--force", env=env)
    assert full.returncode == 1, full.stderr
    assert f"Could not write {secret}: File too large. Nothing was changed." in full.stderr
    assert "Traceback" not in full.stderr
    assert secret.read_text() == old  # the secret in use is kept whole
    assert sorted(os.listdir(secret.parent)) == sorted([key.name, secret.name])
