"""Declared associations, alert rules (configuration as data) and alerts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.core.text import normalise_name
from concord.monitoring.choices import AlertKind, AlertStatus, Relationship


class DeclaredAssociation(models.Model):
    """A relative or associate a member of staff has declared; seen only by auditors."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        on_delete=models.PROTECT,
        related_name="declared_associations",
    )
    name = models.CharField(_("full name"), max_length=200)
    normalised_name = models.CharField(max_length=200, editable=False, db_index=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    notes = models.TextField(_("notes"), blank=True, max_length=limits.ENTRY)
    declared_at = models.DateTimeField(_("declared"), default=timezone.now)

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = _("declared association")
        verbose_name_plural = _("declared associations")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.normalised_name = normalise_name(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class AlertRule(models.Model):
    """One kind of alert with its thresholds: editable data, not code."""

    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    threshold = models.PositiveIntegerField(
        _("threshold"),
        default=0,
        help_text=_("How many events within the window raise an alert (where it applies)."),
    )
    window_minutes = models.PositiveIntegerField(_("window (minutes)"), default=10)
    min_history = models.PositiveIntegerField(
        _("minimum history"),
        default=0,
        help_text=_("For working patterns: how many past events before a pattern is judged."),
    )
    rare_share_percent = models.PositiveIntegerField(
        _("rare hour share (%)"),
        default=2,
        help_text=_(
            "For working patterns: an hour with less than this share of a person's "
            "past activity counts as outside their pattern."
        ),
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return self.get_kind_display()

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # Detectors cache the rules for a few seconds; a change applies at once.
        from django.core.cache import cache

        cache.delete("concord:alert-rules")


class AlertQuerySet(models.QuerySet["Alert"]):
    def open(self) -> AlertQuerySet:
        return self.filter(status=AlertStatus.OPEN)


class Alert(models.Model):
    """Something in the audit trail an auditor should look at, with why."""

    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    explanation = models.TextField(_("why"), max_length=limits.SUMMARY)
    evidence = models.JSONField(_("audit entries"), default=list)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True, max_length=limits.ENTRY)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["person", "kind", "raised_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person}"
