"""Two Concord instances, each its own database and server process on loopback."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.federation.proxy import Proxy
from tests.pg_cluster import Cluster

ROOT = Path(__file__).resolve().parents[2]
CONCORD = str(Path(sys.executable).with_name("concord"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PASS_DATABASE = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = PASS_DATABASE.startswith("postgres")


def _server_url(name: str) -> str:
    """PASS_DATABASE with another database name."""
    base, _slash, _name = PASS_DATABASE.partition("?")[0].rpartition("/")
    return f"{base}/{name}"


def _admin(sql: str, *params: str) -> None:
    import psycopg

    with psycopg.connect(_server_url("postgres"), autocommit=True) as connection:
        connection.execute(sql, params or None)  # type: ignore[arg-type]  # names made here


class Database:
    """An instance's own database: a copy of the migrated SQLite file, or on the PostgreSQL
    pass a database made from the migrated template (CREATE DATABASE … TEMPLATE), or restored
    into a private server (`cluster`, which the fault tests restart) from a dump of it."""

    def __init__(
        self, name: str, home: Path, template: str, cluster: Cluster | None = None
    ) -> None:
        self.cluster = cluster
        if cluster is not None:
            self.name = name
            cluster.load(cluster.dump_of(_server_url(template)), name)
            self.url = cluster.url(name)
        elif ON_POSTGRES:
            self.name = f"fed_{name}_{os.getpid()}_{free_port()}"
            _admin(f'CREATE DATABASE "{self.name}" TEMPLATE "{template}"')
            self.url = _server_url(self.name)
        else:
            self.name = str(home / "concord.sqlite3")
            shutil.copy(template, self.name)
            self.url = f"sqlite:///{self.name}"

    def drop(self) -> None:
        if ON_POSTGRES and self.cluster is None:  # a private server goes whole
            _admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Instance:
    def __init__(
        self, name: str, home: Path, template: str, cluster: Cluster | None = None
    ) -> None:
        self.name = name
        self.home = home
        home.mkdir()
        self.database = Database(name, home, template, cluster)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/taxii2/api/"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST"))}
        self.env = {
            **env,
            "DATABASE_URL": self.database.url,
            "CONCORD_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "CONCORD_SECRET_KEY": f"federation-test-{name}-" + "k" * 40,
            "CONCORD_DEBUG": "false",
            "CONCORD_REQUIRE_2FA": "false",
            "CONCORD_FEDERATION_KEY_FILE": str(home / "federation.pem"),
            "CONCORD_FEDERATION_PAGE": "10",
            # The federation's shared deconfliction secret (the same at every instance).
            "CONCORD_DECONFLICTION_SECRET": "federation-test-shared-deconfliction-" + "s" * 24,
            "CONCORD_LOG_FORMAT": "text",
            "CONCORD_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        self.server: subprocess.Popen[bytes] | None = None

    def concord(
        self, *args: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [CONCORD, *args],
            env={**self.env, **(env or {})},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and done.returncode:
            raise AssertionError(f"{self.name}: concord {' '.join(args)} failed:\n{done.stderr}")
        return done

    def run(self, code: str, env: dict[str, str] | None = None) -> Any:
        """Run Python in the instance (its settings, its database); it prints one JSON value."""
        out = self.concord("shell", "-c", code, env=env).stdout.strip().splitlines()
        return json.loads(out[-1]) if out else None

    def serve(self) -> None:
        log = (self.home / "server.log").open("wb")
        self.server = subprocess.Popen(
            [CONCORD, "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise AssertionError(f"{self.name} did not start: {(self.home / 'server.log').read_text()}")

    def halt(self) -> None:
        """Stop serving (the instance is down); `serve` starts it again on the same port."""
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=20)
            self.server = None

    def stop(self) -> None:
        self.halt()
        self.database.drop()


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database (reference data included) each instance starts as a copy of."""
    if ON_POSTGRES:
        name = f"fed_template_{os.getpid()}_{free_port()}"
        _admin(f'CREATE DATABASE "{name}"')
        url = _server_url(name)
    else:
        name = str(tmp_path_factory.mktemp("template") / "concord.sqlite3")
        url = f"sqlite:///{name}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")}
    subprocess.run(
        [CONCORD, "migrate", "--no-input", "-v", "0"],
        env={**env, "DATABASE_URL": url, "CONCORD_DEBUG": "true"},
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    if ON_POSTGRES:
        # A template must have no connections when it is copied.
        _admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            name,
        )
    yield name
    if ON_POSTGRES:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


PEOPLE = """
import json
from concord.intelligence import signing
from tests.factories import UserFactory, organisation
for username, code, roles in {people!r}:
    UserFactory(username=username, organisation=organisation(code), roles=roles)
print(json.dumps(signing.public_key_text()))
"""


@contextmanager
def peered(
    home: Path, migrated: str, *, cluster: Cluster | None = None, via: Proxy | None = None
) -> Iterator[tuple[Instance, Instance]]:
    """A force (Dyfed-Powys) and its ROCU (Tarian), each with its people, peered both ways
    and serving; with `via`, the ROCU reaches the force through that proxy (made for the
    force's port: `Proxy(0)` is pointed at it here)."""
    force = Instance("force", home / "force", migrated, cluster)
    rocu = Instance("rocu", home / "rocu", migrated, cluster)
    if via is not None:
        via.upstream = force.port
    try:
        # Each instance's people, and its public key (made on first use), side by side.
        with ThreadPoolExecutor(max_workers=2) as both:
            keys = both.map(
                lambda instance, people: instance.run(PEOPLE.format(people=people)),
                (force, rocu),
                (
                    [("dp.analyst", "DYP", ["analyst"]), ("dp.sro", "DYP", ["sro"])],
                    [("tarian.analyst", "TARIAN", ["analyst"]), ("tarian.sio", "TARIAN", ["sio"])],
                ),
            )
            force_key, rocu_key = list(keys)
        to_force = force.concord(
            "federation",
            "add-peer",
            "rocu",
            "--organisation",
            "TARIAN",
            "--local-organisation",
            "DYP",
            "--url",
            rocu.url,
            "--public-key",
            rocu_key,
        ).stdout.strip()
        to_rocu = rocu.concord(
            "federation",
            "add-peer",
            "force",
            "--organisation",
            "DYP",
            "--local-organisation",
            "TARIAN",
            "--url",
            via.url if via is not None else force.url,
            "--public-key",
            force_key,
            "--token",
            to_force,
        ).stdout.strip()
        force.concord("federation", "token", "rocu", to_rocu)
        with ThreadPoolExecutor(max_workers=2) as both:
            list(both.map(Instance.serve, (force, rocu)))
        yield force, rocu
    finally:
        force.stop()
        rocu.stop()


@pytest.fixture
def pair(tmp_path: Path, migrated: str) -> Iterator[tuple[Instance, Instance]]:
    """A force (Dyfed-Powys) and its ROCU (Tarian), each with its people, peered both ways
    and serving."""
    with peered(tmp_path, migrated) as both:
        yield both
