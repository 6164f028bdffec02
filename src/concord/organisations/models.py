"""Regions, organisations, people, roles, teams, secondments and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.core.models import TimeStampedModel
from concord.core.queries import RestrictedQuerySet
from concord.core.restriction import Restricted
from concord.organisations.choices import (
    VETTING_RANK,
    Language,
    OrganisationKind,
    PartnerType,
    RoleCode,
    VettingLevel,
)

if TYPE_CHECKING:
    from concord.core.policy import Viewer


class BilingualName(models.Model):
    """A name in English with an optional Welsh form, shown in the reader's language."""

    name = models.CharField(_("name"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The Welsh name when the page is in Welsh and one is recorded, else the English."""
        if self.name_cy and translation.get_language() == "cy":
            return self.name_cy
        return self.name


class Region(BilingualName):
    """A policing region (ten in England and Wales; London has no ROCU)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class OrganisationQuerySet(QuerySet["Organisation"]):
    def active(self) -> OrganisationQuerySet:
        return self.filter(is_active=True)

    def forces(self) -> OrganisationQuerySet:
        return self.filter(kind=OrganisationKind.FORCE)

    def rocus(self) -> OrganisationQuerySet:
        return self.filter(kind=OrganisationKind.ROCU)

    def partners(self) -> OrganisationQuerySet:
        return self.filter(kind=OrganisationKind.PARTNER)

    def in_region(self, region: Region) -> OrganisationQuerySet:
        return self.filter(region=region)


class Organisation(BilingualName, TimeStampedModel):
    """A force, ROCU, national agency or partner: the unit that owns records and employs people."""

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        help_text=_("Short upper-case code used in references, e.g. DYP in OCG-DYP-000123."),
    )
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    partner_type = models.CharField(
        _("partner type"), max_length=20, choices=PartnerType.choices, blank=True
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    lead_force = models.ForeignKey(
        "self",
        verbose_name=_("lead force"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_units",
        limit_choices_to={"kind": OrganisationKind.FORCE},
    )
    national_reach = models.BooleanField(
        _("national reach"),
        default=False,
        help_text=_(
            "Its people may see (non-SENSITIVE) records of every force, ROCU and "
            "national agency, as the NCA's do."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.PARTNER) | Q(partner_type=""),
                name="organisation_partner_type_only_for_partners",
            ),
        ]

    @property
    def label(self) -> str:
        return self.short_name or self.display_name


class Role(BilingualName):
    """A role a person can hold (editable reference data; the code is what software checks)."""

    code = models.CharField(_("code"), max_length=40, unique=True, choices=RoleCode.choices)
    description = models.TextField(_("description"), blank=True, max_length=limits.SUMMARY)

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")


class Team(TimeStampedModel):
    """A team inside an organisation (e.g. the force intelligence bureau)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="teams",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=limits.SUMMARY)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ConcordUserManager(UserManager["User"]):
    def get_queryset(self) -> QuerySet[User]:
        return super().get_queryset().select_related("organisation")


class User(AbstractUser):
    """A person who signs in: belongs to one organisation, holds roles and a vetting level."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="people",
    )
    job_title = models.CharField(_("job title or rank"), max_length=120, blank=True)
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="people")
    teams = models.ManyToManyField(
        Team, verbose_name=_("teams"), blank=True, related_name="members"
    )
    vetting_level = models.CharField(
        _("vetting level"), max_length=8, choices=VettingLevel.choices, blank=True
    )
    vetting_expires = models.DateField(_("vetting expires"), null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=Language.choices,
        blank=True,
        help_text=_("The language Concord and its emails speak to this person; blank: not chosen."),
    )

    objects: ClassVar[ConcordUserManager] = ConcordUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        """The codes of this person's roles, fetched once per request."""
        return frozenset(self.roles.values_list("code", flat=True))

    def has_role(self, code: str) -> bool:
        return code in self.role_codes

    def vetting_is_current(self, on: dt.date | None = None) -> bool:
        """True when a vetting level is recorded and has not expired."""
        on = on or timezone.localdate()
        return bool(self.vetting_level and self.vetting_expires and self.vetting_expires >= on)

    @property
    def vetting_rank(self) -> int:
        return VETTING_RANK.get(self.vetting_level, 0) if self.vetting_is_current() else 0

    def may_sign_in(self) -> bool:
        """Operators (superusers) aside, nobody without current vetting may sign in."""
        return self.is_active and (self.is_superuser or self.vetting_is_current())

    @property
    def can_administer_people(self) -> bool:
        return self.is_superuser or self.has_role(RoleCode.ADMINISTRATOR)

    def can_administer(self, organisation: Organisation) -> bool:
        """Administrators manage people of their own organisation only; operators manage all."""
        if self.is_superuser:
            return True
        return self.has_role(RoleCode.ADMINISTRATOR) and self.organisation_id == organisation.pk

    def acting_organisation(self, on: dt.date | None = None) -> Organisation:
        """The organisation the person works for today: a current secondment wins.

        Remembered on the instance for the day asked about, so a request that audits and
        checks access many times asks the database once."""
        on = on or timezone.localdate()
        cached = self.__dict__.get("_acting_organisation")
        if cached is not None and cached[0] == on:
            return cached[1]  # type: ignore[no-any-return]
        secondment = (
            self.secondments.filter(starts__lte=on)
            .filter(Q(ends__isnull=True) | Q(ends__gte=on))
            .select_related("organisation")
            .order_by("-starts")
            .first()
        )
        organisation = secondment.organisation if secondment else self.organisation
        self.__dict__["_acting_organisation"] = (on, organisation)
        return organisation


class Secondment(TimeStampedModel):
    """A period in which a person works for another organisation."""

    person = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="secondments"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="secondees",
    )
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-starts"]
        verbose_name = _("secondment")
        verbose_name_plural = _("secondments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(ends__gte=models.F("starts")),
                name="secondment_ends_after_start",
            ),
        ]


def digest_token(plaintext: str) -> str:
    """Tokens are stored only as a SHA-256 digest (long and random, so no salt is needed)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


class ApiTokenQuerySet(QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A bearer token for scripts; shown once at issue, revocable, expiring."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


def own_notifications(viewer: Viewer) -> Q:
    return Q(person_id=viewer.user_id)


class Notification(models.Model):
    """A message for one person, shown in Concord and (when they have an address) emailed;
    about a record, it is shown only while the person may still see that record. It holds a
    message code and its parameters (organisations.notifications.MESSAGES), so each reader
    reads it in their own language."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    code = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    about_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    access = Restricted(
        requires=own_notifications,
        generic=("about_type", "about_id"),
        # What messages are about (organisations.notifications.notify refuses anything else).
        generic_models=(
            "threats.ocg",
            "threats.priorityindividual",
            "threats.vulnerability",
            "ownership.transferrequest",
            "ownership.taskingrequest",
            "plans.action",
            "plans.disruption",
            "meetings.meeting",
            "meetings.meetingaction",
            "intelligence.intelreport",
            "deconfliction.hitside",
            "capabilities.gap",
            "referrals.referral",
        ),
        unattached=True,
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "read_at"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.subject}"

    @property
    def subject(self) -> str:
        """What happened, in the active language."""
        from concord.organisations.notifications import render

        return render(self.code, self.params)[0]

    @property
    def body(self) -> str:
        """More of what happened (a reason given, a date), in the active language."""
        from concord.organisations.notifications import render

        return render(self.code, self.params)[1]
