"""What waits for a person in organisations: their unread notifications, and for an
administrator the people whose vetting has lapsed or lapses soon (web/attention.py shows
them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from concord.organisations.models import Notification, User
from concord.organisations.notifications import visible_notifications
from concord.web import attention
from concord.web.attention import Entry, Row

# Vetting to renew is shown this many days before it lapses.
VETTING_NOTICE_DAYS = 60


def unread_notifications(user: Any) -> QuerySet[Notification]:
    """The person's unread notifications they may still see, newest first."""
    return visible_notifications(user, unread=True)


def _notification_row(notification: Notification) -> Row:
    return Row(
        reference=date_format(timezone.localtime(notification.created_at), "j F Y, H:i"),
        title=notification.subject,
        url=notification.link or reverse("organisations:notifications"),
    )


def vetting_to_renew(user: Any) -> QuerySet[User]:
    """Active people an administrator manages (their own organisation's; an operator's, all)
    whose vetting has lapsed or lapses within `VETTING_NOTICE_DAYS` days."""
    if not user.can_administer_people:
        return User.objects.none()
    soon = timezone.localdate() + dt.timedelta(days=VETTING_NOTICE_DAYS)
    people = User.objects.filter(is_active=True, vetting_expires__lte=soon)
    if not user.is_superuser:
        people = people.filter(organisation_id=user.organisation_id)
    return people.order_by("vetting_expires", "last_name", "username")


def _person_row(person: User) -> Row:
    return Row(
        reference=person.username,
        title=person.get_full_name() or person.username,
        url=reverse("organisations:person_edit", args=[person.pk]),
        due=person.vetting_expires,
        note=person.organisation.code,
    )


@attention.provider("organisations")
def waiting(user: Any) -> list[Entry]:
    """Unread notifications, and vetting to renew for administrators."""
    return [
        *attention.entry(
            "organisations.vetting",
            _("Vetting to renew"),
            vetting_to_renew(user),
            _person_row,
            order=60,
            see_all=reverse("organisations:people"),
            see_all_label=_("People"),
            hint=_("People you administer whose vetting has lapsed or lapses within 60 days."),
        ),
        *attention.entry(
            "organisations.notifications",
            _("Unread notifications"),
            unread_notifications(user),
            _notification_row,
            order=90,
            see_all=reverse("organisations:notifications"),
            see_all_label=_("Notifications"),
        ),
    ]
