"""Running `concord` commands as real processes against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

REPO = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database (already migrated by the runner) as a DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def environment(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CONCORD_", "DATABASE_URL"))}
    return {
        **base,
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": database_url(),
        "CONCORD_SECRET_KEY": os.environ["CONCORD_SECRET_KEY"],
        "CONCORD_REQUIRE_2FA": "false",
        "CONCORD_LOG_LEVEL": "INFO",
        "CONCORD_TASK_BACKEND": "database",
        **extra,
    }


def concord(*args: str, **env: str) -> subprocess.Popen[str]:
    """Start `concord ARGS` in a process of its own (its output to a pipe)."""
    return subprocess.Popen(
        [sys.executable, "-m", "concord.config.cli", *args],
        env=environment(**env),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
