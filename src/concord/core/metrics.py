"""Prometheus metrics: request latency by route (this module's middleware) and the state
read from the database at each scrape (the task queue, the audit seal, and whatever upper
apps add with `add_source`). Under `concord serve` every gunicorn worker writes its samples
to PROMETHEUS_MULTIPROC_DIR and a scrape adds them up."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

logger = logging.getLogger(__name__)

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUEST_SECONDS = Histogram(
    "concord_request_duration_seconds",
    "Time to answer a request, by route name (the URL pattern's name) and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

Source = Callable[[], Iterable[Metric]]
_sources: list[Source] = []


def add_source(source: Source) -> None:
    """Add metrics read at each scrape (an upper app's, such as federation sync lag)."""
    if source not in _sources:
        _sources.append(source)


class MetricsMiddleware:
    """Times every request into `concord_request_duration_seconds` by its route's name
    (never its path, so the number of series stays fixed)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.view_name if match is not None and match.view_name else "unmatched"
        method = request.method if request.method in METHODS else "other"
        REQUEST_SECONDS.labels(route=route, method=method).observe(time.perf_counter() - started)
        return response


def queue_metrics() -> Iterator[Metric]:
    """The task queue: waiting, the oldest one's wait, running, failed past their retries."""
    from concord.core.tasks import queue_state

    state = queue_state()
    yield GaugeMetricFamily("concord_tasks_queued", "Tasks waiting to run.", value=state.queued)
    yield GaugeMetricFamily(
        "concord_tasks_oldest_queued_seconds",
        "How long the task that has waited longest has waited.",
        value=state.oldest_seconds,
    )
    yield GaugeMetricFamily("concord_tasks_running", "Tasks running now.", value=state.running)
    yield GaugeMetricFamily(
        "concord_tasks_failed", "Tasks failed past their retries.", value=state.failed
    )


def audit_metrics() -> Iterator[Metric]:
    """The audit seal's lag: entries written after the last seal, and the oldest one's age."""
    from django.db.models import Count, Min

    from concord.core.models import AuditEntry, AuditSeal

    last = AuditSeal.objects.order_by("-id").values_list("last_entry_id", flat=True).first()
    after = AuditEntry.objects.filter(id__gt=last or 0).aggregate(n=Count("id"), oldest=Min("at"))
    oldest = after["oldest"]
    yield GaugeMetricFamily(
        "concord_audit_unsealed_entries",
        "Audit entries written after the newest seal.",
        value=after["n"],
    )
    yield GaugeMetricFamily(
        "concord_audit_seal_lag_seconds",
        "Age of the oldest audit entry written after the newest seal (0 when all are sealed).",
        value=(timezone.now() - oldest).total_seconds() if oldest else 0.0,
    )


class DatabaseCollector(Collector):
    """Reads the queue, the seal and the added sources at each scrape."""

    def collect(self) -> Iterable[Metric]:
        for source in (queue_metrics, audit_metrics, *_sources):
            yield from source()


def scrape() -> bytes:
    """The text exposition of every metric, summed over the serving processes."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        served = CollectorRegistry()
        multiprocess.MultiProcessCollector(served)  # type: ignore[no-untyped-call]
        body = generate_latest(served)
    else:
        body = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return body + generate_latest(database)
