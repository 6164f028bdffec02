"""Forums, meetings, agendas (versioned when issued), decisions and meeting actions.

An agenda item points at what it is about by content type and id (an OCG, a PI, a transfer or
tasking request, a disruption, a meeting action); packs and pages resolve each through the
access policy of the reader, so an item someone may not see is left out of what they get.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from concord.meetings.choices import ForumKind, ForumLevel, ItemKind, MeetingStatus, Outcome
from concord.organisations.models import Organisation


class Forum(models.Model):
    """A standing meeting: who runs it, who sits on it, how often, what it covers."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="forums", verbose_name=_("run by")
    )
    name = models.CharField(_("name"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=ForumLevel.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=ForumKind.choices)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("chair"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="forums", verbose_name=_("members")
    )
    member_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("member organisations")
    )
    cadence_days = models.PositiveSmallIntegerField(_("meets every (days)"), default=28)
    terms_of_reference = models.TextField(_("terms of reference"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["level", "organisation__code", "name"]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField(_("starts"))
    location = models.CharField(_("where"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    agenda_version = models.PositiveSmallIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("attended")
    )
    held_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return f"{self.forum} {self.starts_at:%Y-%m-%d}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=14, choices=ItemKind.choices)
    title = models.CharField(_("item"), max_length=300)
    note = models.TextField(_("note"), blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    # The register item the entry concerns (for marking and priority), as "ocg:12" or "pi:3".
    subject = models.CharField(max_length=40, blank=True)
    band_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    removed = models.BooleanField(default=False)
    added_by_chair = models.BooleanField(default=False)

    class Meta:
        ordering = ["meeting", "position", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class IssuedAgenda(models.Model):
    """A version of the agenda as issued: what it said, kept when the chair changes it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="issued")
    version = models.PositiveSmallIntegerField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    items = models.JSONField(default=list)

    class Meta:
        ordering = ["meeting", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="one_issue_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} agenda v{self.version}"


class Decision(models.Model):
    """What the meeting decided on an item, with its rationale; its effect was made through the
    same service the rest of Concord uses, with the meeting as the source."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(_("decision"), max_length=12, choices=Outcome.choices)
    rationale = models.TextField(_("rationale"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    effect = models.CharField(_("effect"), max_length=300, blank=True)

    class Meta:
        ordering = ["meeting", "item__position"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.item.title}"


class MeetingAction(models.Model):
    """An action the meeting set, shown on the forum's next agendas until done."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    description = models.TextField(_("action"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description[:80]
