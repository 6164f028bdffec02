"""Runs inside a bench subprocess (Django set up by env): agenda building for a national forum."""

from __future__ import annotations

import json
import statistics
import sys
import time

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from concord.meetings import services  # noqa: E402
from concord.meetings.models import Meeting  # noqa: E402
from concord.threats.models import Ocg  # noqa: E402


def main(runs: int) -> dict[str, float]:
    meeting = Meeting.objects.select_related("forum__chair").get(forum__organisation__code="NCA")
    chair = meeting.forum.chair
    services.build_agenda(actor=chair, meeting=meeting)  # warm caches and connections
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        items = services.build_agenda(actor=chair, meeting=meeting)
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        services.build_agenda(actor=chair, meeting=meeting)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(0.95 * (len(times) - 1))],
        "items": len(items),
        "queries": len(queries),
        "ocgs": Ocg.objects.visible_to(chair).count(),
        "runs": runs,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
