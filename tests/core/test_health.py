"""/healthz says the process is alive (and whether the database answers); /readyz whether it
can serve."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_stays_up_and_readyz_is_503_when_the_database_is_unreachable():
    # A real server process pointed at a port where no database listens.
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "import json;"
        "c = Client(SERVER_NAME='127.0.0.1');"
        "answers = [c.get('/healthz'), c.get('/readyz')];"
        "print(json.dumps([[r.status_code, r.json()] for r in answers]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCORD_")}
    env.update(
        DJANGO_SETTINGS_MODULE="concord.config.settings",
        CONCORD_DEBUG="true",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere",
        CONCORD_LOG_LEVEL="ERROR",
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    (health, health_body), (ready, ready_body) = json.loads(result.stdout.strip().splitlines()[-1])
    assert (health, health_body) == (200, {"status": "ok", "database": "unreachable"})
    assert ready == 503
    assert ready_body["status"] == "unavailable"
    assert ready_body["database"] == "unreachable"


@pytest.mark.django_db
def test_each_request_is_logged_as_structured_fields(client, caplog):
    with caplog.at_level(logging.INFO, logger="concord.request"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="abc123")
    record = next(r for r in caplog.records if r.name == "concord.request")
    assert record.status == 200
    assert record.path == "/healthz"
    assert record.request_id == "abc123"
    assert record.duration_ms >= 0
    assert response["X-Request-ID"] == "abc123"


def test_the_json_formatter_writes_one_object_per_line():
    from concord.core.logging import JsonFormatter

    record = logging.LogRecord("concord.request", logging.INFO, __file__, 1, "GET / 200", (), None)
    record.status = 200
    line = JsonFormatter().format(record)
    payload = json.loads(line)
    assert payload["message"] == "GET / 200"
    assert payload["status"] == 200
    assert payload["level"] == "INFO"
    assert "\n" not in line
