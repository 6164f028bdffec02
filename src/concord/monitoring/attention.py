"""What waits for an auditor: open alerts about the organisations they oversee
(`monitoring.scope.alerts_for`, the scope `Act.REVIEW_ALERT` checks), oldest first."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from concord.core.choices import RoleCode
from concord.monitoring.choices import AlertStatus
from concord.monitoring.models import Alert
from concord.monitoring.scope import alerts_for
from concord.web import attention
from concord.web.attention import Entry, Row


def alerts_to_review(user: Any) -> QuerySet[Alert]:
    """Open alerts in the auditor's scope; nothing for anyone who is not an auditor."""
    if not (user.has_role(RoleCode.AUDITOR) and user.may_sign_in()):
        return Alert.objects.none()
    return alerts_for(user).filter(status=AlertStatus.OPEN).order_by("raised_at", "id")


def _row(alert: Alert) -> Row:
    return Row(
        reference=alert.get_kind_display(),
        title=_("%(person)s, %(org)s")
        % {
            "person": alert.person.get_full_name() or alert.person.username,
            "org": alert.organisation.code,
        },
        url=reverse("monitoring:alert", args=[alert.pk]),
        note=_("Raised %(date)s")
        % {"date": date_format(timezone.localtime(alert.raised_at), "j F Y, H:i")},
    )


@attention.provider("monitoring")
def waiting(user: Any) -> list[Entry]:
    """Alerts waiting for review."""
    return attention.entry(
        "monitoring.alerts",
        _("Alerts to review"),
        alerts_to_review(user),
        _row,
        order=15,
        see_all=reverse("monitoring:alerts"),
        see_all_label=_("Open alerts"),
    )
