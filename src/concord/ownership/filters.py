"""Filters for ownership lists (page, API and export share them)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from ninja import FilterSchema

from concord.ownership.choices import TaskingStatus


class TaskingFilter(FilterSchema):
    status: TaskingStatus | None = None
    overdue: bool | None = None

    def filter_overdue(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        late = Q(status__in=["requested", "queried"], respond_by__lt=timezone.localdate())
        return late if value else ~late
