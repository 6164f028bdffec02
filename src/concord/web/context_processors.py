"""Context for the shell shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from concord.web.navigation import items_for


def unread(user: object) -> int:
    from concord.organisations.notifications import unread as count

    return count(user)


def shell(request: HttpRequest) -> dict[str, object]:
    """Navigation, demo banner and the current path (to mark the active navigation item)."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "unread_notifications": SimpleLazyObject(lambda: unread(user)) if signed_in else 0,
        "demo_mode": settings.DEMO_MODE,
        "nav_items": items_for(user) if signed_in else [],
        "current_path": request.path,
    }
