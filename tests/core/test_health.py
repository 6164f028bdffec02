"""/healthz tells a load balancer whether the database answers."""

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


def test_healthz_is_503_when_the_database_is_unreachable():
    # A real server process pointed at a port where no database listens.
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client(SERVER_NAME='127.0.0.1').get('/healthz');"
        "print(r.status_code, r.content.decode())"
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
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body)["database"] == "unreachable"


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
