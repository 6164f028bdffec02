"""Base model mixins, protective marking, shares, and the append-only audit trail."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core.choices import Classification
from concord.core.queries import ProtectedQuerySet


class TimeStampedModel(models.Model):
    """Adds created and updated times."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


TOP_SECRET_MESSAGE = _(
    "TOP SECRET material does not belong on Concord. Handle it through your organisation's "
    "TOP SECRET arrangements and record only an OFFICIAL or SECRET reference here."
)


def validate_classification(value: str) -> None:
    """Refuse TOP SECRET (and anything that is not a Government Security Classification)."""
    normalised = value.upper().replace("_", " ").replace("-", " ").strip()
    if normalised == "TOP SECRET":
        raise ValidationError(TOP_SECRET_MESSAGE, code="top_secret")
    if value not in Classification.values:
        raise ValidationError(
            _(
                "Choose OFFICIAL or SECRET (OFFICIAL-SENSITIVE is OFFICIAL with the SENSITIVE "
                "handling marking)."
            ),
            code="classification",
        )


class ProtectedRecord(TimeStampedModel):
    """A sensitive record: owner, classification, handling marking, need-to-know, instructions.

    Every concrete subclass is read through `Model.objects.visible_to(user)` (the access policy
    in concord.core.policy), and joins the access-matrix tests by being a subclass.
    """

    owner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("owning organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    classification = models.CharField(
        _("classification"),
        max_length=12,
        choices=Classification.choices,
        default=Classification.OFFICIAL,
        validators=[validate_classification],
    )
    sensitive = models.BooleanField(
        _("SENSITIVE"),
        default=False,
        help_text=_(
            "The SENSITIVE handling marking: strict need-to-know. Wider regional and "
            "national reach does not apply; only the owner and explicit shares see it."
        ),
    )
    need_to_know_only = models.BooleanField(
        _("need-to-know list applies"),
        default=False,
        editable=False,
        help_text=_(
            "Set when named people or teams are listed: only they and the owner's "
            "managers may see the record."
        ),
    )
    need_to_know_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("need-to-know people"),
        blank=True,
        related_name="+",
    )
    need_to_know_teams = models.ManyToManyField(
        "organisations.Team",
        verbose_name=_("need-to-know teams"),
        blank=True,
        related_name="+",
    )
    handling_instructions = models.TextField(_("handling instructions"), blank=True)

    objects = ProtectedQuerySet.as_manager()

    # Whether a ROCU's regional and the NCA's national reach apply (see core/policy.py). A
    # record type shared only by explicit dissemination (intelligence) sets this False.
    wide_reach = True

    class Meta:
        abstract = True

    @property
    def marking(self) -> str:
        """The protective marking line, e.g. OFFICIAL-SENSITIVE or SECRET."""
        return self.classification + ("-SENSITIVE" if self.sensitive else "")

    @property
    def audit_label(self) -> str:
        """How the record is named in the audit trail (no content beyond its reference)."""
        return str(self)[:200]

    def addressed_to(self, organisation_id: int | None) -> bool:
        """True when the record is addressed to that organisation as its work (a request it
        must decide), so opening it through its share needs no reason. Most records: never."""
        return False


class Share(models.Model):
    """An owner's explicit share of one record with an organisation or a person, for a purpose."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    to_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    to_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    until = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Given because the recipient works on the record (an appointed SIO or LRO, the receiver of
    # a transfer request): opening it is their own work, so no reason is asked.
    as_work = models.BooleanField(_("shared as the recipient's work"), default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(to_organisation__isnull=False, to_person__isnull=True)
                    | Q(to_organisation__isnull=True, to_person__isnull=False)
                ),
                name="share_to_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"Share of {self.content_type_id}:{self.object_id}"

    def is_active(self) -> bool:
        return self.revoked_at is None and (
            self.until is None or self.until >= timezone.localdate()
        )


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    VIEW = "view", _("Viewed")
    SEARCH = "search", _("Searched")
    EXPORT = "export", _("Exported")
    DOWNLOAD = "download", _("Downloaded")
    SHARE = "share", _("Shared")
    REASON = "reason", _("Gave a reason for access")
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in refused")
    SIGN_OUT = "sign_out", _("Signed out")
    NOT_FOUND = "not_found", _("Asked for something not found")
    TOKEN_REFUSED = "token_refused", _("API token refused")
    REVIEW = "review", _("Reviewed an alert")


class AuditEntry(models.Model):
    """One audited event. Rows are append-only (database triggers) and sealed into a hash chain."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Plain ids and snapshots, not foreign keys: the trail must outlive and not depend on rows.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    organisation_code = models.CharField(max_length=12, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    owner_code = models.CharField(max_length=12, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    source = models.CharField(max_length=20, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    uid = models.CharField(max_length=32, unique=True)
    mac = models.CharField(max_length=64)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["actor_id", "at"]),
            # The monitoring detectors' look-backs: one person's views (or misses) in a window.
            models.Index(fields=["actor_id", "action", "at"], name="audit_actor_action_at"),
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["organisation_code", "at"]),
            models.Index(fields=["action", "at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"


class AuditSeal(models.Model):
    """A batch of audit entries sealed into the chain: hash = H(previous hash, their MACs)."""

    sealed_at = models.DateTimeField(default=timezone.now)
    # The sealed entry ids as ranges, "1-500,502,504-510": explicit, so entries whose transaction
    # committed late are sealed in a later batch rather than breaking this one.
    entry_ranges = models.TextField()
    first_entry_id = models.BigIntegerField(db_index=True)
    last_entry_id = models.BigIntegerField(db_index=True)
    entry_count = models.PositiveIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Seal {self.pk} of entries {self.first_entry_id}-{self.last_entry_id}"
