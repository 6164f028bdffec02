"""Notify people in Concord and by email (through Django's mail backend), after commit.

Subjects and bodies carry references and what happened, never record content: an email may
leave the secure network, so the detail stays behind sign-in at the link.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from concord.organisations.models import Notification


def notify(people: Iterable[Any], *, subject: str, body: str = "", link: str = "") -> int:
    """Tell each active person once (the actor is usually left out by the caller)."""
    unique = {p.pk: p for p in people if p is not None and p.is_active}
    made = Notification.objects.bulk_create(
        [
            Notification(person=p, subject=subject[:200], body=body, link=link)
            for p in unique.values()
        ]
    )
    addresses = [p.email for p in unique.values() if p.email]
    if addresses:
        text = f"{body}\n\n{settings.CONCORD_BASE_URL}{link}" if link else body

        def send() -> None:
            for address in addresses:
                send_mail(subject, text, None, [address], fail_silently=True)

        transaction.on_commit(send)
    return len(made)


def unread(person: Any) -> int:
    return Notification.objects.filter(person=person, read_at__isnull=True).count()
