"""Forums, meetings, agendas (versioned when issued), decisions and meeting actions.

An agenda item points at what it is about by content type and id (an OCG, a PI, a transfer or
tasking request, a disruption, a meeting action); packs and pages resolve each through the
access policy of the reader, so an item someone may not see is left out of what they get.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from concord.core import text
from concord.core.queries import RestrictedQuerySet
from concord.core.restriction import Restricted
from concord.meetings import notes as agenda_notes
from concord.meetings.choices import ForumKind, ForumLevel, ItemKind, MeetingStatus, Outcome
from concord.organisations.models import Organisation
from concord.threats.models import Ocg, PriorityIndividual, RegisterItem, Vulnerability

if TYPE_CHECKING:
    from concord.core.policy import Viewer


def forum_parties(viewer: Viewer) -> Q:
    """Forums a person chairs or sits on, or whose organisation runs or belongs to them."""
    if viewer.user_id is None:
        return Q(pk__in=[])
    members = Forum.members.through.objects.filter(user_id=viewer.user_id).values("forum_id")
    organisations = Forum.member_organisations.through.objects.filter(
        organisation_id=viewer.organisation_id or 0
    ).values("forum_id")
    return (
        Q(chair_id=viewer.user_id)
        | Q(organisation_id=viewer.organisation_id)
        | Q(pk__in=members)
        | Q(pk__in=organisations)
    )


def forum_chair(viewer: Viewer) -> Q:
    """Rows of a meeting whose forum the person chairs."""
    return Q(meeting__forum__chair_id=viewer.user_id)


class AboutRegisterItem(models.Model):
    """A row that may concern one register item (an OCG, a PI or a vulnerability)."""

    ocg = models.ForeignKey(Ocg, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    priority_individual = models.ForeignKey(
        PriorityIndividual, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    vulnerability = models.ForeignKey(
        Vulnerability, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def register_item(self) -> RegisterItem | None:
        """The register item this row concerns, if any."""
        return self.ocg or self.priority_individual or self.vulnerability

    def concern(self, item: RegisterItem | None) -> None:
        """Point the row at a register item (or at none)."""
        self.ocg = item if isinstance(item, Ocg) else None
        self.priority_individual = item if isinstance(item, PriorityIndividual) else None
        self.vulnerability = item if isinstance(item, Vulnerability) else None


SUBJECT_PATHS = ("ocg", "priority_individual", "vulnerability")


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
    terms_of_reference = models.TextField(
        _("terms of reference"), max_length=text.SUMMARY, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    access = Restricted(parties=forum_parties, describes="forum")
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["level", "organisation__code", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The Welsh name when the page is in Welsh and one is recorded, else the English."""
        if self.name_cy and translation.get_language() == "cy":
            return self.name_cy
        return self.name


class Meeting(models.Model):
    """One sitting of a forum: its agenda (built, issued in versions), attendance, decisions."""

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
    # The lowest level the agenda takes items from (blank: the forum's own level).
    agenda_level = models.CharField(
        _("items from level"), max_length=10, choices=ForumLevel.choices, blank=True
    )

    access = Restricted(within=("forum",), unattached=True)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return f"{self.forum} {self.starts_at:%Y-%m-%d}"

    @property
    def level(self) -> str:
        """The lowest level the agenda takes items from: the chair's choice or the forum's."""
        return self.agenda_level or self.forum.level


class AgendaItem(AboutRegisterItem):
    """An entry on an agenda: what it is about (a target by content type and id) and the
    register item it concerns; seen only by those who may see both, in a meeting they see."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=14, choices=ItemKind.choices)
    title = models.CharField(_("item"), max_length=300)
    # Written by a person (the chair's note, a request's reason): shown as written.
    note = models.TextField(_("note"), max_length=text.ENTRY, blank=True)
    # Every reason the entry is on the agenda (ItemKind codes, in agenda order; `kind` is the
    # first), and what the register says about each, as codes and parameters rendered in the
    # reader's language (meetings/notes.py), never stored as text.
    reasons = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    band_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    removed = models.BooleanField(default=False)
    added_by_chair = models.BooleanField(default=False)

    # A meeting action on the agenda is seen through the register item it concerns (copied
    # onto the entry), so the target check leaves the meetings' own records out.
    access = Restricted(
        within=("meeting",),
        via=SUBJECT_PATHS,
        generic=("content_type", "object_id"),
        generic_models=(
            "threats.ocg",
            "threats.priorityindividual",
            "threats.vulnerability",
            "ownership.transferrequest",
            "ownership.taskingrequest",
            "ownership.appointment",
            "plans.plan",
            "plans.disruption",
            "capabilities.gap",
        ),
        generic_exclude=("meetings.meetingaction",),
        unattached=True,
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "position", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    @property
    def reason_labels(self) -> str:
        """Why the entry is on the agenda, in the reader's language ("New; re-assessment due")."""
        return agenda_notes.reasons(self.reasons or [self.kind])

    @property
    def note_texts(self) -> list[str]:
        """The generated notes, in the reader's language."""
        return agenda_notes.render(self.notes)

    @property
    def heading(self) -> str:
        """The entry's title, or (for a line such as "…and 3 more") its first note."""
        if self.title:
            return self.title
        texts = self.note_texts
        return texts[0] if texts else self.get_kind_display()


class IssuedAgenda(models.Model):
    """A version of the agenda as issued: what it said, kept when the chair changes it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="issued")
    version = models.PositiveSmallIntegerField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    items = models.JSONField(default=list)

    # The snapshot holds every entry's title, whoever may see it: the forum's chair's alone.
    access = Restricted(within=("meeting",), requires=forum_chair, unattached=True)
    objects = RestrictedQuerySet.as_manager()

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
    rationale = models.TextField(_("rationale"), max_length=text.SUMMARY)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    effect = models.CharField(_("effect"), max_length=300, blank=True)

    access = Restricted(via=("item",))
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "item__position"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.item.title}"


def owns_meeting_action(viewer: Viewer) -> Q | None:
    """The person an action was given to sees it (and may mark it done) without sitting on
    the forum, but only while they may see the register item it concerns."""
    from concord.core.restriction import target_of, visible_ids

    if viewer.user_id is None:
        return None
    rule = Q(owner_id=viewer.user_id)
    for path in SUBJECT_PATHS:
        target = target_of(MeetingAction, path)
        rule &= Q(**{f"{path}__isnull": True}) | Q(**{f"{path}__in": visible_ids(target, viewer)})
    return rule


class MeetingAction(AboutRegisterItem):
    """An action the meeting set, shown on the forum's next agendas until done; it concerns
    the register item of its agenda entry, if any. Those who see the meeting and the item see
    it; so does its owner, who may not sit on the forum (a force's LRO given an action by the
    regional group), while they may see the item."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    description = models.TextField(_("action"), max_length=2 * text.ENTRY)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(_("outcome"), max_length=2 * text.ENTRY, blank=True)

    access = Restricted(
        via=("meeting", *SUBJECT_PATHS), parties=owns_meeting_action, unattached=True
    )
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description[:80]

    def get_absolute_url(self) -> str:
        return reverse("meetings:action", args=[self.pk])
