"""4P plans, objectives, actions, reviews; disruptions with validated outcomes.

A plan belongs to one OCG or priority individual and is read through the item's access policy;
its LRO (an ownership appointment) owns it. A partner sees only the actions given to it and the
context the LRO chose to share with partners (the Programme Challenger model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.core.queries import RestrictedQuerySet
from concord.core.restriction import Restricted
from concord.organisations.models import BilingualName, Organisation
from concord.ownership.models import AboutOwnedItem
from concord.plans.choices import ActionStatus, DisruptionStatus, Strand

if TYPE_CHECKING:
    from concord.core.policy import Viewer


class Plan(AboutOwnedItem):
    """The one 4P plan of an OCG or priority individual."""

    aim = models.TextField(_("aim of the plan"), blank=True, max_length=limits.SUMMARY)
    # What partners see beside their actions: the minimum context the LRO chooses to share.
    partner_context = models.TextField(
        _("context shared with partners"), blank=True, max_length=limits.SUMMARY
    )
    review_days = models.PositiveSmallIntegerField(_("review cycle (days)"), default=28)
    next_review_on = models.DateField(_("next review"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            *AboutOwnedItem.Meta.constraints,
            models.UniqueConstraint(
                fields=["ocg"], condition=Q(ocg__isnull=False), name="one_plan_per_ocg"
            ),
            models.UniqueConstraint(
                fields=["priority_individual"],
                condition=Q(priority_individual__isnull=False),
                name="one_plan_per_pi",
            ),
        ]

    def __str__(self) -> str:
        return f"4P plan for {self.subject.reference}"


class Objective(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    strand = models.CharField(_("strand"), max_length=8, choices=Strand.choices)
    text = models.TextField(_("objective"), max_length=limits.ENTRY)
    created_at = models.DateTimeField(auto_now_add=True)

    access = Restricted(via=("plan",))
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["strand", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_strand_display()}: {self.text[:60]}"


def partner_owns_action(viewer: Viewer) -> Q | None:
    """A partner sees the actions given to it or to one of its people (not the item)."""
    if not viewer.is_partner:
        return None
    return Q(owner_organisation_id=viewer.organisation_id) | Q(owner_person_id=viewer.user_id)


class Action(models.Model):
    """Something to do under an objective, owned by a person or a partner agency."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("action"), max_length=limits.ENTRY)
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("owner (person)"),
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner (agency)"),
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    outcome = models.TextField(_("outcome"), blank=True, max_length=limits.ENTRY)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    access = Restricted(via=("objective",), parties=partner_owns_action)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_person__isnull=False) | Q(owner_organisation__isnull=False),
                name="action_has_an_owner",
            )
        ]
        indexes = [
            models.Index(fields=["owner_organisation", "status"]),
            models.Index(fields=["owner_person", "status"]),
        ]

    def __str__(self) -> str:
        return self.description[:80]


class PlanReview(models.Model):
    """A review of the plan: who, when, the notes, and what changed since the last review."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()
    notes = models.TextField(_("review notes"), max_length=limits.SUMMARY)
    changes = models.JSONField(_("what changed"), default=list)

    access = Restricted(via=("plan",))
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"Review of {self.plan} on {self.reviewed_at:%Y-%m-%d}"


class DisruptionImpact(BilingualName):
    """An impact level (major, moderate, minor): editable data, since the national definitions
    are not public."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    definition = models.TextField(_("definition"), max_length=limits.SUMMARY)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0, help_text=_("1 is the highest."))

    class Meta:
        ordering = ["rank"]


def partner_claimed(viewer: Viewer) -> Q | None:
    """A partner sees the disruptions it claimed (from its actions), not the item."""
    if not viewer.is_partner:
        return None
    return Q(claimed_for_id=viewer.organisation_id)


class Disruption(AboutOwnedItem):
    """A disruption claimed against an OCG or PI; it counts only once a second person has
    validated it."""

    access = Restricted(via=("ocg", "priority_individual"), parties=partner_claimed)

    strand = models.CharField(_("strand"), max_length=8, choices=Strand.choices)
    impact = models.ForeignKey(
        DisruptionImpact, on_delete=models.PROTECT, related_name="+", verbose_name=_("impact")
    )
    occurred_on = models.DateField(_("date"))
    narrative = models.TextField(_("narrative"), max_length=limits.SUMMARY)
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="disruptions"
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    claimed_for = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("claimed for")
    )
    claimed_at = models.DateTimeField()
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DisruptionStatus.choices,
        default=DisruptionStatus.CLAIMED,
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("why rejected"), blank=True, max_length=limits.ENTRY)
    # Outcomes: whole numbers, and money and weights to the penny and gram.
    arrests = models.PositiveIntegerField(_("arrests"), default=0)
    charges = models.PositiveIntegerField(_("charges"), default=0)
    convictions = models.PositiveIntegerField(_("convictions"), default=0)
    drugs_kg = models.DecimalField(
        _("drugs seized (kg)"),
        max_digits=12,
        decimal_places=3,
        default=0,
        validators=[MinValueValidator(0)],
    )
    cash_gbp = models.DecimalField(
        _("cash seized (£)"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    firearms = models.PositiveIntegerField(_("firearms seized"), default=0)
    victims_safeguarded = models.PositiveIntegerField(_("victims safeguarded"), default=0)
    children_safeguarded = models.PositiveIntegerField(_("children safeguarded"), default=0)
    assets_restrained_gbp = models.DecimalField(
        _("assets restrained (£)"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    referrals = models.PositiveIntegerField(_("referrals"), default=0)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            *AboutOwnedItem.Meta.constraints,
            models.CheckConstraint(
                condition=Q(drugs_kg__gte=0) & Q(cash_gbp__gte=0) & Q(assets_restrained_gbp__gte=0),
                name="disruption_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="validated") | Q(validated_by__isnull=False),
                name="validated_disruption_has_validator",
            ),
        ]
        indexes = [models.Index(fields=["status", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_strand_display()} disruption of {self.subject.reference}"


def outcome_label(name: str) -> str:
    """The label of an outcome field (e.g. "cash seized (£)")."""
    field = Disruption._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))
