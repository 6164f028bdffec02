"""Vocabulary of insight: public statistics releases and their tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft, awaiting approval")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class StatisticsTable(models.TextChoices):
    """The tables of a quarterly release, in the order they are published."""

    DISRUPTIONS = "disruptions", _("Validated disruptions by region and 4P strand")
    ARRESTS = "arrests", _("Arrests by region")
    CHARGES = "charges", _("Charges by region")
    SAFEGUARDED = "safeguarded", _("Victims and children safeguarded by region")
    FIREARMS = "firearms", _("Firearms seized by region")
    DRUGS = "drugs", _("Disruptions with drugs seized, by region")
    CASH = "cash", _("Disruptions with cash seized, by region")
