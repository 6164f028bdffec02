"""Meeting actions (defect 3): an action given to someone outside the forum (the force's LRO,
given an action by the regional group) is theirs to see and do: the notification opens it, it
is in their *My actions*, and they mark it done, without seeing the rest of the meeting. It can
be given only to someone who may see the item it concerns, and only they are offered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.meetings import services
from concord.meetings.models import MeetingAction
from concord.organisations.models import Notification
from concord.ownership.models import Appointment
from tests.access.registry import make_ocg
from tests.factories import organisation
from tests.meetings.conftest import band

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(cast, meeting):
    """An agenda entry about a Dyfed-Powys group whose LRO is dp.lro (not on Tarian's forum)."""
    ocg = band(make_ocg("DYP", "OFFICIAL", False), "2A")
    Appointment.objects.create(
        ocg=ocg,
        role="lro",
        person=cast("dp.lro"),
        organisation=organisation("DYP"),
        started_on=timezone.localdate(),
        appointed_by=cast("dp.sio"),
    )
    items = services.build_agenda(actor=cast("tarian.chair"), meeting=meeting)
    return next(i for i in items if i.ocg_id == ocg.pk)


def _due() -> str:
    return (timezone.localdate() + dt.timedelta(days=10)).isoformat()


def test_an_action_for_the_items_lro_outside_the_forum_opens_and_is_in_my_actions(
    client, cast, meeting, item
):
    chair, lro = cast("tarian.chair"), cast("dp.lro")
    assert lro not in meeting.forum.members.all()
    client.force_login(chair)
    form = client.get(f"/meetings/{meeting.pk}/items/{item.pk}/action/").content.decode()
    assert f'value="{lro.pk}"' in form  # the item's LRO is offered
    response = client.post(
        f"/meetings/{meeting.pk}/items/{item.pk}/action/",
        {
            "description": "Refresh the 4P plan before the next meeting",
            "owner": lro.pk,
            "due_on": _due(),
        },
    )
    assert response.status_code == 302
    action = MeetingAction.objects.get(description__startswith="Refresh the 4P plan")
    assert action.ocg_id == item.ocg_id
    notice = Notification.objects.get(person=lro)
    assert notice.link == f"/meetings/actions/{action.pk}/"

    client.force_login(lro)
    opened = client.get(notice.link)
    assert opened.status_code == 200
    assert "Refresh the 4P plan" in opened.content.decode()
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404  # the meeting stays closed
    mine = client.get("/actions/").content.decode()
    assert "Refresh the 4P plan" in mine
    assert notice.link in mine
    client.post(notice.link, {"outcome": "Plan refreshed and reviewed"})
    action.refresh_from_db()
    assert action.done_at is not None
    assert action.outcome == "Plan refreshed and reviewed"
    assert "Refresh the 4P plan" not in client.get("/actions/").content.decode()


def test_an_action_cannot_go_to_someone_who_may_not_see_the_item(client, cast, meeting, item):
    chair, outsider = cast("tarian.chair"), cast("gmp.lro")
    meeting.forum.members.add(outsider)  # on the forum, but GMP may not see a DYP group
    assert outsider not in services.action_owners(meeting, item)
    assert outsider in services.action_owners(meeting)  # a general action is fine
    with pytest.raises(ValidationError) as refused:
        services.add_action(
            actor=chair,
            meeting=meeting,
            description="Look into the group",
            owner=outsider,
            due_on=timezone.localdate() + dt.timedelta(days=3),
            item=item,
        )
    assert "owner" in refused.value.message_dict
    client.force_login(chair)
    page = client.post(
        f"/meetings/{meeting.pk}/items/{item.pk}/action/",
        {"description": "Look into the group", "owner": outsider.pk, "due_on": _due()},
    )
    assert page.status_code == 200
    assert "Choose who the action is for from the list." in page.content.decode()
    assert not MeetingAction.objects.exists()
    assert not Notification.objects.filter(person=outsider).exists()


def test_the_owner_loses_sight_of_the_action_with_the_item(cast, meeting, item):
    from concord.core import policy
    from concord.threats.models import Ocg

    lro = cast("dp.lro")
    action = services.add_action(
        actor=cast("tarian.chair"),
        meeting=meeting,
        description="Brief the surveillance team",
        owner=lro,
        due_on=timezone.localdate() + dt.timedelta(days=3),
        item=item,
    )
    assert policy.visible(lro, action)
    Ocg.objects.filter(pk=item.ocg_id).update(classification="SECRET")  # dp.lro is NPPV3
    policy.forget(lro)
    assert not MeetingAction.objects.visible_to(lro).filter(pk=action.pk).exists()


def test_bad_action_input_names_the_field_and_changes_nothing(cast, meeting, item):
    chair = cast("tarian.chair")
    cases = [
        ({"description": "x"}, "description"),
        ({"description": "y" * 2001}, "description"),
        ({"due_on": timezone.localdate() - dt.timedelta(days=1)}, "due_on"),
    ]
    for change, field in cases:
        arguments = {
            "actor": chair,
            "meeting": meeting,
            "description": "A good action to take",
            "owner": cast("tarian.sio"),
            "due_on": timezone.localdate(),
            **change,
        }
        with pytest.raises(ValidationError) as refused:
            services.add_action(**arguments)
        assert field in refused.value.message_dict
    assert not MeetingAction.objects.exists()


def test_my_actions_lists_meeting_actions_in_few_queries(client, cast, meeting, item):
    lro = cast("dp.lro")

    def give(n: int) -> None:
        for k in range(n):
            services.add_action(
                actor=cast("tarian.chair"),
                meeting=meeting,
                description=f"Follow-up number {k} on the group",
                owner=lro,
                due_on=timezone.localdate() + dt.timedelta(days=k),
                item=item,
            )

    client.force_login(lro)
    give(1)
    client.get("/actions/")
    with CaptureQueriesContext(connection) as one:
        client.get("/actions/")
    give(6)
    with CaptureQueriesContext(connection) as seven:
        page = client.get("/actions/").content.decode()
    assert page.count("Follow-up number") == 7
    assert len(seven) == len(one)
