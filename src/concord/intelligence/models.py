"""Graded intelligence reports, their sanitised versions, dissemination and feedback.

A report is a ProtectedRecord: the one access policy decides who sees it, and dissemination is
an explicit share with a purpose. A C-coded report's content opens to a recipient only once
they have accepted its handling conditions (`ConditionsAccepted`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.core.choices import Classification
from concord.core.models import ProtectedRecord
from concord.core.queries import RestrictedQuerySet
from concord.core.restriction import Restricted
from concord.intelligence.choices import (
    FeedbackKind,
    HandlingCode,
    IntelligenceAssessment,
    ReportStatus,
    SourceEvaluation,
)
from concord.organisations.models import Organisation
from concord.threats.models import Entity, Nominal, Ocg


class IntelReport(ProtectedRecord):
    reference = models.CharField(_("reference"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("intelligence"), max_length=limits.NARRATIVE)
    information_date = models.DateField(_("date of the information"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    originator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source_evaluation = models.CharField(
        _("source evaluation"), max_length=1, choices=SourceEvaluation.choices, blank=True
    )
    intelligence_assessment = models.CharField(
        _("intelligence assessment"),
        max_length=1,
        choices=IntelligenceAssessment.choices,
        blank=True,
    )
    handling_code = models.CharField(
        _("handling code"), max_length=1, choices=HandlingCode.choices, blank=True
    )
    handling_conditions = models.TextField(
        _("handling conditions"), blank=True, max_length=limits.ENTRY
    )
    # A legacy 5x5x5 grading, recorded exactly as it was given and never converted.
    legacy_grading = models.CharField(_("legacy 5x5x5 grading"), max_length=20, blank=True)
    sanitised_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="sanitised_versions"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    recalled_at = models.DateTimeField(null=True, blank=True)
    ocgs = models.ManyToManyField(Ocg, blank=True, related_name="intelligence")
    nominals = models.ManyToManyField(Nominal, blank=True, related_name="intelligence")
    entities = models.ManyToManyField(Entity, blank=True, related_name="intelligence")
    # Received from a peer instance (federation); null for intelligence recorded here.
    origin = models.ForeignKey(
        "Peer",
        verbose_name=_("received from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )

    # Intelligence reaches beyond its originator only by dissemination, never by a ROCU's
    # regional or the NCA's national reach.
    wide_reach = False

    class Meta:
        ordering = ["-information_date", "-id"]
        verbose_name = _("intelligence report")
        verbose_name_plural = _("intelligence reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(legacy_grading__gt="")
                | (
                    Q(source_evaluation__gt="")
                    & Q(intelligence_assessment__gt="")
                    & Q(handling_code__gt="")
                ),
                name="report_is_graded",
            ),
            models.CheckConstraint(
                condition=~Q(handling_code="C") | ~Q(handling_conditions=""),
                name="c_code_has_conditions",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"]),
            # What the policy reads of a report to decide who sees it, beside its key, so that
            # a figure over every report a reader may see (effectiveness: the shares of them)
            # reads these indexes alone (PostgreSQL: index-only scans), never the reports'
            # text: the owner's reports, and those shared by id (with the date lists order by).
            models.Index(
                fields=["owner", "id", "classification", "need_to_know_only"],
                name="intel_owner_visible",
            ),
            models.Index(
                fields=["id", "classification", "information_date", "owner", "need_to_know_only"],
                name="intel_shared_visible",
            ),
            # Lists in date order: an organisation's own reports newest first (VisibleList's
            # own arm reads its first page from here, not from every report it owns).
            models.Index(fields=["owner", "information_date", "id"], name="intel_owner_date"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def audit_label(self) -> str:
        return self.reference

    @property
    def grading(self) -> str:
        """3x5x2 as written on a report (e.g. 1B P), or the legacy grading as recorded."""
        if self.source_evaluation:
            return f"{self.source_evaluation}{self.intelligence_assessment} {self.handling_code}"
        return f"5x5x5 {self.legacy_grading}"


class SharingGroup(models.Model):
    """A named set of organisations reports are disseminated to (e.g. a region's forces and
    ROCU)."""

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    organisations = models.ManyToManyField(Organisation, related_name="sharing_groups")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ConditionsAccepted(models.Model):
    """A person accepted a C-coded report's handling conditions (as they stood)."""

    report = models.ForeignKey(IntelReport, on_delete=models.CASCADE, related_name="acceptances")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conditions = models.TextField()
    accepted_at = models.DateTimeField()

    access = Restricted(via=("report",))
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "person"], name="accept_conditions_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} accepted {self.report.reference}"


class Feedback(models.Model):
    report = models.ForeignKey(IntelReport, on_delete=models.CASCADE, related_name="feedback")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("feedback"), max_length=12, choices=FeedbackKind.choices)
    note = models.TextField(_("note"), blank=True, max_length=limits.ENTRY)
    given_at = models.DateTimeField(auto_now_add=True)

    access = Restricted(via=("report",))
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.report.reference}"


class Peer(models.Model):
    """Another instance (another force's Concord, the NCA's) this one exchanges intelligence
    with over TAXII 2.1. It speaks for one organisation; this instance acts for
    `local_organisation` with it. The peer signs in here as `account` (a partner-role service
    account in the peer's organisation, so the access policy gives it only what is shared with
    that organisation) and signs its bundles with the Ed25519 key whose public half is here."""

    name = models.SlugField(_("name"), max_length=50, unique=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("speaks for"), on_delete=models.PROTECT, related_name="+"
    )
    local_organisation = models.ForeignKey(
        Organisation, verbose_name=_("on behalf of"), on_delete=models.PROTECT, related_name="+"
    )
    url = models.URLField(_("TAXII API root"), max_length=300)
    public_key = models.CharField(_("public key (Ed25519, base64)"), max_length=64)
    # Our bearer token on the peer (issued by its operator), used by `concord sync`.
    token = models.CharField(_("token on the peer"), max_length=200, blank=True)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="peer"
    )
    max_classification = models.CharField(
        _("highest classification accepted"),
        max_length=10,
        choices=Classification.choices,
        default=Classification.OFFICIAL,
    )
    active = models.BooleanField(_("active"), default=True)
    # Whether deconfliction checks are exchanged with it (under the federation's secret).
    deconflicts = models.BooleanField(_("takes part in deconfliction"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_synced_at = models.DateTimeField(_("last synchronised"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("peer")
        verbose_name_plural = _("peers")

    def __str__(self) -> str:
        return self.name


class FeedClock(models.Model):
    """The last date_added given in an organisation's feed: allocated under this row's lock so
    that what a reader sees after a date never grows later (TAXII `added_after` is exact)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.last:%Y-%m-%dT%H:%M:%S.%f}"


class FeedObject(models.Model):
    """One version of one STIX object made available to an organisation: what TAXII serves
    it and what is pushed to its peers. `body` is the object as canonical JSON. Access is
    decided again at every read through `report` (null only for definitions: identities,
    marking and extension definitions); a tombstone (the revoked version of a recalled
    report) reaches every organisation it had been shared with."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    stix_id = models.CharField(max_length=80)
    kind = models.CharField(max_length=40)
    version = models.DateTimeField()
    date_added = models.DateTimeField()
    report = models.ForeignKey(
        IntelReport, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tombstone = models.BooleanField(default=False)
    body = models.TextField()

    access = Restricted(via=("report",), unattached=True)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["date_added", "id"]
        indexes = [
            models.Index(fields=["organisation", "date_added"]),
            models.Index(fields=["organisation", "stix_id", "version"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "stix_id", "version"],
                condition=Q(report__isnull=True),
                name="feed_definition_once",
            ),
            models.UniqueConstraint(
                fields=["organisation", "stix_id", "version", "report"],
                condition=Q(report__isnull=False),
                name="feed_object_once_per_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stix_id} {self.version:%Y-%m-%dT%H:%M:%S}"


class ReceivedObject(models.Model):
    """The newest version held of a STIX object received from a peer; a report's local copy is
    `report`."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="received")
    stix_id = models.CharField(max_length=80)
    kind = models.CharField(max_length=40)
    version = models.DateTimeField()
    body = models.JSONField()
    report = models.ForeignKey(
        IntelReport, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(auto_now=True)

    access = Restricted(via=("report",), unattached=True)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["peer", "stix_id"], name="received_object_once")
        ]

    def __str__(self) -> str:
        return self.stix_id


class SyncCursor(models.Model):
    """How far a sync with a peer has come, per direction and collection: the date_added of
    the last object taken in (pull) or accepted by the peer (push)."""

    PULL, PUSH = "pull", "push"

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="cursors")
    direction = models.CharField(max_length=4, choices=[(PULL, PULL), (PUSH, PUSH)])
    collection = models.CharField(max_length=64)
    position = models.CharField(max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["peer", "direction", "collection"], name="one_cursor_per_collection"
            )
        ]

    def __str__(self) -> str:
        return f"{self.peer} {self.direction} {self.position}"


class TaxiiStatus(models.Model):
    """A TAXII 2.1 status resource: the outcome of one request to add objects."""

    id = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request_timestamp = models.DateTimeField()
    total_count = models.PositiveIntegerField()
    success_count = models.PositiveIntegerField()
    failures = models.JSONField(default=list)
    successes = models.JSONField(default=list)

    def __str__(self) -> str:
        return str(self.id)
