"""Vocabulary of THR scoring."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class DimensionGroup(models.TextChoices):
    HARM = "harm", _("Harm")
    SCOPE = "scope", _("Geographic scope")
    VULNERABILITY = "vulnerability", _("Victim vulnerability")
    LIKELIHOOD = "likelihood", _("Likelihood")
    CONFIDENCE = "confidence", _("Confidence")
    POSITION = "position", _("Organisational position")


class OwnerLevel(models.TextChoices):
    FORCE = "force", _("Force")
    REGION = "region", _("Region")
    NATIONAL = "national", _("National")
