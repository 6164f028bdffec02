"""Public statistics: quarterly releases of disruptions and outcomes per region and for
England and Wales, protected by statistical disclosure control (insight/disclosure), prepared
by one person of the national function and approved by another before anyone outside sees them.

A release keeps two things: the published tables (what the public page, CSV and JSON show:
"[c]" where withheld) and, for its preparers only, the true counts it was protected from, so
that approval protects them again and refuses any difference or breach. Nothing in a release
names a record: it is aggregates only, and a draft is seen only by the national function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.core.queries import RestrictedQuerySet
from concord.core.restriction import Restricted
from concord.insight.choices import (
    AdoptionStatus,
    AggregateLevel,
    Figure,
    ReleaseStatus,
    RuleCode,
    RunStatus,
)
from concord.organisations.models import Organisation
from concord.threats.models import Ocg, PriorityIndividual

if TYPE_CHECKING:
    from concord.core.policy import Viewer


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


class ApprovedAggregate(models.Model):
    """A figure the national function has approved for everyone to read at one level (each
    organisation, each region, the nation), whatever records lie behind it. Figures about
    organisations beyond a reader's reach come only from these (or from published releases)."""

    figure = models.CharField(_("figure"), max_length=20, choices=Figure.choices)
    level = models.CharField(_("level"), max_length=12, choices=AggregateLevel.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["figure", "level"]
        verbose_name = _("approved aggregate")
        constraints = [
            models.UniqueConstraint(fields=["figure", "level"], name="insight_one_approval")
        ]

    def __str__(self) -> str:
        return f"{self.get_figure_display()}: {self.get_level_display()}"

    @classmethod
    def approved(cls, figure: str, level: str) -> bool:
        return cls.objects.filter(figure=figure, level=level).exists()


class ConsistencyRule(models.Model):
    """One national consistency rule (recommendation 6), as data: its evaluator is named by
    its code (insight/consistency.py), its thresholds are `params`."""

    code = models.CharField(_("code"), max_length=30, choices=RuleCode.choices, unique=True)
    description = models.CharField(_("description"), max_length=300)
    description_cy = models.CharField(_("description in Welsh"), max_length=300, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    # {"days": 28} and the like; each evaluator documents its own.
    params = models.JSONField(_("thresholds"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("consistency rule")

    def __str__(self) -> str:
        return self.display_description

    @property
    def display_description(self) -> str:
        from django.utils import translation

        if self.description_cy and translation.get_language() == "cy":
            return self.description_cy
        return self.description


class ConsistencyRun(models.Model):
    """One run of every enabled rule over every ROCU and force (nightly, or on demand)."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    # {"ORG-CODE": {"rule_code": n, ...}, ...}: the approved aggregate of this run.
    counts = models.JSONField(_("exceptions per organisation and rule"), default=dict)
    found = models.PositiveIntegerField(_("exceptions found"), default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("consistency run")

    def __str__(self) -> str:
        return f"consistency run {self.pk}"


def exception_parties(viewer: Viewer) -> Q | None:
    """An exception about an organisation, not a record (open alerts, the audit trail): seen
    by those whose reach covers the organisation (the national function sees every one)."""
    from concord.core.choices import OrganisationKind

    if not viewer.sees_records or viewer.is_partner:
        return None
    about_no_record = Q(ocg__isnull=True, priority_individual__isnull=True)
    if viewer.national_reach:
        return about_no_record
    reach = Q(organisation_id=viewer.organisation_id) | Q(organisation__isnull=True)
    if viewer.organisation_kind == OrganisationKind.ROCU and viewer.region_id:
        reach |= Q(
            organisation__kind=OrganisationKind.FORCE, organisation__region_id=viewer.region_id
        )
    return about_no_record & reach


class ConsistencyException(models.Model):
    """A record (or an organisation) that breaks a consistency rule in one run. A derived
    record: seen only by those who may see the OCG or priority individual it names."""

    run = models.ForeignKey(ConsistencyRun, on_delete=models.CASCADE, related_name="exceptions")
    rule = models.ForeignKey(ConsistencyRule, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    ocg = models.ForeignKey(Ocg, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    priority_individual = models.ForeignKey(
        PriorityIndividual, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    access = Restricted(
        via=("ocg", "priority_individual"),
        parties=exception_parties,
        describes="a consistency exception",
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["rule__order", "organisation__code", "pk"]
        verbose_name = _("consistency exception")
        indexes = [models.Index(fields=["run", "organisation"])]

    def __str__(self) -> str:
        return f"{self.rule.code}: {self.subject_reference}"

    @property
    def subject(self) -> Ocg | PriorityIndividual | None:
        return self.ocg or self.priority_individual

    @property
    def subject_reference(self) -> str:
        found = self.subject
        return found.reference if found is not None else ""


class AuditVerification(models.Model):
    """A run of `audit verify` (by `concord consistency run --verify-audit` or the nightly
    task), so the consistency rules and the oversight pack can say when the trail was last
    checked and whether it was intact."""

    verified_at = models.DateTimeField(_("verified"))
    ok = models.BooleanField(_("intact"))
    entries = models.PositiveBigIntegerField(_("entries"), default=0)
    problem = models.CharField(_("problem"), max_length=300, blank=True)

    class Meta:
        ordering = ["-verified_at"]
        verbose_name = _("audit verification")

    def __str__(self) -> str:
        return (
            f"audit verified {self.verified_at:%Y-%m-%d %H:%M}: {'intact' if self.ok else 'broken'}"
        )


class Practice(models.Model):
    """A piece of good practice (Programme Challenger, complex safeguarding, LRO mentoring),
    with its evidence and the outcomes it is linked to, in English and Welsh."""

    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), max_length=limits.ENTRY)
    summary_cy = models.TextField(_("summary in Welsh"), max_length=limits.ENTRY, blank=True)
    body = models.TextField(_("description"), max_length=limits.SUMMARY)
    body_cy = models.TextField(_("description in Welsh"), max_length=limits.SUMMARY, blank=True)
    evidence = models.TextField(_("evidence"), max_length=limits.SUMMARY, blank=True)
    evidence_cy = models.TextField(_("evidence in Welsh"), max_length=limits.SUMMARY, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    originator = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Outcome fields of a disruption the practice is linked to ("children_safeguarded", ...).
    outcomes = models.JSONField(_("linked outcomes"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("good practice")

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("insight:practice", args=[self.slug])

    def _in_language(self, field: str) -> str:
        from django.utils import translation

        welsh = getattr(self, f"{field}_cy")
        if welsh and translation.get_language() == "cy":
            return str(welsh)
        return str(getattr(self, field))

    @property
    def display_title(self) -> str:
        return self._in_language("title")

    @property
    def display_summary(self) -> str:
        return self._in_language("summary")

    @property
    def display_body(self) -> str:
        return self._in_language("body")

    @property
    def display_evidence(self) -> str:
        return self._in_language("evidence")


class Adoption(models.Model):
    """An organisation's adoption of a practice."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="adoptions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=AdoptionStatus.choices, default=AdoptionStatus.ADOPTED
    )
    since = models.DateField(_("since"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("adoption")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "organisation"], name="insight_adopted_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.practice_id} {self.organisation_id} {self.status}"


class PracticeComment(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"), max_length=limits.ENTRY)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")

    def __str__(self) -> str:
        return self.text[:60]
