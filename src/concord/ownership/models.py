"""Ownership periods, appointments, transfer requests and their handovers.

Each row is about one OCG or one priority individual (exactly one of the two foreign keys, a
check constraint). The current owner is `item.owner` (the record's owning organisation, which
the access policy reads); `OwnershipPeriod` keeps the history, with at most one open period per
item enforced by a partial unique index, so there is exactly one owner at every moment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.core.models import ProtectedRecord
from concord.core.queries import RestrictedQuerySet
from concord.core.restriction import Restricted
from concord.organisations.models import Organisation
from concord.ownership.choices import (
    AppointmentRole,
    HandoverTopic,
    TaskingStatus,
    TransferKind,
    TransferStatus,
    Urgency,
)
from concord.threats.models import Ocg, PriorityIndividual, RegisterItem

# The field that points at each kind of owned item.
SUBJECT_FIELDS = {"ocg": "ocg", "pi": "priority_individual"}


def subject_field(item: RegisterItem) -> str:
    return SUBJECT_FIELDS[item.kind_code]


class AboutOwnedItem(models.Model):
    """A row about exactly one OCG or priority individual, seen only by those who see it."""

    ocg = models.ForeignKey(Ocg, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    priority_individual = models.ForeignKey(
        PriorityIndividual, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    access = Restricted(via=("ocg", "priority_individual"))
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(ocg__isnull=False, priority_individual__isnull=True)
                | Q(ocg__isnull=True, priority_individual__isnull=False),
                name="%(class)s_about_one_item",
            ),
        ]

    @property
    def subject(self) -> RegisterItem:
        found = self.ocg or self.priority_individual
        assert found is not None
        return found


def _open_once(name: str, open_q: Q, *fields: str) -> list[models.UniqueConstraint]:
    """At most one open row per OCG and per PI (and per the extra fields)."""
    return [
        models.UniqueConstraint(
            fields=[subject, *fields],
            condition=open_q & Q(**{f"{subject}__isnull": False}),
            name=f"{name}_{subject}",
        )
        for subject in SUBJECT_FIELDS.values()
    ]


class OwnershipPeriod(AboutOwnedItem):
    """Who owned an item, from when to when, and how it came to them."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("to"), null=True, blank=True)
    transfer = models.ForeignKey(
        "TransferRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            *AboutOwnedItem.Meta.constraints,
            *_open_once("one_open_ownership", Q(ended_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.subject.reference} owned by {self.organisation.code} from {self.started_at}"


class Appointment(AboutOwnedItem):
    """A person appointed SIO, LRO or SRO for an item, with dates. The LRO may be a partner."""

    role = models.CharField(_("role"), max_length=4, choices=AppointmentRole.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    # The organisation the person acted for when appointed (they may move on).
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    transfer = models.ForeignKey(
        "TransferRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["role", "-started_on", "-id"]
        constraints = [
            *AboutOwnedItem.Meta.constraints,
            *_open_once("one_current_appointment", Q(ended_on__isnull=True), "role"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.person} for {self.subject.reference}"


class TransferRequest(AboutOwnedItem):
    """A request to move an item's ownership (or to get SIO support) between organisations:
    request, then decision by the other party, then a confirmed handover, then the change."""

    kind = models.CharField(_("kind"), max_length=12, choices=TransferKind.choices)
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    reason = models.TextField(_("reason"), max_length=limits.SUMMARY)
    asked = models.TextField(_("what is asked"), max_length=limits.SUMMARY)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True, max_length=limits.ENTRY)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # Set when the decision came from a tasking meeting (the meetings app fills it).
    decided_at_meeting = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            *AboutOwnedItem.Meta.constraints,
            # One open request per item at a time: risk moves one way at once.
            *_open_once("one_open_transfer", Q(status__in=["requested", "queried", "accepted"])),
        ]
        indexes = [models.Index(fields=["to_organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.subject.reference} to {self.to_organisation}"

    @property
    def is_open(self) -> bool:
        return self.status in {"requested", "queried", "accepted"}


class TransferMessage(models.Model):
    """A query and its answers on a transfer request, in order."""

    transfer = models.ForeignKey(TransferRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("message"), max_length=limits.NARRATIVE)
    sent_at = models.DateTimeField(auto_now_add=True)

    access = Restricted(via=("transfer",))
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


class HandoverItem(models.Model):
    """One part of a handover (intelligence, risks, safeguarding, outstanding actions), written
    by the sender and confirmed by the receiver."""

    transfer = models.ForeignKey(TransferRequest, on_delete=models.CASCADE, related_name="handover")
    topic = models.CharField(_("topic"), max_length=14, choices=HandoverTopic.choices)
    text = models.TextField(_("handover note"), max_length=limits.NARRATIVE)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    access = Restricted(via=("transfer",))
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["transfer", "topic"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "topic"], name="one_handover_per_topic")
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} for {self.transfer_id}"


class TaskingRequest(ProtectedRecord):
    """A formal request for a capability or an action from one organisation to another: force
    to its ROCU, ROCU to a force of its region, the NCA to a ROCU (national tasking), a ROCU to
    the NCA. The requesting organisation owns it; the receiver sees it by a share."""

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    ocg = models.ForeignKey(
        Ocg,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("OCG"),
    )
    priority_individual = models.ForeignKey(
        PriorityIndividual,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("priority individual"),
    )
    capability = models.CharField(_("capability or action"), max_length=200)
    asked = models.TextField(_("what is asked"), max_length=limits.SUMMARY)
    reason = models.TextField(_("reason"), max_length=limits.SUMMARY)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    respond_by = models.DateField(_("respond by"))
    status = models.CharField(
        _("status"), max_length=10, choices=TaskingStatus.choices, default=TaskingStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True, max_length=limits.ENTRY)
    outcome = models.TextField(_("outcome"), blank=True, max_length=limits.SUMMARY)
    # Set when an overdue request was escalated to the receiver's chief officers.
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tasking request")
        verbose_name_plural = _("tasking requests")
        indexes = [
            models.Index(fields=["to_organisation", "status"]),
            models.Index(fields=["status", "respond_by"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.capability}"

    @property
    def audit_label(self) -> str:
        return self.reference

    def addressed_to(self, organisation_id: int | None) -> bool:
        return organisation_id == self.to_organisation_id

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.status in ("requested", "queried") and self.respond_by < timezone.localdate()


class TaskingMessage(models.Model):
    """A query on a tasking request and its answer, in order."""

    tasking = models.ForeignKey(TaskingRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("message"), max_length=limits.NARRATIVE)
    sent_at = models.DateTimeField(auto_now_add=True)

    access = Restricted(via=("tasking",))
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


__all__ = [
    "SUBJECT_FIELDS",
    "AboutOwnedItem",
    "Appointment",
    "HandoverItem",
    "OwnershipPeriod",
    "TaskingMessage",
    "TaskingRequest",
    "TransferKind",
    "TransferMessage",
    "TransferRequest",
    "subject_field",
]
