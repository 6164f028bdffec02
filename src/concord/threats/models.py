"""OCGs, nominals and membership: protected records read through the one access policy."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.core.models import ProtectedRecord
from concord.core.queries import RestrictedQuerySet
from concord.core.restriction import Restricted
from concord.organisations.models import BilingualName, Organisation
from concord.threats.choices import (
    EntityKind,
    Gender,
    LinkType,
    MemberRole,
    OcgStatus,
    VulnerabilityKind,
)


class CriminalityType(BilingualName):
    """A criminality type (2018 SOC strategy list; editable reference data)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    ordering = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ordering", "name"]
        verbose_name = _("criminality type")
        verbose_name_plural = _("criminality types")


class ReferenceCounter(models.Model):
    """The last number issued per prefix and organisation (OCG-DYP-000123)."""

    prefix = models.CharField(max_length=8)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "organisation"], name="reference_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.organisation_id}: {self.last}"


def force_areas_field() -> models.ManyToManyField[Organisation, Any]:
    return models.ManyToManyField(
        Organisation,
        verbose_name=_("force areas affected"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "force"},
    )


def ranking_indexes() -> list[models.Index]:
    """Each register item's indexes for owner lists and for ranking by band and score."""
    return [
        models.Index(fields=["owner", "status"]),
        models.Index(fields=["band_rank", "risk_score"]),
    ]


class RegisterItem(ProtectedRecord):
    """What the prioritised picture ranks (OCGs, priority individuals, vulnerabilities): a
    reference, a status, and the current assessment kept here by the scoring services so that
    ranking at national scale reads one row per item."""

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=310)
    status = models.CharField(
        _("status"), max_length=10, choices=OcgStatus.choices, default=OcgStatus.ACTIVE
    )
    archived_reason = models.TextField(_("reason archived"), blank=True, max_length=limits.ENTRY)
    archived_on = models.DateField(_("archived on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True, max_length=limits.SUMMARY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    band = models.CharField(_("priority band"), max_length=4, blank=True)
    band_rank = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    risk_score = models.DecimalField(
        _("risk score"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    assessed_on = models.DateField(_("last assessed"), null=True, blank=True)
    review_due_on = models.DateField(_("re-assessment due"), null=True, blank=True, db_index=True)

    # The short kind used in URLs, the picture and exports ("ocg", "pi", "vulnerability").
    kind_code = ""

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active") | ~Q(archived_reason=""),
                name="%(class)s_archived_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def audit_label(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse(f"threats:{self.kind_code}_detail", args=[self.reference])


class Ocg(RegisterItem):
    """An organised crime group on the register."""

    name = models.CharField(_("name or operation name"), max_length=200)
    criminality_types = models.ManyToManyField(
        CriminalityType, verbose_name=_("criminality"), blank=True, related_name="ocgs"
    )
    force_areas = force_areas_field()
    mapped_on = models.DateField(_("mapped on"))

    kind_code = "ocg"

    class Meta(RegisterItem.Meta):
        ordering = ["reference"]
        verbose_name = _("OCG")
        verbose_name_plural = _("OCGs")
        indexes = ranking_indexes()


class Nominal(ProtectedRecord):
    """A person on the register (the P of POLE)."""

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    forenames = models.CharField(_("forenames"), max_length=150)
    surname = models.CharField(_("surname"), max_length=150)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN
    )
    nationality = models.CharField(_("nationality"), max_length=60, blank=True)
    # Lower-case, accent-free "forenames surname" for matching and deconfliction.
    name_key = models.CharField(max_length=320, db_index=True, editable=False)

    class Meta:
        ordering = ["surname", "forenames"]
        verbose_name = _("nominal")
        verbose_name_plural = _("nominals")

    def __str__(self) -> str:
        return f"{self.forenames} {self.surname}"

    @property
    def audit_label(self) -> str:
        return self.reference

    @property
    def full_name(self) -> str:
        return f"{self.forenames} {self.surname}"


class OcgMember(models.Model):
    """A nominal's membership of an OCG, with role and dates."""

    ocg = models.ForeignKey(Ocg, on_delete=models.CASCADE, related_name="members")
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=12, choices=MemberRole.choices)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("to"), null=True, blank=True)

    access = Restricted(via=("ocg", "nominal"))
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["role", "nominal__surname"]
        constraints = [
            models.UniqueConstraint(fields=["ocg", "nominal"], name="ocg_member_once"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="ocg_member_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nominal} ({self.get_role_display()}) in {self.ocg.reference}"


class Entity(ProtectedRecord):
    """A business, vehicle, phone, email address, address or bank account (the O, L and E of
    POLE), kept as entered and in the canonical form that matching compares."""

    kind = models.CharField(_("kind"), max_length=12, choices=EntityKind.choices)
    value = models.CharField(_("as entered"), max_length=300)
    canonical = models.CharField(_("canonical form"), max_length=300, db_index=True)
    # Kind-specific details: a vehicle's make, model and colour; an address's lines and town.
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["kind", "canonical"]
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        indexes = [models.Index(fields=["kind", "canonical"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.canonical}"

    @property
    def audit_label(self) -> str:
        return f"{self.kind}:{self.pk}"


class EntityLink(models.Model):
    """A dated link from a nominal or OCG to an entity (owns, uses, lives at…)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="links")
    nominal = models.ForeignKey(
        Nominal, on_delete=models.CASCADE, null=True, blank=True, related_name="entity_links"
    )
    ocg = models.ForeignKey(
        Ocg, on_delete=models.CASCADE, null=True, blank=True, related_name="entity_links"
    )
    link_type = models.CharField(_("link"), max_length=12, choices=LinkType.choices)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("to"), null=True, blank=True)

    access = Restricted(via=("entity", "nominal", "ocg"))
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(nominal__isnull=False, ocg__isnull=True)
                | Q(nominal__isnull=True, ocg__isnull=False),
                name="entity_link_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_link_type_display()} {self.entity}"


class PriorityIndividual(RegisterItem):
    """A nominal designated a priority individual, optionally linked to OCGs."""

    nominal = models.ForeignKey(
        Nominal, on_delete=models.PROTECT, related_name="priority_records", verbose_name=_("person")
    )
    # `name` holds the person's name when designated: the picture ranks without nominals.
    ocgs = models.ManyToManyField(
        Ocg, verbose_name=_("OCGs"), blank=True, related_name="priority_individuals"
    )
    designated_on = models.DateField(_("designated on"))

    kind_code = "pi"

    class Meta(RegisterItem.Meta):
        ordering = ["reference"]
        verbose_name = _("priority individual")
        verbose_name_plural = _("priority individuals")
        indexes = ranking_indexes()
        constraints = [
            *RegisterItem.Meta.constraints,
            models.UniqueConstraint(
                fields=["owner", "nominal"],
                condition=Q(status="active"),
                name="one_active_pi_per_owner_and_person",
            ),
        ]


class Vulnerability(RegisterItem):
    """A person, place, community, business or theme at risk from SOC, linked to OCGs."""

    kind = models.CharField(_("at risk"), max_length=12, choices=VulnerabilityKind.choices)
    name = models.CharField(_("title"), max_length=200)
    ocgs = models.ManyToManyField(
        Ocg, verbose_name=_("OCGs"), blank=True, related_name="vulnerabilities"
    )
    force_areas = force_areas_field()
    identified_on = models.DateField(_("identified on"))

    kind_code = "vulnerability"

    class Meta(RegisterItem.Meta):
        ordering = ["reference"]
        verbose_name = _("vulnerability")
        verbose_name_plural = _("vulnerabilities")
        indexes = ranking_indexes()


REGISTER_ITEMS: dict[str, type[RegisterItem]] = {
    model.kind_code: model for model in (Ocg, PriorityIndividual, Vulnerability)
}
