"""Vocabulary of ownership and transfers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppointmentRole(models.TextChoices):
    SIO = "sio", _("Senior investigating officer (SIO)")
    LRO = "lro", _("Lead responsible officer (LRO)")
    SRO = "sro", _("Senior responsible officer (SRO)")


class TransferKind(models.TextChoices):
    # The ROCU (or NCA) appoints an SIO; ownership, the LRO and the 4P plan stay put.
    SUPPORT = "support", _("Escalation for SIO support")
    # The receiver owns THR management and the 4P plan from acceptance.
    TRANSFER = "transfer", _("Full transfer")
    DEESCALATION = "deescalation", _("De-escalation to a force")
    ADOPTION = "adoption", _("Adoption by the NCA")


# Kinds that change the owner on completion.
OWNER_CHANGING = frozenset(
    {TransferKind.TRANSFER, TransferKind.DEESCALATION, TransferKind.ADOPTION}
)


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    IMMEDIATE = "immediate", _("Immediate (threat to life)")


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    QUERIED = "queried", _("Queried")
    ACCEPTED = "accepted", _("Accepted: handover in progress")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = frozenset(
    {TransferStatus.REQUESTED, TransferStatus.QUERIED, TransferStatus.ACCEPTED}
)


class HandoverTopic(models.TextChoices):
    INTELLIGENCE = "intelligence", _("Intelligence")
    RISKS = "risks", _("Risks")
    SAFEGUARDING = "safeguarding", _("Safeguarding")
    ACTIONS = "actions", _("Outstanding actions")


class TaskingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    QUERIED = "queried", _("Queried")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DONE = "done", _("Done")


TASKING_AWAITING = frozenset({TaskingStatus.REQUESTED, TaskingStatus.QUERIED})
