"""Gaps: a threat's need of a capability that the allocation leaves unmet, or meets only with
capacity lent from another region (a flex request), kept from run to run so that a tasking chair
can answer it (lend, bid, accept the risk) and the answer is acted on and audited.

A gap names its threat, so it is seen only by those who may see the threat, within the capacity
scope of the organisation that holds it; once a loan is agreed the lending organisation's people
see the loan too (what they lent, and for how long), with the threat named only if they may see
it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concord.capabilities.choices import GapStatus
from concord.capabilities.models import ABOUT_ONE_ITEM, AllocationRun, Capability, scope_over
from concord.core import text
from concord.core.queries import RestrictedQuerySet
from concord.core.restriction import Restricted
from concord.organisations.models import Organisation
from concord.threats.models import Ocg, PriorityIndividual, Vulnerability

if TYPE_CHECKING:
    from concord.core.policy import Viewer


def gap_scope(viewer: Viewer) -> Q | None:
    """Gaps of the organisations whose capacity the person sees, and loans their organisations
    agreed to make."""
    own = scope_over(viewer, "organisation")
    if own is None or own == Q():
        return own
    lent = lender_party(viewer)
    return own | lent if lent is not None else own


def lender_party(viewer: Viewer) -> Q | None:
    """The lending side of an agreed loan sees it, whether or not it may see the threat."""
    lent = scope_over(viewer, "lender")
    if lent is None:
        return None
    return Q(status=GapStatus.LOAN) & lent


# Highest THR priority first (the threat's band), then the heaviest shortfall.
RANKING = ("band_rank", "-weighted", "capability__code", "pk")


class Gap(models.Model):
    """A threat's unmet (or only lent) need of one capability over a period, and what a tasking
    chair decided about it."""

    ocg = models.ForeignKey(Ocg, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    priority_individual = models.ForeignKey(
        PriorityIndividual, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="gaps")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("held by"),
        help_text=_("The organisation that owns the threat."),
    )
    region = models.CharField(_("region"), max_length=20)
    band = models.CharField(_("priority band"), max_length=4, blank=True)
    band_rank = models.PositiveSmallIntegerField(default=99)
    starts = models.DateField(_("from"))
    ends = models.DateField(_("until"))
    needed = models.PositiveIntegerField(_("needed a week"), default=0)
    unmet = models.PositiveIntegerField(_("unmet a week"), default=0)
    weighted = models.FloatField(_("priority-weighted shortfall"), default=0)
    # What the allocation proposes: capacity from another region's pool.
    proposed_from = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed lender"),
    )
    proposed = models.PositiveIntegerField(_("proposed loan a week"), default=0)
    first_run = models.ForeignKey(
        AllocationRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_run = models.ForeignKey(
        AllocationRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=GapStatus.choices, default=GapStatus.OPEN
    )
    # The answer: an agreed loan (who lends how much), a bid, or the risk accepted.
    lender = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lent by"),
    )
    lent = models.PositiveIntegerField(_("lent a week"), default=0)
    bid_posts = models.PositiveSmallIntegerField(_("posts bid for"), default=0)
    review_on = models.DateField(_("review by"), null=True, blank=True)
    rationale = models.TextField(_("rationale"), max_length=text.SUMMARY, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # Where it was decided ("Regional tasking and coordination group 2026-12-07").
    decided_in = models.CharField(_("decided at"), max_length=120, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    access = Restricted(
        via=("ocg", "priority_individual", "vulnerability"),
        requires=gap_scope,
        parties=lender_party,
        describes="capability gap",
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["band_rank", "-weighted", "pk"]
        verbose_name = _("capability gap")
        indexes = [models.Index(fields=["status", "capability"])]
        constraints = [
            models.CheckConstraint(
                condition=ABOUT_ONE_ITEM,
                name="capabilities_gap_about_one_item",
            ),
            models.UniqueConstraint(
                fields=["ocg", "priority_individual", "vulnerability", "capability"],
                condition=Q(status=GapStatus.OPEN),
                name="capabilities_one_open_gap",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.capability.code}"

    def get_absolute_url(self) -> str:
        return reverse("capabilities:gap", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"GAP-{self.pk}"

    @property
    def register_item(self) -> Any:
        found = self.ocg or self.priority_individual or self.vulnerability
        assert found is not None
        return found

    @property
    def weeks(self) -> int:
        return max(1, ((self.ends - self.starts).days + 1) // 7)

    @property
    def is_flex_request(self) -> bool:
        """Whether the plan meets the need, but only with capacity lent from another region."""
        return self.proposed > 0 and self.unmet == 0

    def answered_on(self, day: dt.date) -> bool:
        """Whether a decision still holds on `day` (a loan for its period, a bid or accepted
        risk until its review date)."""
        if self.status == GapStatus.LOAN:
            return day <= self.ends
        if self.status in (GapStatus.BID, GapStatus.RISK):
            return self.review_on is not None and day <= self.review_on
        return False
