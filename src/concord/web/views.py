"""Shell pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from concord.web import attention

VETTING_WARNING_DAYS = 60


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in person's start page: what needs their attention (web/attention.py, each
    app's providers), then who they are and their vetting."""
    user = request.user
    expires = getattr(user, "vetting_expires", None)
    days_left = (expires - timezone.localdate()).days if expires else None
    return render(
        request,
        "web/home.html",
        {
            "attention": attention.entries_for(user),
            "acting_organisation": user.acting_organisation(),  # type: ignore[union-attr]
            "vetting_days_left": days_left,
            "vetting_warning": days_left is not None and 0 <= days_left <= VETTING_WARNING_DAYS,
        },
    )
