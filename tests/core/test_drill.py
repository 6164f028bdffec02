"""Upgrade, backup and restore as a drill (issue 17): what docs/operations.md tells operators to
do ("Backup and restore", "Upgrade"), done for real on PostgreSQL, with the real binaries.

1. The previous release (concord/core/releases.py), its own source taken from the git history,
   runs its own migrations and its own demo seeding on a new database.
2. Today's `concord migrate` upgrades that database in place: today's `concord audit verify`
   passes over the old release's trail, and today's code reads the same OCGs, people and
   reports (and serves the register) as the old release wrote.
3. People work in it (audited: entries sealed, and entries not sealed yet), then it is backed
   up with `pg_dump -Fc`, restored with `pg_restore` into a new empty database, and today's
   `concord audit verify` checks the copy: the same entries and seals, every table the same
   rows; then an audit row edited in the copy fails the check.

One test, in that order, because each step starts from the one before (a world built once
costs most of the time). PostgreSQL only: it runs in `make test`'s PostgreSQL pass and is
skipped on SQLite. A missing pg_dump or a checkout without the previous release's commit fails
the test: neither is a reason to skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from concord.core.releases import PREVIOUS_RELEASE

ROOT = Path(__file__).resolve().parents[2]
PASS_DATABASE = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = PASS_DATABASE.startswith("postgres")

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="pg_dump and pg_restore are PostgreSQL's: the PostgreSQL pass runs it"
)

# One audit key for every process, old and new, as an operator keeps it across an upgrade.
AUDIT_KEY = "drill-audit-key-held-apart-from-the-database-0123456789"
VERIFIED = re.compile(
    r"Audit trail intact: ([\d,]+) entries in ([\d,]+) seals \(([\d,]+) awaiting their seal\)"
)
# What the old release wrote and today's code must still find, by table.
KEY_TABLES = (
    "organisations_organisation",
    "organisations_user",
    "threats_ocg",
    "threats_nominal",
    "threats_priorityindividual",
    "plans_plan",
    "plans_action",
    "intelligence_intelreport",
    "core_auditentry",
    "core_auditseal",
)
TOOLS = ("pg_dump", "pg_restore", "createdb")

# Run by today's code in the upgraded database (`concord shell -c`): count with today's models,
# open the register and some OCGs as dp.lro (each view audited), seal what that wrote, then
# open more with sealing held back, as when a process stops between its commit and its seal.
READ_AND_WORK = r"""
KEY_TABLES = __KEY_TABLES__
import json, re
from unittest import mock
from django.apps import apps
from django.test import Client
from concord.core import audit
from concord.core.models import AuditEntry
from concord.organisations.models import User

def last_entry():
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

models = {model._meta.db_table: model for model in apps.get_models()}
counts = {table: models[table]._default_manager.count() for table in KEY_TABLES}
client = Client(HTTP_HOST="localhost")
client.force_login(User.objects.get(username="dp.lro"))
register = client.get("/ocgs/")
references = sorted(set(re.findall(r"OCG-DYP-\d{6}", register.content.decode())))
opened = [client.get(f"/ocgs/{reference}/").status_code for reference in references[:2]]
sealed = audit.seal_pending()
last_sealed = last_entry()
with mock.patch.object(audit, "_seal_soon", lambda: None):
    opened += [client.get(f"/ocgs/{reference}/").status_code for reference in references[2:5]]
print(json.dumps({
    "counts": counts,
    "register": register.status_code,
    "references": references,
    "opened": opened,
    "sealed": sealed,
    "unsealed": last_entry() - last_sealed,
}))
"""


def server_url(database: str) -> str:
    """The PostgreSQL pass's server, another database."""
    base, _slash, _name = PASS_DATABASE.partition("?")[0].rpartition("/")
    return f"{base}/{database}"


def admin(statement: sql.Composed) -> None:
    with psycopg.connect(server_url("postgres"), autocommit=True) as connection:
        connection.execute(statement)


@pytest.fixture
def databases() -> Iterator[Callable[[str], str]]:
    """Names for this test's databases (unique, so parallel workers never meet); each is
    dropped at the end."""
    token = uuid.uuid4().hex[:12]
    named: list[str] = []

    def name(role: str) -> str:
        named.append(f"drill_{token}_{role}")
        return named[-1]

    yield name
    for database in named:
        admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))


def postgres_tools() -> dict[str, str]:
    """pg_dump, pg_restore and createdb of the server's major version (Debian keeps each
    version's under /usr/lib/postgresql/N/bin), else from PATH when they are at least that
    version. None: the drill fails, it does not skip."""
    with psycopg.connect(server_url("postgres")) as connection:
        row = connection.execute("SHOW server_version_num").fetchone()
    assert row is not None
    major = int(row[0]) // 10000
    directory = Path(f"/usr/lib/postgresql/{major}/bin")
    if all((directory / tool).is_file() for tool in TOOLS):
        return {tool: str(directory / tool) for tool in TOOLS}
    found = {tool: shutil.which(tool) for tool in TOOLS}
    if all(found.values()):
        version = subprocess.run(
            [str(found["pg_dump"]), "--version"], capture_output=True, text=True, check=True
        ).stdout
        number = re.search(r"\)\s+(\d+)", version)
        if number and int(number.group(1)) >= major:
            return {tool: str(path) for tool, path in found.items()}
    pytest.fail(
        f"The backup drill needs pg_dump, pg_restore and createdb of PostgreSQL {major} or "
        f"later (Debian: apt-get install postgresql-client-{major}); found {found}"
    )


def previous_release_source(into: Path) -> Path:
    """The previous release's src/ from the git history (`git archive COMMIT src | tar -x`)."""
    commit = PREVIOUS_RELEASE.commit
    git = shutil.which("git")
    lacks = (
        f"The upgrade drill starts from the previous release {PREVIOUS_RELEASE.name}, commit "
        f"{commit} (concord/core/releases.py), which this checkout's git history does not "
        "hold (a shallow clone? `git fetch --unshallow`)"
    )
    if git is None:
        pytest.fail(f"{lacks}: git is not installed")
    repository = [git, "-c", f"safe.directory={ROOT}", "-C", str(ROOT)]
    present = subprocess.run(
        [*repository, "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True, text=True
    )
    if present.returncode:
        pytest.fail(f"{lacks}: {present.stderr.strip()}")
    archive = subprocess.run(
        [*repository, "archive", "--format=tar", commit, "src"], capture_output=True, check=True
    )
    into.mkdir()
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def concord(
    *args: str, database: str, home: Path, source: Path | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    """`concord ARGS` in a process of its own on `database`: today's code, or the code under
    `source` (an older release's src/, first on the path)."""
    inherited = ("CONCORD_", "DATABASE_URL", "DJANGO_", "PYTEST", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
    env |= {
        "DATABASE_URL": server_url(database),
        "CONCORD_HOME": str(home),  # var/ (keys, secrets) under the test's own directory
        "CONCORD_SECRET_KEY": "drill-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "CONCORD_AUDIT_KEY": AUDIT_KEY,
        "CONCORD_REQUIRE_2FA": "false",
        "CONCORD_TASK_BACKEND": "immediate",
        "CONCORD_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CONCORD_LOG_FORMAT": "text",
        "CONCORD_LOG_LEVEL": "WARNING",
        **extra,
    }
    if source is not None:
        env["PYTHONPATH"] = str(source)
    return subprocess.run(
        [sys.executable, "-m", "concord.config.cli", *args],
        env=env,
        cwd=source.parent if source is not None else ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def succeeded(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{' '.join(done.args[3:])} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def verified(done: subprocess.CompletedProcess[str]) -> tuple[int, int, int]:
    """Entries, seals and entries awaiting their seal, as `concord audit verify` counted them."""
    found = VERIFIED.search(succeeded(done))
    assert found, done.stdout
    entries, seals, unsealed = (int(group.replace(",", "")) for group in found.groups())
    return entries, seals, unsealed


def row_counts(database: str, tables: tuple[str, ...] = ()) -> dict[str, int]:
    """Rows in each of `tables`, or in every table of the public schema."""
    with psycopg.connect(server_url(database)) as connection:
        if not tables:
            tables = tuple(
                name
                for (name,) in connection.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
                )
            )
        counts = {}
        for table in tables:
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            row = connection.execute(query).fetchone()
            assert row is not None
            counts[table] = int(row[0])
        return counts


def test_upgrade_from_the_previous_release_then_backup_and_restore(
    tmp_path: Path, databases: Callable[[str], str]
) -> None:
    tools = postgres_tools()
    previous = previous_release_source(tmp_path / "previous")
    home = tmp_path / "home"
    home.mkdir()
    live = databases("live")
    admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(live)))

    # 1. The previous release: its migrations, its demo world (the old code, not today's).
    succeeded(concord("migrate", "--no-input", database=live, home=home, source=previous))
    succeeded(
        concord(
            "seed_demo",
            "--no-progress",
            database=live,
            home=home,
            source=previous,
            CONCORD_DEMO="true",
        )
    )
    before = row_counts(live, KEY_TABLES)
    assert before["threats_ocg"] > 0
    assert before["intelligence_intelreport"] > 0
    assert before["core_auditentry"] > 0

    # 2. The upgrade: today's migrations over the old release's data, in place.
    upgrade = succeeded(concord("migrate", "--no-input", database=live, home=home))
    assert "Applying " in upgrade, "the previous release already had every migration"
    entries, seals, unsealed = verified(concord("audit", "verify", database=live, home=home))
    assert (entries, seals, unsealed) == (before["core_auditentry"], before["core_auditseal"], 0)

    # Today's code reads the old release's data, and people work in it.
    read_and_work = READ_AND_WORK.replace("__KEY_TABLES__", repr(KEY_TABLES))
    work = json.loads(
        succeeded(concord("shell", "-c", read_and_work, database=live, home=home))
        .strip()
        .splitlines()[-1]
    )
    assert work["counts"] == before
    assert work["register"] == 200
    assert len(work["references"]) >= 5, work["references"]
    assert work["opened"] == [200] * 5
    assert work["sealed"] > 0
    assert work["unsealed"] >= 3  # an audited view of each OCG opened after the seal

    # 3. Backup and restore, as docs/operations.md says.
    dump = tmp_path / "concord.dump"
    subprocess.run([tools["pg_dump"], "-Fc", "-f", str(dump), server_url(live)], check=True)
    restored = databases("restored")
    subprocess.run(
        [tools["createdb"], f"--maintenance-db={server_url('postgres')}", restored], check=True
    )
    subprocess.run(
        [
            tools["pg_restore"],
            "--no-owner",
            "--exit-on-error",
            "-d",
            server_url(restored),
            str(dump),
        ],
        check=True,
    )
    entries, seals, unsealed = verified(concord("audit", "verify", database=restored, home=home))
    original = row_counts(live)
    assert (entries, seals, unsealed) == (
        original["core_auditentry"],
        original["core_auditseal"],
        work["unsealed"],
    )
    assert seals > before["core_auditseal"]  # today's seal came through the dump too
    assert row_counts(restored) == original

    # The restored trail is still append-only (its triggers came back with it) ...
    old_entry = before["core_auditentry"] // 2 + 1  # a sealed entry of the old release's
    with psycopg.connect(server_url(restored), autocommit=True) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(
                "UPDATE core_auditentry SET reason = 'edited' WHERE id = %s", [old_entry]
            )
        # ... and its owner, who can lift them, does not go unnoticed.
        with connection.transaction():
            connection.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
            edited = connection.execute(
                "UPDATE core_auditentry SET reason = 'edited' WHERE id = %s", [old_entry]
            )
            assert edited.rowcount == 1
            connection.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
    broken = concord("audit", "verify", database=restored, home=home)
    assert broken.returncode == 1, broken.stdout
    assert f"Audit trail BROKEN at entry {old_entry}:" in broken.stderr
