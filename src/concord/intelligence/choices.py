"""Vocabulary of graded intelligence (the 3x5x2 model, College of Policing APP)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceEvaluation(models.TextChoices):
    RELIABLE = "1", _("1: Reliable")
    UNTESTED = "2", _("2: Untested")
    NOT_RELIABLE = "3", _("3: Not reliable")


class IntelligenceAssessment(models.TextChoices):
    KNOWN_DIRECTLY = "A", _("A: Known directly to the source")
    KNOWN_INDIRECTLY = "B", _("B: Known indirectly to the source but corroborated")
    NOT_CORROBORATED = "C", _("C: Known indirectly to the source")
    NOT_KNOWN = "D", _("D: Not known")
    SUSPECTED_FALSE = "E", _("E: Suspected to be false or malicious")


class HandlingCode(models.TextChoices):
    PERMITTED = "P", _("P: Lawful sharing permitted")
    CONDITIONS = "C", _("C: Lawful sharing permitted with conditions")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING = "awaiting", _("Awaiting release approval")
    RELEASED = "released", _("Released")
    RECALLED = "recalled", _("Recalled")


class FeedbackKind(models.TextChoices):
    ACTIONED = "actioned", _("Actioned")
    CORROBORATED = "corroborated", _("Corroborated")
    CONTRADICTED = "contradicted", _("Contradicted")
