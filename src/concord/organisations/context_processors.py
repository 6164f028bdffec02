"""Context every page needs from organisations: the signed-in person's unread notifications."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from concord.organisations.notifications import unread


def notifications(request: HttpRequest) -> dict[str, object]:
    """The unread count, read only when the header shows it."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread(user))}
