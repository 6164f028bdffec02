"""Tasking requests in the one search: only those the reader may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concord.ownership.models import TaskingRequest
from concord.threats import search


def _tasking(user: Any, terms: search.Terms) -> QuerySet[Any]:
    return (
        TaskingRequest.objects.visible_to(user)
        .filter(Q(reference__iexact=terms.text) | Q(capability__icontains=terms.text))
        .select_related("owner", "to_organisation")
        .order_by("-created_at", "-id")
    )


def _hit(tasking: TaskingRequest) -> search.Hit:
    return search.Hit(
        tasking.reference,
        tasking.capability,
        reverse("ownership:tasking_detail", args=[tasking.reference]),
        f"{tasking.owner.code} → {tasking.to_organisation.code} · {tasking.get_status_display()}",
    )


search.register(
    search.SearchKind("tasking", _("Tasking requests"), "tasking", _tasking, _hit, order=70)
)
