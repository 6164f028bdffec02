"""What waits for a triager (web/attention.py shows it on the home page): referrals to their
unit not yet decided, overdue ones first."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core import policy
from concord.referrals.choices import ReferralStatus
from concord.referrals.models import Referral
from concord.web import attention
from concord.web.attention import Entry, Row


def awaiting_triage(user: Any) -> QuerySet[Referral]:
    """Open referrals received by the person's unit, most overdue first."""
    if not policy.may(user, policy.Act.TRIAGE_REFERRALS, None):
        return Referral.objects.none()
    return (
        Referral.objects.visible_to(user)
        .filter(
            receiving_unit_id=policy.viewer_for(user).organisation_id,
            status__in=[ReferralStatus.RECEIVED, ReferralStatus.ASSIGNED],
        )
        .select_related("sender")
        .order_by("due_at", "pk")
    )


def _row(referral: Referral) -> Row:
    return Row(
        reference=referral.reference,
        title=f"{referral.get_category_display()} ({referral.sender.code})",
        url=referral.get_absolute_url(),
        due=timezone.localtime(referral.due_at).date(),
        note=referral.get_priority_display(),
    )


def waiting(user: Any) -> list[Entry]:
    """Referrals awaiting triage, and the overdue among them."""
    queue = reverse("referrals:list")
    waiting_now = awaiting_triage(user)
    return [
        *attention.entry(
            "referrals.overdue",
            _("Referrals overdue for triage"),
            waiting_now.filter(due_at__lt=timezone.now()),
            _row,
            order=11,
            see_all=f"{queue}?overdue=1",
            see_all_label=_("Overdue referrals"),
        ),
        *attention.entry(
            "referrals.awaiting",
            _("Referrals awaiting triage"),
            waiting_now,
            _row,
            order=12,
            see_all=queue,
            see_all_label=_("Referral queue"),
        ),
    ]


def register_providers() -> None:
    attention.register("referrals", waiting)
