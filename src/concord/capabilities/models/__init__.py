"""Capability and capacity: the catalogue of what the system can bring to a threat, each
organisation's units and posts (capacity over time follows from the posts), the funding streams
that pay for them, and the demand the register places on them.

Capacity and funding are OFFICIAL-SENSITIVE: a force sees its own and its ROCU's, a ROCU its
region's, the NCA the nation's (`capacity_scope`); partners none. A need (`Demand`) is about a
register item and is seen only by those who see it. The catalogue and the expected needs per
priority band are reference data, open to everyone signed in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from concord.capabilities.choices import (
    CapabilityLevel,
    CapacityUnit,
    CatalogueStatus,
    ContributionBasis,
    DemandSource,
    FundingKind,
    PostStatus,
)
from concord.core.choices import OrganisationKind, VettingLevel
from concord.core.models import TimeStampedModel
from concord.core.queries import RestrictedQuerySet
from concord.core.restriction import Restricted
from concord.organisations.models import BilingualName, Organisation
from concord.ownership.models import TaskingRequest, TransferRequest
from concord.plans.models import Action
from concord.threats.models import CriminalityType, Ocg, PriorityIndividual, Vulnerability

if TYPE_CHECKING:
    from concord.core.policy import Viewer

ZERO = Decimal("0")
ONE = Decimal("1")
# A need or a gap is about exactly one register item: an OCG, a PI or a vulnerability.
ABOUT_ONE_ITEM: Q = (
    Q(ocg__isnull=False, priority_individual__isnull=True, vulnerability__isnull=True)
    | Q(ocg__isnull=True, priority_individual__isnull=False, vulnerability__isnull=True)
    | Q(ocg__isnull=True, priority_individual__isnull=True, vulnerability__isnull=False)
)


def scope_over(viewer: Viewer, field: str) -> Q | None:
    """`capacity_scope` over the organisation named by `field` ("organisation", "lender")."""
    if not viewer.user_id or viewer.is_partner or not viewer.classifications:
        return None
    if viewer.national_reach:
        return Q()
    if viewer.organisation_kind == OrganisationKind.ROCU and viewer.region_id:
        return Q(**{f"{field}__region_id": viewer.region_id})
    own = Q(**{f"{field}_id": viewer.organisation_id})
    if viewer.region_id:
        own |= Q(
            **{f"{field}__kind": OrganisationKind.ROCU, f"{field}__region_id": viewer.region_id}
        )
    return own


def capacity_scope(viewer: Viewer) -> Q | None:
    """The organisations whose capacity and funding a person may see: their own and their
    ROCU's (a force), their region's (a ROCU), every one (national reach); a partner, or a
    person whose vetting has lapsed, none."""
    return scope_over(viewer, "organisation")


def sees_capacity_of(viewer: Viewer, organisation: Organisation) -> bool:
    """`capacity_scope` for one organisation: whether its capacity and funding are the
    viewer's to see."""
    if not viewer.user_id or viewer.is_partner or not viewer.classifications:
        return False
    if viewer.national_reach:
        return True
    if viewer.organisation_kind == OrganisationKind.ROCU and viewer.region_id:
        return organisation.region_id == viewer.region_id
    return organisation.pk == viewer.organisation_id or (
        organisation.kind == OrganisationKind.ROCU
        and viewer.region_id is not None
        and organisation.region_id == viewer.region_id
    )


class Catalogue(models.Model):
    """One version of the capability catalogue. Exactly one is published at a time; units,
    posts, streams and needs point at its capabilities, and publishing the next version moves
    them across by code."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CatalogueStatus.choices, default=CatalogueStatus.DRAFT
    )
    notes = models.TextField(_("what changed"), max_length=2000, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("capability catalogue")
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status=CatalogueStatus.PUBLISHED),
                name="capabilities_one_published_catalogue",
            )
        ]

    def __str__(self) -> str:
        return str(_("Capability catalogue v%(version)s") % {"version": self.version})


class CapabilityQuerySet(models.QuerySet["Capability"]):
    def current(self) -> CapabilityQuerySet:
        """The capabilities of the published catalogue."""
        return self.filter(catalogue__status=CatalogueStatus.PUBLISHED)


class Capability(BilingualName):
    """A specialist capability (technical surveillance, digital forensics…), with the unit its
    capacity is counted in, the vetting its staff need, and what it serves."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="capabilities")
    code = models.SlugField(_("code"), max_length=40)
    level = models.CharField(_("held at"), max_length=10, choices=CapabilityLevel.choices)
    unit = models.CharField(_("capacity unit"), max_length=12, choices=CapacityUnit.choices)
    vetting = models.CharField(
        _("vetting needed"), max_length=5, choices=VettingLevel.choices, default=VettingLevel.NPPV3
    )
    team_size = models.PositiveSmallIntegerField(
        _("officers in a team"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("For capabilities counted in teams: the smallest team that can deploy."),
    )
    fte_per_unit = models.DecimalField(
        _("officers a unit of capacity takes"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_(
            "For capabilities counted in teams or deployments: the full-time officers, after "
            "abstraction, one team or one deployment a month takes (a team's size by default)."
        ),
    )
    description = models.TextField(_("description"), max_length=2000, blank=True)
    description_cy = models.TextField(_("description in Welsh"), max_length=2000, blank=True)
    criminality_types = models.ManyToManyField(
        CriminalityType, verbose_name=_("criminality served"), blank=True, related_name="+"
    )
    # 4P strand codes (plans.choices.Strand) the capability serves.
    strands = models.JSONField(_("4P strands served"), default=list)

    objects = CapabilityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "code"], name="capabilities_capability_code_per_version"
            )
        ]

    @property
    def display_description(self) -> str:
        from django.utils import translation

        if self.description_cy and translation.get_language() == "cy":
            return self.description_cy
        return self.description


class Unit(TimeStampedModel):
    """An organisation's unit that provides one capability (a ROCU's technical surveillance
    unit, a force's digital forensics lab)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="capability_units"
    )
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)

    access = Restricted(requires=capacity_scope, unattached=True, describes="capability unit")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("capability unit")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="capabilities_unit_name_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Post(TimeStampedModel):
    """A post in a unit: its role, hours, vetting, whether filled, when it starts and (for a
    fixed-term post) ends, and how much of it training and leave abstract."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="posts")
    reference = models.CharField(
        _("post number"),
        max_length=40,
        help_text=_("The HR post number; importing the same number again updates the post."),
    )
    role = models.CharField(_("role"), max_length=120)
    fte = models.DecimalField(
        _("FTE"),
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(ONE)],
    )
    hours = models.DecimalField(
        _("contracted hours a week"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("60"))],
    )
    vetting = models.CharField(_("vetting held"), max_length=5, choices=VettingLevel.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=PostStatus.choices, default=PostStatus.FILLED
    )
    starts = models.DateField(_("starts"))
    ends = models.DateField(
        _("ends"), null=True, blank=True, help_text=_("Leave empty for a permanent post.")
    )
    training_pct = models.DecimalField(
        _("training abstraction (%)"),
        max_digits=4,
        decimal_places=1,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    leave_pct = models.DecimalField(
        _("leave abstraction (%)"),
        max_digits=4,
        decimal_places=1,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )

    access = Restricted(via=("unit",), describes="post")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "reference"]
        verbose_name = _("post")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "reference"], name="capabilities_post_number_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(ends__gte=models.F("starts")),
                name="capabilities_post_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.role}"

    @property
    def fixed_term(self) -> bool:
        return self.ends is not None

    def in_post(self, on: dt.date) -> bool:
        """Whether the post exists on a day (filled or not)."""
        return self.starts <= on and (self.ends is None or on <= self.ends)

    def available_hours(self, on: dt.date) -> Decimal:
        """Officer hours a week the post brings on a day: nothing unless it exists and is
        filled, less what training and leave take."""
        if self.status != PostStatus.FILLED or not self.in_post(on):
            return ZERO
        kept = ONE - (self.training_pct + self.leave_pct) / Decimal("100")
        return (self.hours * self.fte * max(kept, ZERO)).quantize(Decimal("0.1"))


class FundingStream(TimeStampedModel):
    """Money an organisation holds for capability: force contributions (each force's share by
    a basis that is data), a Home Office or other grant (amounts per financial year, start and
    end), or core budget; optionally ring-fenced to capabilities."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="funding_streams"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=FundingKind.choices)
    starts = models.DateField(_("starts"))
    ends = models.DateField(
        _("ends"), null=True, blank=True, help_text=_("Leave empty for recurring funding.")
    )
    basis = models.CharField(
        _("contributions in proportion to"),
        max_length=16,
        choices=ContributionBasis.choices,
        blank=True,
        help_text=_("For force contributions: what each force's share follows."),
    )
    ring_fenced = models.ManyToManyField(
        Capability, verbose_name=_("ring-fenced to"), blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), max_length=2000, blank=True)

    access = Restricted(requires=capacity_scope, unattached=True, describes="funding stream")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "ends", "name"]
        verbose_name = _("funding stream")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="capabilities_stream_code_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(ends__gte=models.F("starts")),
                name="capabilities_stream_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def live_on(self, on: dt.date) -> bool:
        return self.starts <= on and (self.ends is None or on <= self.ends)


class FundingYear(models.Model):
    """What a stream brings in one financial year (April to March, named by its first year)."""

    stream = models.ForeignKey(FundingStream, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(
        _("financial year starting"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    amount = models.DecimalField(
        _("amount (£)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )

    access = Restricted(via=("stream",), describes="funding year")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["stream", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "year"], name="capabilities_one_amount_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: £{self.amount:,.2f}"

    @property
    def label(self) -> str:
        return f"{self.year}/{str(self.year + 1)[-2:]}"


class ForceContribution(models.Model):
    """One force's weight in a force-contributions stream; its share is its weight over the
    stream's total (with the EQUAL basis every weight is 1)."""

    stream = models.ForeignKey(
        FundingStream, on_delete=models.CASCADE, related_name="contributions"
    )
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(
        _("weight"), max_digits=14, decimal_places=4, validators=[MinValueValidator(ZERO)]
    )

    access = Restricted(via=("stream",), describes="force contribution")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["stream", "force__name"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "force"], name="capabilities_one_weight")
        ]

    def __str__(self) -> str:
        return f"{self.force_id}: {self.weight}"


class PostFunding(models.Model):
    """The share of a post one stream pays (a post's shares add up to at most 100%)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="funding")
    stream = models.ForeignKey(FundingStream, on_delete=models.PROTECT, related_name="posts")
    share = models.DecimalField(
        _("share"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(ONE)],
    )

    access = Restricted(via=("post", "stream"), describes="post funding")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["post", "-share"]
        constraints = [
            models.UniqueConstraint(fields=["post", "stream"], name="capabilities_one_share")
        ]

    def __str__(self) -> str:
        return f"{self.share:.0%}"


class BandNeed(models.Model):
    """What a prioritised register item is expected to need of a capability, by its priority
    band (reference data: the national figures are not public, so these are Concord's)."""

    band = models.CharField(_("priority band"), max_length=4)
    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="band_needs")
    amount = models.DecimalField(
        _("amount a week"),
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )

    class Meta:
        ordering = ["band", "capability__name"]
        constraints = [
            models.UniqueConstraint(fields=["band", "capability"], name="capabilities_band_need")
        ]

    def __str__(self) -> str:
        return f"{self.band}: {self.amount}"


class Demand(TimeStampedModel):
    """A need for a capability over a period, about one register item: named by a plan
    action, a tasking request or a request for SIO support."""

    ocg = models.ForeignKey(Ocg, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    priority_individual = models.ForeignKey(
        PriorityIndividual, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="demands")
    amount = models.DecimalField(
        _("effort a week"),
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("10000"))],
        help_text=_("In the capability's unit."),
    )
    starts = models.DateField(_("from"))
    ends = models.DateField(_("until"))
    source = models.CharField(_("named by"), max_length=10, choices=DemandSource.choices)
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tasking = models.ForeignKey(
        TaskingRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    transfer = models.ForeignKey(
        TransferRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), max_length=2000, blank=True)

    access = Restricted(
        via=("ocg", "priority_individual", "vulnerability", "action", "tasking", "transfer"),
        describes="capability need",
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["starts", "pk"]
        verbose_name = _("capability need")
        constraints = [
            models.CheckConstraint(
                condition=ABOUT_ONE_ITEM,
                name="capabilities_demand_about_one_item",
            ),
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")),
                name="capabilities_demand_ends_after_start",
            ),
        ]

    @property
    def register_item(self) -> Ocg | PriorityIndividual | Vulnerability:
        found = self.ocg or self.priority_individual or self.vulnerability
        assert found is not None
        return found


class AllocationRun(models.Model):
    """One national allocation: which pools serve which needs over a period, what is unmet and
    why. It names threats by reference, so what a person is shown of it goes through the
    access policy (`planning.visible_threats`); the run itself is never listed raw."""

    starts = models.DateField(_("from"))
    weeks = models.PositiveSmallIntegerField(
        _("weeks"), validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    created_at = models.DateTimeField(_("run at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    solver = models.CharField(_("solver"), max_length=40)
    status = models.CharField(_("status"), max_length=20)
    objective = models.FloatField(_("weighted need unmet"))
    best_bound = models.FloatField(_("best bound"), null=True, blank=True)
    coverage = models.FloatField(_("priority-weighted coverage"))
    seconds = models.FloatField(_("seconds"))
    pools = models.PositiveIntegerField(_("pools"))
    needs = models.PositiveIntegerField(_("needs"))
    # {"assignments": [...], "unmet": [...]} as the engine's plan holds them.
    result = models.JSONField(_("result"))
    # Unmet need by capability and region ({"technical-surveillance|wales": [amount, weighted]}),
    # for the gaps' trend from run to run.
    totals = models.JSONField(_("gaps by capability and region"), default=dict)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("allocation run")

    def __str__(self) -> str:
        return f"{self.starts} +{self.weeks}w ({self.solver})"


from concord.capabilities.models.gaps import Gap  # noqa: E402  (it builds on the models above)

__all__ = [
    "AllocationRun",
    "BandNeed",
    "Capability",
    "Catalogue",
    "Demand",
    "ForceContribution",
    "FundingStream",
    "FundingYear",
    "Gap",
    "Post",
    "PostFunding",
    "Unit",
    "capacity_scope",
    "scope_over",
    "sees_capacity_of",
]
