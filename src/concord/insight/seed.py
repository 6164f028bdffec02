"""Demo: last quarter's public statistics, prepared by nca.tasking and approved by another of
the national function's analysts, so the public page has a release from the start."""

from __future__ import annotations

from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.insight import services, statistics
from concord.insight.models import StatisticsRelease
from concord.organisations.models import User


def seed(world: DemoWorld) -> None:
    preparer = world.refs.get("personas", {}).get("nca.tasking")
    if preparer is None:
        return
    approver = (
        User.objects.filter(organisation__code="NCA", is_active=True, roles__code="analyst")
        .exclude(pk=preparer.pk)
        .order_by("username")
        .first()
    )
    if approver is None:
        return
    year, quarter = statistics.quarter_of(timezone.localdate())
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    release = services.prepare_release(actor=preparer, year=year, quarter=quarter)
    services.approve_release(actor=approver, release=release)
    world.count("public statistics releases", 1)


def reset() -> None:
    StatisticsRelease.objects.all().delete()


STEP = SeedStep(name="insight", order=40, run=seed, reset=reset)
