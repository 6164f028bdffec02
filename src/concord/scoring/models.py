"""Scoring models as versioned data, and the assessments made with them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.core.queries import RestrictedQuerySet
from concord.core.restriction import Restricted
from concord.organisations.models import BilingualName
from concord.scoring.choices import DimensionGroup, ModelStatus
from concord.scoring.expressions import Formula, FormulaError
from concord.threats.models import Ocg, PriorityIndividual, RegisterItem, Vulnerability


def _in_welsh(english: str, welsh: str) -> str:
    """A model's own text in the reader's language: its Welsh when the page is in Welsh and
    the model supplies it (a scoring model is data, versioned; its words come with it)."""
    return welsh if welsh and translation.get_language() == "cy" else english


class ScoringModel(models.Model):
    """One version of a THR scoring model: dimensions, formulas, bands. Published versions are
    never edited; a change is a new version, and old assessments keep theirs."""

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=ModelStatus.choices, default=ModelStatus.DRAFT
    )
    description = models.TextField(_("description"), blank=True, max_length=limits.SUMMARY)
    description_cy = models.TextField(
        _("description in Welsh"), blank=True, max_length=limits.SUMMARY
    )
    risk_formula = models.CharField(_("risk formula"), max_length=500)
    position_formula = models.CharField(_("organisational position formula"), max_length=500)
    # [{"band": "1", "min": 120}, ...] highest first; the last has the lowest minimum.
    risk_bands = models.JSONField(_("risk bands"))
    # [{"letter": "A", "min": 3}, ...] highest first.
    position_bands = models.JSONField(_("position bands"))
    # Which owning levels fit each risk band: {"1": ["region", "national"], ...}.
    level_fit = models.JSONField(_("owning levels that fit each band"), default=dict)
    review_days = models.PositiveIntegerField(_("re-assessment cycle (days)"), default=90)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("scoring model")
        verbose_name_plural = _("scoring models")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="scoring_model_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def display_description(self) -> str:
        return _in_welsh(self.description, self.description_cy)

    def clean(self) -> None:
        codes = set(self.dimensions.values_list("code", flat=True)) if self.pk else set()
        for field in ("risk_formula", "position_formula"):
            try:
                formula = Formula(getattr(self, field))
                if codes:
                    formula.check_names(codes)
            except FormulaError as exc:
                raise ValidationError({field: str(exc)}) from None
        for field, key in (("risk_bands", "band"), ("position_bands", "letter")):
            bands = getattr(self, field)
            if (
                not isinstance(bands, list)
                or not bands
                or any(not isinstance(b, dict) or key not in b or "min" not in b for b in bands)
            ):
                raise ValidationError(
                    {field: _("Give a list of bands, each with %(key)s and min.") % {"key": key}}
                )
            minimums = [Decimal(str(b["min"])) for b in bands]
            if minimums != sorted(minimums, reverse=True):
                raise ValidationError({field: _("List bands from the highest minimum down.")})

    def band_for(self, risk: Decimal, position: Decimal) -> str:
        number = next(
            (str(b["band"]) for b in self.risk_bands if risk >= Decimal(str(b["min"]))),
            str(self.risk_bands[-1]["band"]),
        )
        letter = next(
            (str(b["letter"]) for b in self.position_bands if position >= Decimal(str(b["min"]))),
            str(self.position_bands[-1]["letter"]),
        )
        return number + letter

    def band_rank(self, band: str) -> int:
        """1 for the highest priority band (1A), rising: used to order the picture."""
        numbers = [str(b["band"]) for b in self.risk_bands]
        letters = [str(b["letter"]) for b in self.position_bands]
        return numbers.index(band[:-1]) * len(letters) + letters.index(band[-1]) + 1


class Dimension(BilingualName):
    """One scored dimension of a model (e.g. physical harm), with its ordered scale."""

    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField(_("code"), max_length=40)
    group = models.CharField(_("group"), max_length=20, choices=DimensionGroup.choices)
    order = models.PositiveSmallIntegerField(default=0)
    guidance = models.TextField(_("guidance"), blank=True, max_length=limits.SUMMARY)
    guidance_cy = models.TextField(_("guidance in Welsh"), blank=True, max_length=limits.SUMMARY)

    class Meta:
        ordering = ["model", "order"]
        constraints = [
            models.UniqueConstraint(fields=["model", "code"], name="dimension_code_per_model")
        ]

    @property
    def display_guidance(self) -> str:
        return _in_welsh(self.guidance, self.guidance_cy)


class ScaleLevel(models.Model):
    """One step of a dimension's scale: label, value and guidance."""

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="levels")
    order = models.PositiveSmallIntegerField()
    label = models.CharField(_("label"), max_length=100)
    label_cy = models.CharField(_("label in Welsh"), max_length=100, blank=True)
    value = models.DecimalField(_("value"), max_digits=8, decimal_places=3)
    guidance = models.TextField(_("guidance"), blank=True, max_length=limits.SUMMARY)
    guidance_cy = models.TextField(_("guidance in Welsh"), blank=True, max_length=limits.SUMMARY)

    class Meta:
        ordering = ["dimension", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "order"], name="scale_level_order")
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return _in_welsh(self.label, self.label_cy)

    @property
    def display_guidance(self) -> str:
        return _in_welsh(self.guidance, self.guidance_cy)


class Assessment(models.Model):
    """A THR assessment of one OCG, priority individual or vulnerability under one model
    version: every value, with rationale."""

    ocg = models.ForeignKey(
        Ocg, on_delete=models.CASCADE, null=True, blank=True, related_name="assessments"
    )
    priority_individual = models.ForeignKey(
        PriorityIndividual,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessments",
    )
    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, null=True, blank=True, related_name="assessments"
    )
    model = models.ForeignKey(ScoringModel, on_delete=models.PROTECT, related_name="assessments")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed"))
    risk_score = models.DecimalField(_("risk score"), max_digits=12, decimal_places=3)
    position_score = models.DecimalField(_("position score"), max_digits=12, decimal_places=3)
    band = models.CharField(_("priority band"), max_length=4)
    confidence = models.CharField(_("confidence"), max_length=100, blank=True)
    summary = models.TextField(_("overall rationale"), blank=True, max_length=limits.SUMMARY)
    # Set when a batch re-score produced this from an earlier assessment's values.
    rescored_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    access = Restricted(via=("ocg", "priority_individual", "vulnerability"))
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [
            models.Index(fields=["ocg", "-assessed_at"]),
            models.Index(fields=["priority_individual", "-assessed_at"]),
            models.Index(fields=["vulnerability", "-assessed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    ocg__isnull=False, priority_individual__isnull=True, vulnerability__isnull=True
                )
                | Q(ocg__isnull=True, priority_individual__isnull=False, vulnerability__isnull=True)
                | Q(
                    ocg__isnull=True, priority_individual__isnull=True, vulnerability__isnull=False
                ),
                name="assessment_has_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject.reference} {self.band} ({self.assessed_at:%Y-%m-%d})"

    @property
    def subject(self) -> RegisterItem:
        """The OCG, priority individual or vulnerability assessed."""
        found = self.ocg or self.priority_individual or self.vulnerability
        assert found is not None
        return found


# The Assessment field that points at each kind of register item.
SUBJECT_FIELDS = {"ocg": "ocg", "pi": "priority_individual", "vulnerability": "vulnerability"}


def subject_field(item: RegisterItem) -> str:
    return SUBJECT_FIELDS[item.kind_code]


class AssessmentValue(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="values")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(ScaleLevel, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField(_("rationale"), blank=True, max_length=limits.SUMMARY)

    access = Restricted(via=("assessment",))
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["dimension__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "dimension"], name="one_value_per_dimension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension.code}={self.level.value}"


def published_model(name: str | None = None) -> ScoringModel:
    """The newest published version (of a named model, or of any)."""
    models_ = ScoringModel.objects.filter(status=ModelStatus.PUBLISHED)
    if name:
        models_ = models_.filter(name=name)
    found: Any = models_.order_by("-published_at", "-version").first()
    if found is None:
        raise ScoringModel.DoesNotExist("No scoring model is published.")
    return found  # type: ignore[no-any-return]


class ImportBatch(models.Model):
    """An uploaded register spreadsheet: kept from preview to commit, so both read one file."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.uploaded_at:%Y-%m-%d %H:%M})"
