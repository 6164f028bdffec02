"""Context for the shell shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from concord.web.navigation import items_for


def shell(request: HttpRequest) -> dict[str, object]:
    """Navigation, demo banner and the current path (to mark the active navigation item)."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "demo_mode": settings.DEMO_MODE,
        "nav_items": items_for(user) if signed_in else [],
        "current_path": request.path,
    }
