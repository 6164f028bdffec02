"""Graded intelligence reports, their sanitised versions, dissemination and feedback.

A report is a ProtectedRecord: the one access policy decides who sees it, and dissemination is
an explicit share with a purpose. A C-coded report's content opens to a recipient only once
they have accepted its handling conditions (`ConditionsAccepted`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from concord.core.models import ProtectedRecord
from concord.intelligence.choices import (
    FeedbackKind,
    HandlingCode,
    IntelligenceAssessment,
    ReportStatus,
    SourceEvaluation,
)
from concord.organisations.models import Organisation
from concord.threats.models import Entity, Nominal, Ocg


class IntelReport(ProtectedRecord):
    reference = models.CharField(_("reference"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("intelligence"))
    information_date = models.DateField(_("date of the information"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    originator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source_evaluation = models.CharField(
        _("source evaluation"), max_length=1, choices=SourceEvaluation.choices, blank=True
    )
    intelligence_assessment = models.CharField(
        _("intelligence assessment"),
        max_length=1,
        choices=IntelligenceAssessment.choices,
        blank=True,
    )
    handling_code = models.CharField(
        _("handling code"), max_length=1, choices=HandlingCode.choices, blank=True
    )
    handling_conditions = models.TextField(_("handling conditions"), blank=True)
    # A legacy 5x5x5 grading, recorded exactly as it was given and never converted.
    legacy_grading = models.CharField(_("legacy 5x5x5 grading"), max_length=20, blank=True)
    sanitised_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="sanitised_versions"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    recalled_at = models.DateTimeField(null=True, blank=True)
    ocgs = models.ManyToManyField(Ocg, blank=True, related_name="intelligence")
    nominals = models.ManyToManyField(Nominal, blank=True, related_name="intelligence")
    entities = models.ManyToManyField(Entity, blank=True, related_name="intelligence")

    # Intelligence reaches beyond its originator only by dissemination, never by a ROCU's
    # regional or the NCA's national reach.
    wide_reach = False

    class Meta:
        ordering = ["-information_date", "-id"]
        verbose_name = _("intelligence report")
        verbose_name_plural = _("intelligence reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(legacy_grading__gt="")
                | (
                    Q(source_evaluation__gt="")
                    & Q(intelligence_assessment__gt="")
                    & Q(handling_code__gt="")
                ),
                name="report_is_graded",
            ),
            models.CheckConstraint(
                condition=~Q(handling_code="C") | ~Q(handling_conditions=""),
                name="c_code_has_conditions",
            ),
        ]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def audit_label(self) -> str:
        return self.reference

    @property
    def grading(self) -> str:
        """3x5x2 as written on a report (e.g. 1B P), or the legacy grading as recorded."""
        if self.source_evaluation:
            return f"{self.source_evaluation}{self.intelligence_assessment} {self.handling_code}"
        return f"5x5x5 {self.legacy_grading}"


class SharingGroup(models.Model):
    """A named set of organisations reports are disseminated to (e.g. a region's forces and
    ROCU)."""

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    organisations = models.ManyToManyField(Organisation, related_name="sharing_groups")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ConditionsAccepted(models.Model):
    """A person accepted a C-coded report's handling conditions (as they stood)."""

    report = models.ForeignKey(IntelReport, on_delete=models.CASCADE, related_name="acceptances")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conditions = models.TextField()
    accepted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "person"], name="accept_conditions_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} accepted {self.report.reference}"


class Feedback(models.Model):
    report = models.ForeignKey(IntelReport, on_delete=models.CASCADE, related_name="feedback")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("feedback"), max_length=12, choices=FeedbackKind.choices)
    note = models.TextField(_("note"), blank=True)
    given_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.report.reference}"
