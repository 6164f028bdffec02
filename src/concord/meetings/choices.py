"""Vocabulary of forums, meetings, agendas and decisions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ForumLevel(models.TextChoices):
    FORCE = "force", _("Force (level 1)")
    REGION = "region", _("Regional (level 2)")
    NATIONAL = "national", _("National (level 3)")


class ForumKind(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    TACTICAL = "tactical", _("Tactical")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Agenda in preparation")
    ISSUED = "issued", _("Agenda issued")
    HELD = "held", _("Held")


class ItemKind(models.TextChoices):
    """Why an item is on the agenda, in the order agendas list them."""

    TRANSFER = "transfer", _("Transfer request awaiting a decision")
    TASKING = "tasking", _("Tasking request awaiting a decision")
    CAPACITY = "capacity", _("Capability gap or flex request")
    NEW = "new", _("New on the register")
    RESCORED = "rescored", _("Newly assessed")
    MISMATCH = "mismatch", _("Band does not fit the owning level")
    VACANCY = "vacancy", _("Vacancy")
    REVIEW = "review", _("4P plan review overdue")
    REASSESSMENT = "reassessment", _("Re-assessment overdue")
    DISRUPTION = "disruption", _("Disruption awaiting validation")
    ACTION = "action", _("Open meeting action")
    OTHER = "other", _("Other business")


ITEM_ORDER = {kind: n for n, kind in enumerate(ItemKind.values)}


class Outcome(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    DECLINE = "decline", _("Decline")
    TASK = "task", _("Task")
    ADOPT = "adopt", _("Adopt")
    ESCALATE = "escalate", _("Escalate")
    DEESCALATE = "deescalate", _("De-escalate")
    ARCHIVE = "archive", _("Archive")
    RESCORE = "rescore", _("Re-assessment requested")
    LEND = "lend", _("Agree the loan")
    BID = "bid", _("Bid for capacity")
    ACCEPT_RISK = "accept_risk", _("Accept the risk")
    NO_ACTION = "no_action", _("No action")


# What a chair may decide on a capability gap (and only on one).
CAPACITY_OUTCOMES = (Outcome.LEND, Outcome.BID, Outcome.ACCEPT_RISK)
