"""`concord serve`: gunicorn on a loopback port against the (migrated) test database answers
/healthz and a signed-in page, logs each request as a JSON line, shares its metrics between
workers, reloads on SIGHUP and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import time

import pytest
import requests
from django.conf import settings
from django.test import Client

from tests.core.workers import concord

pytestmark = pytest.mark.usefixtures("committed_world")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.3)
    raise AssertionError("concord serve did not answer /healthz")


def test_concord_serve_answers_health_and_a_signed_in_page(cast):
    person = cast("tarian.chair")
    client = Client()
    client.force_login(person)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = concord(
        "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2",
        CONCORD_LOG_FORMAT="json",
    )  # fmt: skip
    try:
        wait_until_up(base, seconds=120)
        health = requests.get(f"{base}/healthz", timeout=10)
        assert health.json() == {"status": "ok", "database": "ok"}
        ready = requests.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        assert ready.json()["migrations"] == "ok"
        home = requests.get(f"{base}/", cookies={"sessionid": session}, timeout=30)
        assert home.status_code == 200
        assert person.get_full_name() in home.text
        assert 'href="/static/' in home.text
        css = requests.get(f"{base}/static/concord/concord.css", timeout=10)  # whitenoise
        assert css.status_code == 200
        assert ".concord-progress" in css.text
        # The metrics add up the workers' requests (the multiprocess directory works).
        for _ in range(6):
            requests.get(f"{base}/healthz", timeout=10)
        metrics = requests.get(f"{base}/metrics", timeout=10).text
        healthz = [
            line for line in metrics.splitlines()
            if line.startswith("concord_request_duration_seconds_count")
            and 'route="healthz"' in line
        ]  # fmt: skip
        assert sum(float(line.rsplit(" ", 1)[1]) for line in healthz) >= 8
        assert "concord_tasks_queued" in metrics
        assert "concord_audit_seal_lag_seconds" in metrics
        # Through a proxy (a forwarded address), /metrics is not there without the token.
        proxied = requests.get(
            f"{base}/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10
        )
        assert proxied.status_code == 404
        # SIGHUP: gunicorn starts new workers and lets the old ones finish; it keeps serving.
        server.send_signal(signal.SIGHUP)
        time.sleep(2)
        wait_until_up(base, seconds=120)
    except AssertionError as failure:
        server.send_signal(signal.SIGTERM)
        raise AssertionError(f"{failure}\n{server.communicate(timeout=60)[0]}") from None
    server.send_signal(signal.SIGTERM)
    output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "gunicorn.access"]
    assert any(line["path"] == "/healthz" and line["status"] == 200 for line in access)
    assert all("duration_ms" in line and "request_id" in line for line in access)
    assert any("Hang up" in line["message"] for line in lines), output
