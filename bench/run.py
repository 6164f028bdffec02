"""`make bench`: national-scale benchmarks, written to docs/benchmarks.md.

Each bench/bench_*.py module has `run(ctx) -> list[str]` returning Markdown lines for its section.
The context gives a fresh PostgreSQL database (and an SQLite file) per benchmark, created and
dropped here, and a way to run `concord` commands against either. Figures are measured, never
asserted: the targets are stated beside them for a reader to judge.
"""

from __future__ import annotations

import importlib
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "benchmarks.md"


@dataclass
class Context:
    """Where a benchmark runs: the PostgreSQL server from DATABASE_URL, and scratch space."""

    postgres_url: str
    scratch: Path
    created: list[str] = field(default_factory=list)

    def postgres_database(self, name: str) -> str:
        """Drop and create database `name` on the server; return its URL."""
        admin = _with_db(self.postgres_url, "postgres")
        _psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _psql(admin, f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return _with_db(self.postgres_url, name)

    def sqlite_database(self, name: str) -> str:
        path = self.scratch / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"

    def concord(self, database_url: str, *args: str, quiet: bool = True) -> float:
        """Run `concord ARGS` against a database in demo mode; return wall-clock seconds."""
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CONCORD_DEMO": "true",
            "CONCORD_LOG_LEVEL": "WARNING",
        }
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "concord.config.cli", *args],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL if quiet else None,
        )
        return time.perf_counter() - started

    def cleanup(self) -> None:
        admin = _with_db(self.postgres_url, "postgres")
        for name in self.created:
            _psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _psql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]  # our own literal SQL


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}, Python {platform.python_version()}"


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("make bench needs DATABASE_URL to name a PostgreSQL server.")
    only = sys.argv[1:]
    modules = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    scratch = ROOT / "var" / "bench"
    scratch.mkdir(parents=True, exist_ok=True)
    ctx = Context(postgres_url=url, scratch=scratch)
    sections: list[str] = []
    try:
        for name in modules:
            if only and name not in only:
                continue
            print(f"== {name}", flush=True)
            module = importlib.import_module(f"bench.{name}")
            sections.extend(module.run(ctx))
            sections.append("")
    finally:
        ctx.cleanup()
    header = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py); do not edit by hand. Figures are from one run on "
        "the machine below; targets come from the issues. PostgreSQL figures use the server "
        "`make bench` found or started (scripts/ensure_postgres.sh).",
        "",
        f"- Run: {time.strftime('%Y-%m-%d %H:%M %Z')}",
        f"- Machine: {machine()}",
        "",
    ]
    OUT.write_text("\n".join(header + sections).rstrip() + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
