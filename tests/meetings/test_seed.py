"""The demo's meeting (README's "Try it"): Tarian's regional group meets today, so its chair
builds the agenda from the seeded register, issues it, decides an item and records it held."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from concord.meetings import services
from concord.meetings.models import Forum
from concord.organisations.models import User

pytestmark = pytest.mark.django_db


def test_the_tarian_chair_runs_the_seeded_meeting_from_agenda_to_minutes(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    chair = User.objects.get(username="tarian.chair")
    forum = Forum.objects.get(organisation__code="TARIAN")
    assert forum.chair == chair
    assert forum.name_cy
    meeting = forum.meetings.get()
    assert timezone.localtime(meeting.starts_at).date() == timezone.localdate()
    items = services.build_agenda(actor=chair, meeting=meeting)
    assert items
    assert len({(i.ocg_id, i.object_id) for i in items if i.ocg_id}) == len(
        [i for i in items if i.ocg_id]
    )
    services.issue_agenda(actor=chair, meeting=meeting)
    services.decide(
        actor=chair, item=items[0], outcome="no_action", rationale="Noted by the regional group"
    )
    services.mark_held(actor=chair, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == "held"
