"""Deconfliction's records: operations that register subjects and deployments, the blocking
keys that make the online check an index look-up, and hits.

An operation, its subjects and its deployments are protected records of their owner (the
operation is a `ProtectedRecord`; a subject and a deployment take their visibility from it).
A hit is two things, so that pointer-only is a matter of structure, not of care in templates:

- `Hit`, the conflict between two parties, holds only pointers: each side's organisation and
  contact desk, a random reference, the kind, the times and the watch desk's record. It has no
  path to either side's operation, so the watch desk (which sees every hit) cannot reach content.
- `HitSide`, one per party, joins the hit to that party's own operation and subject or
  deployment; it is visible only through that operation, so each party sees its own side and,
  of the other, nothing but the pointer the `Hit` holds.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core.models import ProtectedRecord
from concord.core.queries import RestrictedQuerySet
from concord.core.restriction import Restricted
from concord.deconfliction.choices import (
    DeploymentKind,
    HitKind,
    HitStatus,
    OperationKind,
    Resolution,
    Side,
    SubjectKind,
)
from concord.intelligence.models import Peer
from concord.organisations.models import Organisation
from concord.plans.models import Plan
from concord.threats.models import Ocg, PriorityIndividual

# How far a deployment's radius may reach: the bounding box of the event check adds this to
# the place's own radius, so it must bound every stored radius.
MAX_RADIUS_M = 5000


class Operation(ProtectedRecord):
    """An operation or investigation that registers its subjects and deployments for checking."""

    name = models.CharField(_("operation name"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=12, choices=OperationKind.choices, default=OperationKind.STANDALONE
    )
    ocg = models.ForeignKey(
        Ocg,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("OCG"),
    )
    priority_individual = models.ForeignKey(
        PriorityIndividual,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("priority individual"),
    )
    plan = models.ForeignKey(
        Plan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plan"),
    )
    # The pointer the other party is given on a hit: whom to call, never what the operation is.
    contact_name = models.CharField(_("contact or desk"), max_length=120)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    starts = models.DateField(_("active from"))
    ends = models.DateField(_("active until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    # A registration is its owner's alone: a ROCU's regional or the NCA's national reach does
    # not open it (else a hit would show a ROCU the force's deployment it conflicts with);
    # only an explicit share does.
    wide_reach = False

    class Meta:
        ordering = ["-starts", "-pk"]
        verbose_name = _("deconfliction operation")
        indexes = [models.Index(fields=["owner", "ends"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("deconfliction:operation", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"OPN-{self.pk:06d}"

    def active_on(self, day: dt.date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)


class Subject(models.Model):
    """A subject an operation registers: a person, or one identifier, address or postcode."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="subjects")
    kind = models.CharField(_("kind"), max_length=10, choices=SubjectKind.choices)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    surname = models.CharField(_("surname"), max_length=100, blank=True)
    aliases = models.CharField(
        _("aliases"), max_length=500, blank=True, help_text=_("Other names, one per line.")
    )
    dob = models.DateField(_("date of birth"), null=True, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    access = Restricted(via=("operation",), describes="deconfliction subject")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("deconfliction subject")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.shown}"

    @property
    def shown(self) -> str:
        """The subject as its own party reads it."""
        if self.kind == SubjectKind.PERSON:
            name = f"{self.given_name} {self.surname}".strip()
            return f"{name} ({self.dob:%d/%m/%Y})" if self.dob else name
        if self.kind == SubjectKind.ADDRESS and self.postcode:
            return f"{self.value}, {self.postcode}"
        return self.value or self.postcode


class SubjectKey(models.Model):
    """One blocking key of a subject (a row per key, B-tree indexed): the online check is one
    look-up of the checked subject's keys, then the engine's score of the few candidates."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="keys")
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["key", "active"], name="deconf_key_active")]

    def __str__(self) -> str:
        return self.key


class Deployment(models.Model):
    """A planned deployment: what, where (a point with a radius) and when."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="deployments")
    kind = models.CharField(_("kind"), max_length=16, choices=DeploymentKind.choices)
    place = models.CharField(_("address or place"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    radius_m = models.PositiveIntegerField(_("radius in metres"), default=200)
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    access = Restricted(via=("operation",), describes="deconfliction deployment")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["starts", "pk"]
        verbose_name = _("planned deployment")
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="deconf_deploy_point"),
            models.Index(fields=["starts", "ends"], name="deconf_deploy_window"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="deconf_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(radius_m__lte=MAX_RADIUS_M), name="deconf_radius_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts:%Y-%m-%d %H:%M}"


def new_reference() -> str:
    """A hit's reference: random, so that it says nothing of how many hits there are."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "DX-" + "".join(secrets.choice(alphabet) for _ in range(8))


class Hit(models.Model):
    """A conflict between two parties, as pointers only: who, whom to call, the reference and
    the watch desk's record of contact and resolution."""

    reference = models.CharField(
        _("hit reference"), max_length=16, unique=True, default=new_reference
    )
    kind = models.CharField(_("kind"), max_length=8, choices=HitKind.choices)
    urgent = models.BooleanField(_("urgent"), default=False)
    a_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    a_contact = models.CharField(max_length=250)
    b_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    b_contact = models.CharField(max_length=250)
    # Where the other party is on a peer instance (a check across instances): which peer.
    # Only one side of such a hit is held here; the other is held by the peer.
    # (A peer removed, rather than made inactive, leaves its hits without the peer.)
    peer = models.ForeignKey(
        Peer,
        verbose_name=_("peer instance"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Which side the peer instance holds (the other is held here).
    peer_side = models.CharField(max_length=1, choices=Side.choices, blank=True)
    # How strongly the subjects matched, and on which fields (names of fields, no values).
    score = models.FloatField(default=0)
    agreed = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("found"), default=timezone.now, db_index=True)
    respond_by = models.DateTimeField(_("respond by"))
    status = models.CharField(
        _("status"), max_length=10, choices=HitStatus.choices, default=HitStatus.OPEN
    )
    a_contacted_at = models.DateTimeField(null=True, blank=True)
    b_contacted_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=14, choices=Resolution.choices, blank=True
    )
    resolution_note = models.TextField(_("note"), max_length=1000, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-urgent", "respond_by", "pk"]
        verbose_name = _("deconfliction hit")
        indexes = [models.Index(fields=["status", "respond_by"], name="deconf_hit_queue")]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("deconfliction:desk_hit", args=[self.reference])

    def organisation(self, side: str) -> Organisation:
        return self.a_organisation if side == Side.A else self.b_organisation

    def contact(self, side: str) -> str:
        return self.a_contact if side == Side.A else self.b_contact

    def peer_organisation(self, side: str) -> Organisation | None:
        """For a side held on a peer instance, the organisation whose instance it is (None for
        a side held here)."""
        if self.peer is None or self.peer_side != side:
            return None
        return self.peer.organisation

    @property
    def a_peer_organisation(self) -> Organisation | None:
        return self.peer_organisation(Side.A)

    @property
    def b_peer_organisation(self) -> Organisation | None:
        return self.peer_organisation(Side.B)

    def contacted_at(self, side: str) -> dt.datetime | None:
        return self.a_contacted_at if side == Side.A else self.b_contacted_at

    @property
    def overdue(self) -> bool:
        return self.status != HitStatus.RESOLVED and timezone.now() > self.respond_by

    @property
    def response_minutes(self) -> int | None:
        """Minutes from the hit to its resolution (None while open)."""
        if self.resolved_at is None:
            return None
        return int((self.resolved_at - self.created_at).total_seconds() // 60)


class HitSide(models.Model):
    """One party's side of a hit: its own operation and subject or deployment, seen through
    its own operation; of the other party it holds nothing (the `Hit` has the pointer)."""

    hit = models.ForeignKey(Hit, on_delete=models.CASCADE, related_name="sides")
    side = models.CharField(max_length=1, choices=Side.choices)
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="hit_sides")
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, null=True, blank=True, related_name="hit_sides"
    )
    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, null=True, blank=True, related_name="hit_sides"
    )

    access = Restricted(via=("operation",), describes="deconfliction hit")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-hit__urgent", "-hit__created_at", "pk"]
        verbose_name = _("deconfliction hit")
        constraints = [
            models.UniqueConstraint(fields=["hit", "side"], name="deconf_one_side_each"),
        ]

    def __str__(self) -> str:
        return f"{self.hit.reference} ({self.side})"

    def get_absolute_url(self) -> str:
        return reverse("deconfliction:hit", args=[self.pk])

    @property
    def other(self) -> str:
        return Side.B if self.side == Side.A else Side.A

    @property
    def other_organisation(self) -> Organisation:
        return self.hit.organisation(self.other)

    @property
    def other_contact(self) -> str:
        return self.hit.contact(self.other)

    @property
    def other_peer_organisation(self) -> Organisation | None:
        """The other party's organisation where it is on a peer instance."""
        return self.hit.peer_organisation(self.other)

    @property
    def own_record(self) -> Any:
        return self.subject or self.deployment


class CheckLimit(models.Model):
    """How many checks one person may make (rate limit, as data an administrator changes)."""

    per_hour = models.PositiveIntegerField(_("checks a person may make in an hour"), default=60)
    per_day = models.PositiveIntegerField(_("checks a person may make in a day"), default=300)
    # The watch desk's response-time targets, in minutes.
    respond_minutes = models.PositiveIntegerField(_("response time (minutes)"), default=240)
    urgent_minutes = models.PositiveIntegerField(_("urgent response time (minutes)"), default=30)

    class Meta:
        verbose_name = _("deconfliction limits")

    def __str__(self) -> str:
        return f"{self.per_hour}/h {self.per_day}/day"

    @classmethod
    def current(cls) -> CheckLimit:
        found = cls.objects.order_by("pk").first()
        return found if found is not None else cls()


class FederatedToken(models.Model):
    """One keyed hash of a subject (`encoding`), under the federation's secret: a peer's check
    is one indexed look-up of the hashes it sends. Re-made for every subject when the secret
    changes (`concord deconflict federate --reindex`)."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="tokens")
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=32)
    # The kind of token (a key of `encoding.TOKENS`): what a shared one says agreed.
    kind = models.CharField(max_length=16)
    active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["token", "active"], name="deconf_token_active")]

    def __str__(self) -> str:
        return f"{self.kind} {self.token}"


class FederatedCheck(models.Model):
    """One check across instances, either way: a subject registered here sent to a peer
    (OUT: pending until the peer answers, retried), or a peer's check answered here (IN).
    Holds hashes and pointers only, never a subject's values."""

    OUT, IN = "out", "in"
    PENDING, ANSWERED = "pending", "answered"

    check_id = models.UUIDField()
    direction = models.CharField(max_length=3, choices=[(OUT, OUT), (IN, IN)])
    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="+")
    # OUT: our subject (visible through its operation); IN: null.
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=SubjectKind.choices)
    tokens = models.JSONField(default=list)
    reference = models.CharField(max_length=16)
    contact = models.CharField(max_length=250)
    status = models.CharField(
        max_length=8, choices=[(PENDING, PENDING), (ANSWERED, ANSWERED)], default=PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The references of the hits the check made (pointers only).
    hits = models.JSONField(default=list, blank=True)
    # IN: the signed answer given (a retry of the same check is given it again), and the
    # nonces of the envelopes taken (one sent twice is a replay).
    answer = models.JSONField(default=dict, blank=True)
    nonces = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["peer", "direction", "check_id"], name="deconf_federated_check_once"
            )
        ]
        indexes = [models.Index(fields=["direction", "status"], name="deconf_federated_pending")]

    def __str__(self) -> str:
        return f"{self.direction} {self.peer_id} {self.check_id}"


class PostcodePoint(models.Model):
    """Where a postcode is: a unit postcode (SA31 1AB) or a district's centre (SA31), loaded
    from the operator's copy of the public postcode directory (`concord deconflict postcodes`),
    so that a deployment given by postcode is placed without any call to the internet."""

    postcode = models.CharField(_("postcode"), max_length=8, primary_key=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    class Meta:
        verbose_name = _("postcode point")

    def __str__(self) -> str:
        return self.postcode
