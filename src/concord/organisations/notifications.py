"""Notify people in Concord and by email (through Django's mail backend), after commit.

Subjects and bodies carry references and what happened, never record content: an email may
leave the secure network, so the detail stays behind sign-in at the link.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction

from concord.organisations.models import Notification


def notify(
    people: Iterable[Any],
    *,
    subject: str,
    body: str = "",
    link: str = "",
    about: Any = None,
) -> int:
    """Tell each active person once (the actor is usually left out by the caller). A message
    `about` a record goes only to those who may see it (in Concord and by email alike), and
    stays in their list only while they still may."""
    from concord.core import policy

    if about is not None and about._meta.label_lower not in Notification.access.generic_models:
        raise ValueError(f"notifications are not about {about._meta.label_lower}: name it first")
    unique = {p.pk: p for p in people if p is not None and p.is_active}
    if about is not None:
        unique = {pk: p for pk, p in unique.items() if policy.visible(p, about)}
    about_type = ContentType.objects.get_for_model(about) if about is not None else None
    made = Notification.objects.bulk_create(
        [
            Notification(
                person=p,
                subject=subject[:200],
                body=body,
                link=link,
                about_type=about_type,
                about_id=about.pk if about is not None else None,
            )
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
    return Notification.objects.visible_to(person).filter(read_at__isnull=True).count()
