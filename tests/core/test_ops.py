"""/readyz says whether this instance can serve; /metrics is Prometheus text, only from the
loopback address or with the operators' token."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.core.workers import REPO, environment

pytestmark = pytest.mark.django_db


def test_readyz_is_200_when_database_migrations_and_queue_are_ready(client, settings):
    settings.TASK_BACKEND = "database"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "tasks": "ok",
    }


def test_readyz_is_503_on_a_database_never_migrated(tmp_path):
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client(SERVER_NAME='127.0.0.1').get('/readyz');"
        "print(r.status_code, r.content.decode())"
    )
    env = environment(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    env["DJANGO_SETTINGS_MODULE"] = "concord.config.settings"
    env["CONCORD_LOG_LEVEL"] = "ERROR"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    status, body = result.stdout.strip().split(" ", 1)
    answer = json.loads(body)
    assert status == "503", result.stderr
    assert answer["database"] == "ok"
    assert answer["migrations"].endswith("pending")
    assert answer["tasks"] == "unreachable"


def test_metrics_from_loopback_show_latency_by_route_and_the_queue(client):
    client.get("/healthz")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'concord_request_duration_seconds_bucket{le="0.15",method="GET",route="healthz"}' in text
    for name in (
        "concord_tasks_queued",
        "concord_tasks_oldest_queued_seconds",
        "concord_tasks_failed",
        "concord_audit_unsealed_entries",
        "concord_audit_seal_lag_seconds",
    ):
        assert f"\n{name} " in text


@pytest.mark.parametrize(
    "extra",
    [
        {"REMOTE_ADDR": "203.0.113.5"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"},
        {"REMOTE_ADDR": "203.0.113.5", "HTTP_AUTHORIZATION": "Bearer wrong-token-0123456789"},
    ],
    ids=["elsewhere", "forwarded by a proxy", "wrong token"],
)
def test_metrics_are_not_there_for_anyone_else(client, settings, extra):
    settings.METRICS_TOKEN = "metrics-token-0123456789abcdef"
    assert client.get("/metrics", **extra).status_code == 404


def test_metrics_answer_the_operators_token_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "metrics-token-0123456789abcdef"
    response = client.get(
        "/metrics",
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        HTTP_AUTHORIZATION="Bearer metrics-token-0123456789abcdef",
    )
    assert response.status_code == 200
    assert b"concord_tasks_queued" in response.content
