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


class AggregateLevel(models.TextChoices):
    """Levels at which the national function may approve a figure for everyone to read."""

    ORGANISATION = "organisation", _("Each organisation")
    REGION = "region", _("Each region")
    NATION = "nation", _("England and Wales")


class Figure(models.TextChoices):
    """Figures of effectiveness and consistency that can be approved as aggregates."""

    DISRUPTIONS = "disruptions", _("Validated disruptions")
    OUTCOMES = "outcomes", _("Outcomes of validated disruptions")
    CONSISTENCY = "consistency", _("Consistency exceptions")


class RuleCode(models.TextChoices):
    """The national consistency rules, each checked by its own evaluator."""

    ASSESSED_IN_CYCLE = "assessed_in_cycle", _("Every mapped OCG assessed within its cycle")
    BAND1_HAS_LRO = "band1_has_lro", _("Every band 1 item has an LRO")
    BAND_FITS_LEVEL = "band_fits_level", _("Band and owning level agree")
    PLAN_BEYOND_PURSUE = "plan_beyond_pursue", _("Plans span more than Pursue")
    CLAIMS_VALIDATED = "claims_validated", _("Claims validated within 28 days")
    ASSOCIATIONS_REVIEWED = "associations_reviewed", _("Declared associations reviewed")
    AUDIT_VERIFIED = "audit_verified", _("The audit trail verified")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class AdoptionStatus(models.TextChoices):
    CONSIDERING = "considering", _("Considering")
    ADOPTED = "adopted", _("Adopted")
    STOPPED = "stopped", _("Stopped")
