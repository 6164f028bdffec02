"""Base model mixins, protective marking, shares, and the append-only audit trail."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.core.choices import Classification, ShareCause, TaskState
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
    handling_instructions = models.TextField(
        _("handling instructions"), blank=True, max_length=limits.LINE
    )

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
    # What gave the share (and its id: the transfer or tasking request, the appointment, the
    # peer): core/services.grant_share and end_shares, the one way shares begin and end.
    cause = models.CharField(
        _("cause"), max_length=20, choices=ShareCause.choices, default=ShareCause.MANUAL
    )
    cause_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The record's shares, and (with when each was made, read from the index alone) a
            # count of the shares of many records over a period: effectiveness's "shared".
            models.Index(fields=["content_type", "object_id", "created_at"], name="share_object"),
            models.Index(fields=["cause", "cause_id"], name="share_cause"),
            # What is shared with an organisation now, read from the index alone.
            models.Index(
                fields=["to_organisation", "content_type", "revoked_at", "until", "object_id"],
                name="share_to_organisation",
            ),
        ]
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
    """The fixed vocabulary of audit events: `audit.record()` and `audit.build()` refuse
    anything else (a ValueError naming the value). A new kind of event is a new member here,
    with a migration for the choices, and a line below.

    A change to a record is CREATE, UPDATE or DELETE on its `object_type` (the model's
    `app_label.model`), whichever path made it (a service, a page, the API, the CLI, Django
    admin: `source` says which), so one vocabulary covers every record; there are no verbs per
    model. `changes` is {field: [before, after]} (all fields [None, value] on CREATE, [value,
    None] on DELETE, related records by their code, reference or username, secrets never:
    passwords, token digests and key material read "[hidden]", a public key as its
    fingerprint). `detail` is context that is not a field change.

    - CREATE: a record was made. API tokens: object organisations.apitoken, `changes` name,
      prefix, person and expiry (never the token or its digest). A secondment:
      organisations.secondment with person, organisation, starts, ends, reason.
    - UPDATE: a record was changed (revoking a share or a token, ending a secondment, a
      person's roles, teams, vetting or organisation: `changes` holds what changed;
      `detail` says which step of a workflow when a service records one).
    - DELETE: a record was deleted (Django admin; `changes` holds what it held).
    - VIEW: one protected record was opened. `detail` may carry what was shown.
    - SEARCH: records were looked for by a query or filters. `detail`: filters, query and
      the references shown.
    - LIST: a list of protected records was shown (a page of a list, an API list). `detail`:
      filters, rows (how many were returned), count (how many matched), ids (the records'
      ids, as VIEW's object_id), and the page or offset and limit.
    - EXPORT: a list was downloaded (CSV, XLSX, TAXII). `detail`: filters, format and count.
    - DOWNLOAD: one document was downloaded (a report's attachment, a meeting pack).
    - SHARE: a record was shared. `detail`: to whom, purpose, until.
    - REASON: a reason was given for opening a record outside one's own work (`reason`).
    - SIGN_IN, SIGN_OUT: a session began or ended. SIGN_IN_FAILED: a sign-in was refused;
      `detail`: username, why (credentials, two_factor, vetting_expired, no_vetting).
    - NOT_FOUND: a signed-in person asked for something not found (or not theirs to see);
      `detail`: path, method.
    - TOKEN_REFUSED: an API token was refused; `detail`: token (its prefix), why.
    - REVIEW: an alert was reviewed; `changes`: status and note.
    """

    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    VIEW = "view", _("Viewed")
    SEARCH = "search", _("Searched")
    LIST = "list", _("Listed")
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


class TaskProgress(models.Model):
    """How far a background task has got (done of total, a message, its state)."""

    task_id = models.CharField(max_length=64, unique=True)
    task_name = models.CharField(max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=TaskState.choices, default=TaskState.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.task_name} {self.task_id}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        """Done as a whole percentage of the total (0 while the total is unknown)."""
        return min(100, round(100 * self.done / self.total)) if self.total else 0

    @property
    def finished(self) -> bool:
        """Whether the task has stopped, done or failed (the page then stops asking)."""
        return self.state in (TaskState.SUCCEEDED, TaskState.FAILED)


class WorkerBeat(models.Model):
    """A `concord worker`'s last sign of life (`core.worker.reclaim_stale` reads it)."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(default=0)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host} ({self.pid})"
