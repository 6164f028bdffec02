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
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.core.queries import RestrictedQuerySet
from concord.core.restriction import Restricted
from concord.organisations.models import BilingualName, Organisation
from concord.ownership.models import AboutOwnedItem
from concord.plans.choices import ActionStatus, DisruptionStatus, Stage, Strand

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


# Guidance, mentoring and workload for LROs ----------------------------------------------------


class Guidance(models.Model):
    """Guidance for one stage of a 4P plan (and, for objectives, one strand), in English and
    Welsh: reference data, edited by administrators and the national function
    (`Act.EDIT_GUIDANCE`), shown beside the stage on the plan page."""

    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    strand = models.CharField(_("strand"), max_length=8, choices=Strand.choices, blank=True)
    title = models.CharField(_("title"), max_length=200)
    title_cy = models.CharField(_("title (Welsh)"), max_length=200, blank=True)
    body = models.TextField(_("guidance"), max_length=limits.SUMMARY)
    body_cy = models.TextField(_("guidance (Welsh)"), blank=True, max_length=limits.SUMMARY)
    rank = models.PositiveSmallIntegerField(_("order"), default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["stage", "strand", "rank", "id"]
        verbose_name = _("guidance")
        verbose_name_plural = _("guidance")

    def __str__(self) -> str:
        return self.title

    def in_language(self, language: str) -> tuple[str, str]:
        """(title, body) in Welsh when asked and written, else English."""
        if language.startswith("cy"):
            return (self.title_cy or self.title, self.body_cy or self.body)
        return (self.title, self.body)


class WorkloadLimit(models.Model):
    """How many current plans a person in a post carries before the workload page flags them:
    data, set per post (LRO, SIO) by administrators."""

    role = models.CharField(_("post"), max_length=4, unique=True)
    max_plans = models.PositiveSmallIntegerField(_("plans before flagged"), default=8)

    def __str__(self) -> str:
        return f"{self.role}: {self.max_plans}"


class Pairing(models.Model):
    """A new LRO (the mentee) paired with an experienced one (the mentor) by the lead of the
    mentee's organisation. While it is open the mentor reads the mentee's plans (shares with
    cause MENTORING and this pairing's id) and comments on them; ending it ends the shares.
    Seen by the two of them and the organisation's leads (plans/mentoring.py)."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mentoring",
        verbose_name=_("mentor"),
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mentored_by",
        verbose_name=_("mentee"),
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"], condition=Q(ended_at__isnull=True), name="one_open_pairing"
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")), name="pairing_of_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} mentoring {self.mentee}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


def party_to_pairing(viewer: Viewer) -> Q | None:
    """A mentoring comment is for the mentee, the mentor while the pairing is open, and the
    leads of the mentee's organisation; no other reader of the plan."""
    if not viewer.user_id or viewer.is_partner:
        return None
    allowed = Q(pairing__mentee_id=viewer.user_id) | Q(
        pairing__mentor_id=viewer.user_id, pairing__ended_at__isnull=True
    )
    if viewer.is_manager:
        allowed |= Q(pairing__organisation_id=viewer.organisation_id)
    return allowed


class MentorComment(models.Model):
    """A mentor's comment on a mentee's plan (or the mentee's reply)."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="comments")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="mentor_comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"), max_length=limits.ENTRY)
    created_at = models.DateTimeField(default=timezone.now)

    access = Restricted(via=("plan",), requires=party_to_pairing, describes="mentoring comment")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]
