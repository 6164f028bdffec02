"""Federation's metrics for /metrics: how far behind each active peer's sync is."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Max
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric


def sync_lag() -> Iterator[Metric]:
    """Seconds since each active peer's sync cursor last moved, by direction (pull, push)."""
    from concord.intelligence.models import SyncCursor

    family = GaugeMetricFamily(
        "concord_federation_sync_lag_seconds",
        "Seconds since a sync with the peer last took in (pull) or handed over (push) objects.",
        labels=["peer", "direction"],
    )
    now = timezone.now()
    rows = (
        SyncCursor.objects.filter(peer__active=True)
        .values("peer__name", "direction")
        .annotate(moved=Max("updated_at"))
        .order_by("peer__name", "direction")
    )
    for row in rows:
        family.add_metric(
            [row["peer__name"], row["direction"]], (now - row["moved"]).total_seconds()
        )
    yield family
