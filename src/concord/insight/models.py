"""Public statistics: quarterly releases of disruptions and outcomes per region and for
England and Wales, protected by statistical disclosure control (insight/disclosure), prepared
by one person of the national function and approved by another before anyone outside sees them.

A release keeps two things: the published tables (what the public page, CSV and JSON show:
"[c]" where withheld) and, for its preparers only, the true counts it was protected from, so
that approval protects them again and refuses any difference or breach. Nothing in a release
names a record: it is aggregates only, and a draft is seen only by the national function.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concord.insight.choices import ReleaseStatus


class StatisticsRelease(models.Model):
    """One quarter's public statistics, from draft to published (or withdrawn)."""

    year = models.PositiveSmallIntegerField(
        _("financial year starting"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT
    )
    # {"threshold": 10, "rounding_base": 5, "protection": {"percent": 20, "width": 4}}
    rules = models.JSONField(_("disclosure rules"), default=dict)
    # [{"code": "disruptions", "data": as_data(release)}, ...] as published.
    tables = models.JSONField(_("published tables"), default=list)
    # {"disruptions": {"labels": [...], "counts": [...]}, ...}: the true counts, never public.
    counts = models.JSONField(_("true counts"), default=dict)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("prepared"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("why withdrawn"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-year", "-quarter", "-pk"]
        verbose_name = _("statistics release")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter"],
                condition=Q(status="published"),
                name="insight_one_published_release_a_quarter",
            ),
            models.UniqueConstraint(
                fields=["year", "quarter"],
                condition=Q(status="draft"),
                name="insight_one_draft_a_quarter",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("insight:release", args=[self.slug])

    @property
    def label(self) -> str:
        """ "2026/27 Q3"."""
        return f"{self.year}/{str(self.year + 1)[-2:]} Q{self.quarter}"

    @property
    def slug(self) -> str:
        return f"{self.year}-q{self.quarter}"
