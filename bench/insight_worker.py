"""Runs inside a bench subprocess (Django set up by env): the effectiveness page for the nation
as the national function reads it, and the nightly consistency run over every organisation."""

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

from concord.insight import consistency  # noqa: E402
from concord.insight.models import ConsistencyException  # noqa: E402
from concord.organisations.models import User  # noqa: E402
from concord.plans.models import Disruption  # noqa: E402


def main(runs: int) -> dict[str, float]:
    reader = User.objects.get(username="nca.tasking")
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(reader)
    url = "/insight/effectiveness/?scope=nation&period=year"
    warm = client.get(url)  # warm caches and connections
    if warm.status_code != 200:
        raise SystemExit(f"{url} answered {warm.status_code}")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    started = time.perf_counter()
    run = consistency.run()
    nightly = time.perf_counter() - started
    return {
        "p50": statistics.median(times),
        "p95": times[int(0.95 * (len(times) - 1))],
        "queries": len(queries),
        "disruptions": Disruption.objects.count(),
        "nightly": nightly,
        "exceptions": ConsistencyException.objects.filter(run=run).count(),
        "runs": runs,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
