"""Vocabulary of 4P plans and disruptions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Strand(models.TextChoices):
    PURSUE = "pursue", _("Pursue")
    PREVENT = "prevent", _("Prevent")
    PROTECT = "protect", _("Protect")
    PREPARE = "prepare", _("Prepare")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class DisruptionStatus(models.TextChoices):
    CLAIMED = "claimed", _("Claimed, awaiting validation")
    VALIDATED = "validated", _("Validated")
    REJECTED = "rejected", _("Rejected")


# The outcome counts a disruption records, with whether each is a sum of money or a weight.
OUTCOME_FIELDS = (
    "arrests",
    "charges",
    "convictions",
    "drugs_kg",
    "cash_gbp",
    "firearms",
    "victims_safeguarded",
    "children_safeguarded",
    "assets_restrained_gbp",
    "referrals",
)


class Stage(models.TextChoices):
    """The stages of a 4P plan, where guidance is shown and the checklist is grouped."""

    OPENING = "opening", _("Opening the plan")
    OBJECTIVES = "objectives", _("Objectives by strand")
    ACTIONS = "actions", _("Partner actions")
    REVIEW = "review", _("Review")
    CLOSURE = "closure", _("Closure")
