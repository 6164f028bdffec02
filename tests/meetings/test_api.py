"""The meetings API (defect 12): forums, meetings, agendas, decisions, actions and minutes
readable, and decisions recordable, under /api/v1/, through the access policy and the same
services as the pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from concord.meetings import services
from concord.meetings.models import Decision
from concord.ownership import transfers
from tests.access.registry import make_ocg
from tests.factories import organisation
from tests.meetings.conftest import band
from tests.ownership.test_api import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(cast, meeting):
    """The Tarian meeting with an escalation, a SENSITIVE group (the chair's region cannot
    see it), an item the chair added and an action on the escalated group."""
    ocg = band(make_ocg("DYP", "OFFICIAL", False), "2A")
    transfer = transfers.request_transfer(
        actor=cast("dp.sio"),
        item=ocg,
        kind="support",
        to_organisation=organisation("TARIAN"),
        reason="Firearms supply across three force areas",
        asked="An SIO and surveillance",
    )
    chair = cast("tarian.chair")
    items = services.build_agenda(actor=chair, meeting=meeting)
    services.add_item(actor=chair, meeting=meeting, title="Any other business")
    entry = next(i for i in items if i.ocg_id == ocg.pk)
    action = services.add_action(
        actor=chair,
        meeting=meeting,
        description="Brief the Tarian SIO on the group",
        owner=cast("tarian.sio"),
        due_on=timezone.localdate() + dt.timedelta(days=7),
        item=entry,
    )
    return {"ocg": ocg, "transfer": transfer, "entry": entry, "action": action}


def _get(client, url, user):
    return client.get(url, **bearer(user))


def _post(client, url, user, payload):
    return client.post(url, json.dumps(payload), content_type="application/json", **bearer(user))


def test_a_member_reads_the_forum_meeting_agenda_actions_and_minutes(client, cast, meeting, built):
    sio = cast("tarian.sio")
    forums = _get(client, "/api/v1/forums", sio).json()
    assert [f["id"] for f in forums["items"]] == [meeting.forum_id]
    assert forums["items"][0]["level"] == "region"
    assert _get(client, f"/api/v1/forums/{meeting.forum_id}", sio).status_code == 200
    listed = _get(client, f"/api/v1/forums/{meeting.forum_id}/meetings", sio).json()
    assert [m["id"] for m in listed["items"]] == [meeting.pk]
    got = _get(client, f"/api/v1/meetings/{meeting.pk}", sio).json()
    assert got["location"] == "Bridgend"
    assert got["level"] == "region"
    agenda = _get(client, f"/api/v1/meetings/{meeting.pk}/agenda", sio).json()["items"]
    entry = next(i for i in agenda if i["id"] == built["entry"].pk)
    assert entry["item"] == built["ocg"].reference
    assert entry["reasons"][0] == "transfer"
    assert {
        "code": "transfer",
        "params": {"kind": "support", "from": "DYP", "to": "TARIAN"},
        "text": "Escalation for SIO support asked by DYP of TARIAN.",
    } in entry["notes"]
    assert any(i["title"] == "Any other business" for i in agenda)
    # The issued versions hold every entry: the chair's alone.
    services.issue_agenda(actor=cast("tarian.chair"), meeting=meeting)
    assert _get(client, f"/api/v1/meetings/{meeting.pk}/agenda/issued", sio).json()["count"] == 0
    issued = _get(client, f"/api/v1/meetings/{meeting.pk}/agenda/issued", cast("tarian.chair"))
    assert issued.json()["items"][0]["version"] == 1
    actions = _get(client, "/api/v1/meeting-actions?mine=true", sio).json()["items"]
    assert [a["id"] for a in actions] == [built["action"].pk]
    one = _get(client, f"/api/v1/meeting-actions/{built['action'].pk}", sio)
    assert one.status_code == 200
    assert one.json()["item"] == built["ocg"].reference
    minutes = _get(client, f"/api/v1/meetings/{meeting.pk}/minutes", sio).json()
    assert minutes["decisions"] == []
    assert [a["description"] for a in minutes["actions"]] == ["Brief the Tarian SIO on the group"]


def test_the_chair_records_a_decision_through_the_meetings_service(client, cast, meeting, built):
    chair = cast("tarian.chair")
    url = f"/api/v1/meetings/{meeting.pk}/agenda/{built['entry'].pk}/decision"
    short = _post(client, url, chair, {"outcome": "accept", "rationale": "ok"})
    assert short.status_code == 422
    assert "rationale" in short.json()["errors"]
    long = _post(client, url, chair, {"outcome": "accept", "rationale": "y" * 4001})
    assert long.status_code == 422
    assert "rationale" in long.json()["errors"]
    wrong = _post(client, url, chair, {"outcome": "maybe", "rationale": "Regional threat, ours"})
    assert wrong.status_code == 422
    assert "outcome" in wrong.json()["errors"]
    assert not Decision.objects.exists()
    # A member who is not the chair may not decide: 404, nothing changed.
    refused = _post(client, url, cast("tarian.sio"), {"outcome": "accept", "rationale": "x" * 12})
    assert refused.status_code == 404
    assert not Decision.objects.exists()
    made = _post(client, url, chair, {"outcome": "accept", "rationale": "Regional threat, ours"})
    assert made.status_code == 201, made.content
    assert made.json()["outcome"] == "accept"
    built["transfer"].refresh_from_db()
    assert built["transfer"].status == "accepted"
    again = _post(client, url, chair, {"outcome": "decline", "rationale": "Changed our mind"})
    assert again.status_code == 422
    decisions = _get(client, f"/api/v1/meetings/{meeting.pk}/decisions", chair).json()
    assert [d["item"] for d in decisions["items"]] == [built["entry"].pk]
    minutes = _get(client, f"/api/v1/meetings/{meeting.pk}/minutes", chair).json()
    assert minutes["decisions"][0]["rationale"] == "Regional threat, ours"


def test_what_a_reader_may_not_see_is_absent_and_404_by_id(client, cast, meeting, built):
    chair = cast("tarian.chair")
    services.decide(
        actor=chair, item=built["entry"], outcome="accept", rationale="Regional threat, ours"
    )
    partner = cast("bf.partner")  # Border Force sits on the forum, but may not see the group
    agenda = _get(client, f"/api/v1/meetings/{meeting.pk}/agenda", partner).json()["items"]
    assert [i["title"] for i in agenda] == ["Any other business"]
    assert _get(client, f"/api/v1/meetings/{meeting.pk}/decisions", partner).json()["count"] == 0
    assert _get(client, "/api/v1/meeting-actions", partner).json()["count"] == 0
    action = built["action"].pk
    assert _get(client, f"/api/v1/meeting-actions/{action}", partner).status_code == 404
    minutes = _get(client, f"/api/v1/meetings/{meeting.pk}/minutes", partner).json()
    assert minutes["decisions"] == []
    assert minutes["actions"] == []
    decide = f"/api/v1/meetings/{meeting.pk}/agenda/{built['entry'].pk}/decision"
    assert (
        _post(client, decide, partner, {"outcome": "decline", "rationale": "x" * 12}).status_code
        == 404
    )
    stranger = cast("gmp.lro")  # not on the forum at all
    for url in (
        f"/api/v1/forums/{meeting.forum_id}",
        f"/api/v1/forums/{meeting.forum_id}/meetings",
        f"/api/v1/meetings/{meeting.pk}",
        f"/api/v1/meetings/{meeting.pk}/agenda",
        f"/api/v1/meetings/{meeting.pk}/minutes",
    ):
        assert _get(client, url, stranger).status_code == 404, url
    assert _get(client, "/api/v1/forums", stranger).json()["count"] == 0
