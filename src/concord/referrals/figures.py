"""Referral figures: received, researched (decided), linked (to an OCG or priority
individual) and investigated (an investigation opened or a tasking request made), per sender,
category, receiving unit or month; counted through the policy, so a person counts only the
referrals they may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from concord.organisations.models import Organisation
from concord.referrals.choices import Category, Decision, ReferralStatus
from concord.referrals.models import Referral

GROUPS = {
    "sender": _("Sender"),
    "category": _("Category"),
    "receiving_unit": _("Receiving unit"),
    "month": _("Month"),
}
CHART_WIDTH, CHART_HEIGHT = 640, 220


@dataclass(frozen=True)
class Line:
    label: str
    received: int
    researched: int
    linked: int
    investigated: int


def since(year: str) -> dt.date | None:
    return dt.date(int(year), 1, 1) if year.isdigit() and 2000 <= int(year) <= 2100 else None


def years() -> list[int]:
    this = timezone.localdate().year
    return [this, this - 1, this - 2]


def figures(user: Any, *, by: str, since: dt.date | None = None) -> list[Line]:
    """One line per group, in one query."""
    rows: Any = Referral.objects.visible_to(user)
    if since is not None:
        rows = rows.filter(found_on__gte=since, found_on__lt=dt.date(since.year + 1, 1, 1))
    key = "sender_id" if by == "sender" else "receiving_unit_id" if by == "receiving_unit" else by
    if by == "month":
        rows = rows.annotate(month=TruncMonth("found_on"))
    counted = (
        rows.order_by()
        .values(key)
        .annotate(
            received=Count("pk"),
            researched=Count("pk", filter=Q(status=ReferralStatus.DECIDED)),
            linked=Count("pk", filter=Q(decision=Decision.LINKED)),
            investigated=Count("pk", filter=Q(decision=Decision.INVESTIGATION)),
        )
        .order_by(key)
    )
    found = list(counted)
    names: dict[Any, str] = {}
    if by in ("sender", "receiving_unit"):
        names = {
            o.pk: o.display_name
            for o in Organisation.objects.filter(pk__in=[r[key] for r in found])
        }
    elif by == "category":
        names = {value: str(label) for value, label in Category.choices}
    lines = []
    for r in found:
        value = r[key]
        if by == "month":
            label = date_format(value, "YEAR_MONTH_FORMAT") if value else ""
        else:
            label = str(names.get(value, value))
        lines.append(
            Line(
                label=label,
                received=r["received"],
                researched=r["researched"],
                linked=r["linked"],
                investigated=r["investigated"],
            )
        )
    return lines


def chart(lines: list[Line]) -> dict[str, Any]:
    """Bars of received and investigated per line (the table beside it holds the figures)."""
    top = max((line.received for line in lines), default=0) or 1
    inner = CHART_HEIGHT - 48
    step = (CHART_WIDTH - 48) // max(len(lines), 1)
    width = max(4, step // 3)
    bars = []
    for i, line in enumerate(lines):
        received = int(inner * line.received / top)
        investigated = int(inner * line.investigated / top)
        x = 24 + i * step
        bars.append(
            {
                "line": line,
                "x": x,
                "x2": x + width,
                "width": width,
                # Narrower, so the two series differ by shape as well as colour.
                "narrow": max(2, width // 2),
                "received_h": received,
                "received_y": CHART_HEIGHT - 24 - received,
                "investigated_h": investigated,
                "investigated_y": CHART_HEIGHT - 24 - investigated,
                "n": i + 1,
            }
        )
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": bars}
