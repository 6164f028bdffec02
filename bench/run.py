"""`make bench`: national-scale benchmarks, written to docs/benchmarks.md.

Each bench/bench_*.py module has `run(ctx) -> list[str]` returning Markdown lines for its section.
The context gives a fresh PostgreSQL database (and an SQLite file) per benchmark, created and
dropped here, and a way to run `concord` commands against either. Figures are measured, never
asserted: the targets are stated beside them for a reader to judge.

    python bench/run.py [--only audit ...]   (DATABASE_URL naming PostgreSQL, as `make bench` sets)
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
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
    national_url: str = ""
    national_timings: dict[str, float] = field(default_factory=dict)

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

    def national_world(self) -> str:
        """A PostgreSQL database with the national demo world, made once per run and shared.

        With CONCORD_BENCH_KEEP_NATIONAL set, the world is kept after the run and a kept one
        is used again (migrated to this code's schema): for re-running one module with --only
        without seeding the nation again (the seed's own timing comes from bench_seed)."""
        name = "concord_bench_national"
        keep = bool(os.environ.get("CONCORD_BENCH_KEEP_NATIONAL"))
        if not self.national_url and keep and _database_exists(self.postgres_url, name):
            url = _with_db(self.postgres_url, name)
            self.concord(url, "migrate", "--no-input", "-v", "0")
            self.national_url = url
        if not self.national_url:
            url = self.postgres_database(name)
            if keep:
                self.created.remove(name)
            self.national_timings["migrate"] = self.concord(url, "migrate", "--no-input", "-v", "0")
            self.national_timings["seed"] = self.concord(
                url, "seed_demo", "--scale", "national", "--no-progress"
            )
            self.national_url = url
        return self.national_url

    def python(self, database_url: str, script: str, *args: str) -> str:
        """Run a bench/ script with Django set up against a database; return its stdout."""
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CONCORD_DEMO": "true",
            "CONCORD_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "concord.config.settings",
            "PYTHONPATH": f"{ROOT}:{os.environ.get('PYTHONPATH', '')}",
        }
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench" / script), *args],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout

    def cleanup(self) -> None:
        admin = _with_db(self.postgres_url, "postgres")
        for name in self.created:
            _psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _database_exists(url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(_with_db(url, "postgres"), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return found is not None


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


# Each module's section opens with a marker naming it and when it ran, so that a run of some
# modules (--only) can keep the sections of the others from the file it rewrites.
MARKER = re.compile(r"^<!-- (bench_\w+) ran (.+) -->$")


def _earlier_sections(text: str) -> dict[str, tuple[str, list[str]]]:
    """The sections of an earlier docs/benchmarks.md: module -> (when it ran, its lines)."""
    sections: dict[str, tuple[str, list[str]]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if match := MARKER.match(line):
            current = []
            sections[match.group(1)] = (match.group(2), current)
        elif current is not None:
            current.append(line)
    return {name: (when, _trimmed(lines)) for name, (when, lines) in sections.items()}


def _trimmed(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def main() -> None:
    # The seeding benchmark first: it counts the national world's rows before the others
    # (re-scoring, for one) add to it.
    modules = sorted(
        (p.stem for p in Path(__file__).parent.glob("bench_*.py")),
        key=lambda name: (name != "bench_seed", name),
    )
    parser = argparse.ArgumentParser(description="Run the benchmarks into docs/benchmarks.md.")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this module (audit or bench_audit; repeatable); the other sections of "
        "docs/benchmarks.md are kept from the run that wrote them",
    )
    args = parser.parse_args()
    only = [name if name.startswith("bench_") else f"bench_{name}" for name in args.only]
    if unknown := sorted(set(only) - set(modules)):
        parser.error(f"no such benchmark: {', '.join(unknown)} (there are {', '.join(modules)})")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("make bench needs DATABASE_URL to name a PostgreSQL server.")
    scratch = ROOT / "var" / "bench"
    scratch.mkdir(parents=True, exist_ok=True)
    ctx = Context(postgres_url=url, scratch=scratch)
    now = time.strftime("%Y-%m-%d %H:%M %Z")
    sections = _earlier_sections(OUT.read_text()) if only and OUT.exists() else {}
    try:
        for name in modules:
            if only and name not in only:
                continue
            print(f"== {name}", flush=True)
            module = importlib.import_module(f"bench.{name}")
            sections[name] = (now, _trimmed(module.run(ctx)))
    finally:
        ctx.cleanup()
    runs: dict[str, list[str]] = {}
    for name in modules:
        if name in sections:
            runs.setdefault(sections[name][0], []).append(name)
    when = (
        f"- Run: {now}"
        if list(runs) == [now]
        else "- Runs: " + "; ".join(f"{at} ({', '.join(names)})" for at, names in runs.items())
    )
    header = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py); do not edit by hand. Figures are from the run "
        "dated below (each section's, where some were re-run alone with `--only`) on the machine "
        "below; targets come from the issues. PostgreSQL figures use the server "
        "`make bench` found or started (scripts/ensure_postgres.sh).",
        "",
        when,
        f"- Machine: {machine()}",
        "",
    ]
    body: list[str] = []
    for name in modules:
        if name in sections:
            at, lines = sections[name]
            body += [f"<!-- {name} ran {at} -->", *lines, ""]
    OUT.write_text("\n".join(header + body).rstrip() + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
