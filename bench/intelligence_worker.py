"""Runs inside a bench subprocess (Django set up by env): intelligence list and report page
timings over the national world's reports."""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from concord.core.visible_list import VisibleList  # noqa: E402
from concord.intelligence.models import IntelReport  # noqa: E402
from concord.organisations.models import User  # noqa: E402


def timed(client: Client, path: str, runs: int) -> dict[str, float]:
    client.get(path)  # warm caches and connections
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, HTTP_X_ACCESS_REASON="Benchmark of the intelligence pages")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(path, HTTP_X_ACCESS_REASON="Benchmark of the intelligence pages")
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(0.95 * (len(times) - 1))],
        "queries": len(queries),
    }


def _page_of_fifty(listed: Any) -> None:
    listed.count()
    list(listed[0:50])


def paths(user: User, runs: int) -> dict[str, dict[str, float]]:
    """The list's reading (count and first page of 50) by VisibleList, and by the plain
    policy queryset it replaced (one query ordered and limited over the union), timed as
    calls in this process beside each other."""
    order = ("-information_date", "-id")
    made: dict[str, Any] = {
        "arms": lambda: VisibleList(user, IntelReport, order_by=order),
        "plain": lambda: IntelReport.objects.visible_to(user).order_by(*order),
    }
    found: dict[str, dict[str, float]] = {}
    for name, make in made.items():
        _page_of_fifty(make())  # warm
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            _page_of_fifty(make())
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        found[name] = {"p50": statistics.median(times), "p95": times[int(0.95 * (runs - 1))]}
    return found


def pages(username: str, runs: int) -> dict[str, object]:
    user = User.objects.get(username=username)
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    visible = IntelReport.objects.visible_to(user)
    own = visible.filter(owner=user.organisation, status="released", handling_code="P").first()
    result: dict[str, object] = {
        "visible": visible.count(),
        "total": IntelReport.objects.count(),
        "list": timed(client, "/intelligence/", runs),
        "api": timed(client, "/api/v1/intelligence?limit=25", runs),
    }
    if own is not None:
        result["report"] = timed(client, f"/intelligence/{own.reference}/", runs)
    result["paths"] = paths(user, max(5, runs // 4))
    return result


if __name__ == "__main__":
    print(json.dumps(pages(sys.argv[1], int(sys.argv[2]))))
