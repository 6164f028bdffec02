"""Runs inside a bench subprocess (Django set up by env): re-score and picture timings."""

from __future__ import annotations

import json
import statistics
import sys
import time

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from concord.organisations.models import User  # noqa: E402
from concord.scoring import services  # noqa: E402
from concord.scoring.models import published_model  # noqa: E402
from concord.threats.models import REGISTER_ITEMS, Ocg, PriorityIndividual  # noqa: E402


def rescore() -> dict[str, float]:
    admin = User.objects.get(username="admin")
    draft = services.draft_next_version(actor=admin, model=published_model())
    services.publish_model(actor=admin, model=draft)
    started = time.perf_counter()
    count = services.rescore_all(actor=admin, model=draft)
    return {
        "rescored": count,
        "seconds": time.perf_counter() - started,
        "total_ocgs": Ocg.objects.count(),
        "total_pis": PriorityIndividual.objects.count(),
    }


def picture(username: str, runs: int) -> dict[str, float]:
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    client.get("/priorities/")  # warm caches and connections
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get("/priorities/")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get("/priorities/")
    query_count = len(queries)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(0.95 * (len(times) - 1))],
        "queries": query_count,
        "runs": runs,
        "visible": sum(
            model.objects.visible_to(User.objects.get(username=username)).count()
            for model in REGISTER_ITEMS.values()
        ),
    }


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "rescore":
        print(json.dumps(rescore()))
    else:
        print(json.dumps(picture(sys.argv[2], int(sys.argv[3]))))
