"""Workload of a unit's LROs and SIOs: the plans each carries now, by the item's priority band,
with overdue reviews, flagged past the limit held as data (`WorkloadLimit`).

Read through the policy: only posts on items the lead may see (`Appointment.objects.visible_to`),
held for the lead's own organisation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from concord.ownership.choices import AppointmentRole
from concord.ownership.models import Appointment
from concord.plans.models import Plan, WorkloadLimit

POSTS = (AppointmentRole.LRO, AppointmentRole.SIO)
# Where no limit is recorded for a post.
DEFAULT_LIMIT = 8
NO_BAND = "-"


@dataclass
class Load:
    """One person in one post: their plans by band and their overdue reviews."""

    person: Any
    role: str
    role_label: str
    bands: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    limit: int = DEFAULT_LIMIT

    @property
    def plans(self) -> int:
        return sum(self.bands.values())

    @property
    def over(self) -> bool:
        return self.plans > self.limit


def limits() -> dict[str, int]:
    found: dict[str, int] = {str(role): DEFAULT_LIMIT for role in POSTS}
    found.update(dict(WorkloadLimit.objects.values_list("role", "max_plans")))
    return found


def workload(lead: Any) -> tuple[list[Load], list[str]]:
    """The loads of the lead's organisation's LROs and SIOs (most plans first) and the bands
    that occur, in two queries whatever the number of posts."""
    today = timezone.localdate()
    overdue = Plan.objects.filter(next_review_on__lt=today).filter(
        Q(ocg_id=OuterRef("ocg_id"), ocg__isnull=False)
        | Q(
            priority_individual_id=OuterRef("priority_individual_id"),
            priority_individual__isnull=False,
        )
    )
    posts = (
        Appointment.objects.visible_to(lead)
        .filter(
            ended_on__isnull=True,
            role__in=POSTS,
            organisation=lead.acting_organisation(),
        )
        .filter(Q(ocg__status="active") | Q(priority_individual__status="active"))
        .annotate(review_overdue=Exists(overdue))
        .select_related("person", "ocg", "priority_individual")
    )
    caps = limits()
    loads: dict[tuple[int, str], Load] = {}
    bands: set[str] = set()
    for post in posts:
        key = (post.person_id, post.role)
        load = loads.get(key)
        if load is None:
            load = loads[key] = Load(
                person=post.person,
                role=post.role,
                role_label=str(post.get_role_display()),
                bands=defaultdict(int),
                limit=caps.get(post.role, DEFAULT_LIMIT),
            )
        band = post.subject.band or NO_BAND
        bands.add(band)
        load.bands[band] += 1
        if post.review_overdue:
            load.overdue += 1
    ordered = sorted(
        loads.values(),
        key=lambda x: (-x.plans, x.role, x.person.last_name, x.person.username),
    )
    return ordered, sorted(bands, key=lambda b: (b == NO_BAND, b))
