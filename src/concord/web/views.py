"""Shell pages."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format

from concord.web import attention

VETTING_WARNING_DAYS = 60
# The axe-core the accessibility suite runs (tests/browser/axe.py checks the two agree).
AXE_CORE_VERSION = "4.12.1"
STATEMENT_PREPARED = dt.date(2026, 12, 7)


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


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (GOV.UK's model): open to anyone, signed in or not."""
    return render(
        request,
        "web/accessibility.html",
        {
            "axe_version": AXE_CORE_VERSION,
            "prepared": date_format(STATEMENT_PREPARED, "j F Y"),
        },
    )
