"""Settings refuse bad values at start-up with a message that names the setting."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from concord.config.env import Env


def start(**env: str) -> subprocess.CompletedProcess[str]:
    """Start Concord's CLI in a fresh process with the given environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CONCORD_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "concord.config.cli", "check"],
        env={**base, "CONCORD_DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CONCORD_DEBUG": "maybe"}, "Setting CONCORD_DEBUG must be one of true/false"),
        ({"CONCORD_SESSION_HOURS": "ten"}, "Setting CONCORD_SESSION_HOURS must be a whole number"),
        ({"CONCORD_SESSION_HOURS": "99"}, "Setting CONCORD_SESSION_HOURS must be at most 24"),
        ({"CONCORD_LOG_LEVEL": "LOUD"}, "Setting CONCORD_LOG_LEVEL must be one of DEBUG, INFO"),
        (
            {"DATABASE_URL": "mysql://root@localhost/concord"},
            "Setting DATABASE_URL must be a postgres://",
        ),
        ({"CONCORD_DEBUG": "false"}, "Setting CONCORD_SECRET_KEY is required"),
        ({"CONCORD_SECRET_KEY": "short"}, "CONCORD_SECRET_KEY must be at least 32 characters"),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_clear_message(env, message):
    result = start(**env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_good_settings_start():
    result = start(CONCORD_SECRET_KEY="x" * 40, CONCORD_DEBUG="false")
    assert result.returncode == 0, result.stderr


def test_a_database_password_is_not_echoed_in_the_error():
    result = start(DATABASE_URL="mysql://admin:hunter2secret@db/concord")
    assert "hunter2secret" not in result.stderr


def test_env_reads_typed_values():
    env = Env({"A": "yes", "B": " 42 ", "C": "a, b,,c", "D": "json"})
    assert env.get_bool("A") is True
    assert env.get_int("B", 0) == 42
    assert env.get_list("C", []) == ["a", "b", "c"]
    assert env.get_choice("D", "text", ("json", "text")) == "json"
    assert env.get_int("MISSING", 7) == 7


def test_env_rejects_out_of_range_numbers():
    with pytest.raises(ImproperlyConfigured, match="Setting B must be at least 1; got '0'"):
        Env({"B": "0"}).get_int("B", 5, minimum=1)


def test_unset_database_url_means_an_sqlite_file_under_var(tmp_path):
    config = Env({}).get_database("DATABASE_URL", tmp_path / "var" / "concord.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"].endswith("var/concord.sqlite3")


def test_postgres_url_is_parsed():
    config = Env({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/concord"}).get_database(
        "DATABASE_URL",
        None,  # type: ignore[arg-type]
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"]) == ("concord", "127.0.0.1", 5432)


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    """On PostgreSQL each connection turns off just-in-time compilation (it cost a figure of
    the effectiveness page 40 ms of compiling for nothing); SQLite has no such thing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        assert "options" not in connection.settings_dict.get("OPTIONS", {})
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
