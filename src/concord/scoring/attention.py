"""What waits for a person in scoring: re-assessments overdue on the active items their
organisation owns, for those who may assess them (the owning organisation's staff, never a
partner: `scoring.services.assess` asks `policy.can(CHANGE)`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core import policy
from concord.threats.models import REGISTER_ITEMS, RegisterItem
from concord.web import attention
from concord.web.attention import Entry, Row

ASSESS_URLS = {
    "ocg": "scoring:assess",
    "pi": "scoring:assess_pi",
    "vulnerability": "scoring:assess_vulnerability",
}
HEADINGS = {
    "ocg": _("OCG re-assessments overdue"),
    "pi": _("Priority individual re-assessments overdue"),
    "vulnerability": _("Vulnerability re-assessments overdue"),
}


def reassessments_overdue(user: Any, kind: str) -> QuerySet[Any]:
    """Active items of `kind` the person's organisation owns whose re-assessment date has
    passed, highest priority first."""
    model = REGISTER_ITEMS[kind]
    viewer = policy.viewer_for(user)
    if not viewer.sees_records or viewer.is_partner:
        return model.objects.none()
    return (
        model.objects.visible_to(user)
        .filter(
            owner_id=user.acting_organisation().pk,
            status="active",
            review_due_on__lt=timezone.localdate(),
        )
        .order_by("band_rank", "review_due_on", "reference")
    )


def _row(item: RegisterItem) -> Row:
    band = f" ({item.band})" if item.band else ""
    return Row(
        reference=item.reference,
        title=f"{item.name}{band}",
        url=reverse(ASSESS_URLS[item.kind_code], args=[item.reference]),
        due=item.review_due_on,
    )


@attention.provider("scoring")
def waiting(user: Any) -> list[Entry]:
    """One entry per kind of register item with re-assessments overdue."""
    picture = reverse("scoring:picture")
    entries: list[Entry] = []
    for kind in REGISTER_ITEMS:
        entries += attention.entry(
            f"scoring.reassessments_{kind}",
            HEADINGS[kind],
            reassessments_overdue(user, kind),
            _row,
            order=42,
            see_all=f"{picture}?overdue=true&kind={kind}",
            see_all_label=_("Priorities: everything overdue you may see"),
        )
    return entries
