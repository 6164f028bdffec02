"""Partner referrals: what a partner found and sent in, the automatic checks against the
register, and the receiving unit's triage and decision.

A referral is seen by its two parties, the sender's organisation and the receiving unit, and by
those who may see every register item or report it was linked to (the owner of an OCG hears of
a referral linked to it). Its check results are for the receiving unit only: a match names the
nominal or report it hit and is seen only by those who may see that record; a pointer names
only the record's owner, its contact desk and a hit reference, never its content.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.core.queries import RestrictedQuerySet
from concord.core.restriction import Restricted
from concord.intelligence.choices import HandlingCode
from concord.intelligence.models import IntelReport
from concord.organisations.models import Organisation
from concord.ownership.models import TaskingRequest
from concord.referrals.choices import Category, Decision, Priority, ReferralStatus, Strength
from concord.threats.models import Nominal, Ocg, PriorityIndividual

if TYPE_CHECKING:
    from concord.core.policy import Viewer


def referral_parties(viewer: Viewer) -> Q | None:
    """The sender's organisation and the receiving unit see their referrals."""
    if not viewer.sees_records or viewer.organisation_id is None:
        return None
    return Q(sender_id=viewer.organisation_id) | Q(receiving_unit_id=viewer.organisation_id)


def receiving_side(viewer: Viewer) -> Q | None:
    """Check results are for the receiving unit alone: never the sender, never a partner."""
    if not viewer.sees_records or viewer.is_partner or viewer.organisation_id is None:
        return None
    return Q(referral__receiving_unit_id=viewer.organisation_id)


class ReferralRoute(models.Model):
    """Which unit receives referrals about a postcode area (data an administrator changes)."""

    postcode_area = models.CharField(_("postcode area"), max_length=2, unique=True)
    receiving_unit = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving unit")
    )

    class Meta:
        ordering = ["postcode_area"]
        verbose_name = _("referral route")

    def __str__(self) -> str:
        return f"{self.postcode_area} -> {self.receiving_unit.code}"


class PriorityRule(models.Model):
    """The priority a referral of a category starts at (a strong match raises it one step)."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices, unique=True)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)

    class Meta:
        ordering = ["category"]
        verbose_name = _("referral priority rule")

    def __str__(self) -> str:
        return f"{self.category}: {self.priority}"


class ResponseTime(models.Model):
    """How long the receiving unit has to triage a referral of a priority."""

    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, unique=True)
    hours = models.PositiveIntegerField(_("hours to triage"))

    class Meta:
        ordering = ["priority"]
        verbose_name = _("referral response time")

    def __str__(self) -> str:
        return f"{self.priority}: {self.hours}h"


class ContactDesk(models.Model):
    """Where a pointer sends a triager: the owning organisation's desk for check hits."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    desk = models.CharField(_("contact desk"), max_length=200)

    class Meta:
        verbose_name = _("contact desk")

    def __str__(self) -> str:
        return self.desk


class ReferralUpload(models.Model):
    """One file of referrals taken in whole (the rows are the referrals that name it)."""

    sender = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("file"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.rows})"


class Referral(models.Model):
    """Something a partner found (a parcel's contents, a cash seizure) and referred in, with
    the people and identifiers linked to it, and what the receiving unit decided."""

    # Concord's own reference, numbered per sender (RFL-BF-000124) as the record is taken in.
    reference = models.CharField(_("reference"), max_length=40, unique=True, editable=False)
    sender = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("sender")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sender_reference = models.CharField(_("sender's reference"), max_length=60)
    upload = models.ForeignKey(
        ReferralUpload, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    receiving_unit = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving unit")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    items = models.JSONField(_("what was found"), default=list)
    found_on = models.DateField(_("found on"))
    place = models.CharField(_("where"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10)
    people = models.JSONField(_("people"), default=list, blank=True)
    addresses = models.JSONField(_("addresses"), default=list, blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    emails = models.JSONField(_("email addresses"), default=list, blank=True)
    accounts = models.JSONField(_("accounts"), default=list, blank=True)
    handling_code = models.CharField(_("handling code"), max_length=1, choices=HandlingCode.choices)
    handling_conditions = models.TextField(
        _("handling conditions"), blank=True, max_length=limits.ENTRY
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    due_at = models.DateTimeField(_("triage due"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("triager"),
    )
    decision = models.CharField(_("decision"), max_length=14, choices=Decision.choices, blank=True)
    decision_note = models.TextField(_("rationale"), blank=True, max_length=limits.ENTRY)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    intelligence_report = models.ForeignKey(
        IntelReport, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ocg = models.ForeignKey(Ocg, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    priority_individual = models.ForeignKey(
        PriorityIndividual, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tasking_request = models.ForeignKey(
        TaskingRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    access = Restricted(
        via=("ocg", "priority_individual", "intelligence_report", "tasking_request"),
        parties=referral_parties,
        describes="partner referral",
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["receiving_unit", "status", "due_at"]),
            models.Index(fields=["sender", "received_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "sender_reference"], name="referrals_one_per_sender_reference"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("referrals:detail", args=[self.pk])

    @property
    def audit_label(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != ReferralStatus.DECIDED

    def overdue(self, now: dt.datetime | None = None) -> bool:
        """Whether its triage is late (a decided referral never is)."""
        return self.is_open and self.due_at < (now or timezone.now())

    @property
    def items_text(self) -> str:
        return "; ".join(str(i) for i in self.items)


class ReferralMatch(models.Model):
    """A check result naming the register record it hit: seen only by those who may see both
    the referral and that record (never by a partner)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="matches")
    nominal = models.ForeignKey(
        Nominal, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    report = models.ForeignKey(
        IntelReport, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    hit_reference = models.CharField(_("hit reference"), max_length=40, db_index=True)
    strength = models.CharField(_("match"), max_length=10, choices=Strength.choices)
    score = models.FloatField(_("score"))
    fields = models.JSONField(_("what matched"), default=list)

    access = Restricted(
        via=("referral", "nominal", "report"), requires=receiving_side, describes="referral match"
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nominal__isnull=False, report__isnull=True)
                | Q(nominal__isnull=True, report__isnull=False),
                name="referrals_match_one_record",
            ),
        ]

    def __str__(self) -> str:
        return self.hit_reference


class ReferralPointer(models.Model):
    """The same hit as a pointer: who owns the record and whom to ask, never its content."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="pointers")
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    desk = models.CharField(_("contact desk"), max_length=200)
    hit_reference = models.CharField(_("hit reference"), max_length=40, unique=True)
    strength = models.CharField(_("match"), max_length=10, choices=Strength.choices)
    score = models.FloatField(_("score"))
    fields = models.JSONField(_("what matched"), default=list)

    access = Restricted(via=("referral",), requires=receiving_side, describes="referral pointer")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "pk"]

    def __str__(self) -> str:
        return self.hit_reference
