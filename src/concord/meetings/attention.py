"""What waits for a person in meetings: the open actions meetings gave them, and meetings of
forums they chair coming up with the agenda not yet issued (web/attention.py shows them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from concord.meetings.choices import MeetingStatus
from concord.meetings.models import Forum, Meeting, MeetingAction
from concord.web import attention
from concord.web.attention import Entry, Row

# A meeting within this many days needs its agenda issued.
AGENDA_DAYS = 14


def forum_name(forum: Forum) -> str:
    """The forum's name in the reader's language."""
    return forum.name_cy if forum.name_cy and get_language() == "cy" else forum.name


def meeting_actions(user: Any) -> QuerySet[MeetingAction]:
    """Open actions a meeting gave the person, of those they may see."""
    return (
        MeetingAction.objects.visible_to(user)
        .filter(owner=user, done_at__isnull=True)
        .select_related("meeting__forum")
        .order_by("due_on", "id")
    )


def _action_row(action: MeetingAction) -> Row:
    return Row(
        reference=forum_name(action.meeting.forum),
        title=action.description[:120],
        url=action.get_absolute_url(),
        due=action.due_on,
    )


def agendas_to_issue(user: Any) -> QuerySet[Meeting]:
    """Meetings of forums the person chairs, from today to `AGENDA_DAYS` ahead, whose agenda
    is still in preparation."""
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        Meeting.objects.visible_to(user)
        .filter(
            forum__chair=user,
            status=MeetingStatus.DRAFT,
            starts_at__gte=today,
            starts_at__lt=today + dt.timedelta(days=AGENDA_DAYS + 1),
        )
        .select_related("forum")
        .order_by("starts_at", "id")
    )


def _meeting_row(meeting: Meeting) -> Row:
    starts = timezone.localtime(meeting.starts_at)
    return Row(
        reference=forum_name(meeting.forum),
        title=_("Meeting on %(date)s") % {"date": date_format(starts, "j F Y, H:i")},
        url=reverse("meetings:meeting", args=[meeting.pk]),
        due=starts.date(),
    )


@attention.provider("meetings")
def waiting(user: Any) -> list[Entry]:
    """Meeting actions to do and agendas to issue."""
    return [
        *attention.entry(
            "meetings.agendas_to_issue",
            _("Agendas to issue"),
            agendas_to_issue(user),
            _meeting_row,
            order=24,
            see_all=reverse("meetings:forums"),
            see_all_label=_("Meetings"),
            hint=_("Meetings you chair in the next 14 days whose agenda is not issued."),
        ),
        *attention.entry(
            "meetings.actions",
            _("Meeting actions given to you"),
            meeting_actions(user),
            _action_row,
            order=46,
        ),
    ]
