"""The meeting pack (build 4): per item its summary, band and trend, SIO and LRO, the 4P plan's
status by strand and its open actions; grouped by why each item is there, each item once;
built for the reader through the access policy, in queries that do not grow with the agenda."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.meetings import services
from concord.ownership.models import Appointment
from concord.plans.models import Action, Objective, Plan
from concord.threats.models import Ocg
from tests.access.registry import make_ocg
from tests.factories import organisation
from tests.meetings.conftest import band

pytestmark = pytest.mark.django_db


def _group(cast, n: int = 0):
    """A banded Dyfed-Powys group with a history of scores, posts, and a 4P plan."""
    ocg = band(make_ocg("DYP", "OFFICIAL", False), "2A", "55", history=("31", "42"))
    Ocg.objects.filter(pk=ocg.pk).update(
        summary=f"Cocaine supply from Llanelli into Swansea, group {n}",
        review_due_on=timezone.localdate() - dt.timedelta(days=3),
    )
    today = timezone.localdate()
    for role, who in (("sio", "dp.sio"), ("lro", "dp.lro")):
        Appointment.objects.create(
            ocg=ocg,
            role=role,
            person=cast(who),
            organisation=organisation("DYP"),
            started_on=today,
            appointed_by=cast("dp.sio"),
        )
    plan = Plan.objects.create(ocg=ocg, aim="Dismantle the group", next_review_on=today)
    pursue = Objective.objects.create(plan=plan, strand="pursue", text="Arrest the principals")
    protect = Objective.objects.create(plan=plan, strand="protect", text="Safeguard runners")
    Action.objects.create(
        objective=pursue,
        description=f"Warrant at the lock-up, group {n}",
        owner_person=cast("dp.sio"),
        due_on=today - dt.timedelta(days=2),
    )
    Action.objects.create(
        objective=pursue,
        description="Financial investigation",
        owner_person=cast("dp.sio"),
        due_on=today + dt.timedelta(days=20),
        status="done",
    )
    Action.objects.create(
        objective=protect,
        description="Referral to children's services",
        owner_organisation=organisation("DYP"),
        due_on=today + dt.timedelta(days=5),
    )
    return ocg


def test_the_pack_gives_each_item_what_a_chair_runs_the_meeting_from(client, cast, meeting):
    ocg = _group(cast)
    services.build_agenda(actor=cast("tarian.chair"), meeting=meeting)
    client.force_login(cast("tarian.chair"))
    page = client.get(f"/meetings/{meeting.pk}/pack/").content.decode()
    assert page.count(ocg.reference + " ") == 1  # new and overdue: one entry, not two
    assert "New on the register; re-assessment overdue" in page
    assert "Cocaine supply from Llanelli into Swansea" in page
    assert "2A" in page
    assert "risk score 55" in page
    assert "31 (2A)" in page
    assert "42 (2A)" in page
    assert "55 (2A)" in page
    assert "rising" in page
    sio, lro = cast("dp.sio"), cast("dp.lro")
    assert f"{sio.get_full_name()} (DYP)" in page
    assert f"{lro.get_full_name()} (DYP)" in page
    assert "4P plan by strand" in page
    # Pursue: 1 objective, 1 open, 1 done, 1 overdue; Protect: 1, 1, 0, 0.
    assert 'Pursue</th><td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in page
    assert "Warrant at the lock-up, group 0" in page
    assert "(overdue)" in page
    assert "Referral to children" in page
    assert "Financial investigation" not in page  # done: not an open action
    assert 'data-testid="pack-section"' in page


def test_the_pack_reads_in_the_same_queries_for_two_items_or_eight(client, cast, meeting):
    chair = cast("tarian.chair")
    for n in range(2):
        _group(cast, n)
    services.build_agenda(actor=chair, meeting=meeting)
    client.force_login(chair)
    client.get(f"/meetings/{meeting.pk}/pack/")
    with CaptureQueriesContext(connection) as two:
        client.get(f"/meetings/{meeting.pk}/pack/")
    for n in range(2, 8):
        _group(cast, n)
    services.build_agenda(actor=chair, meeting=meeting)
    with CaptureQueriesContext(connection) as eight:
        page = client.get(f"/meetings/{meeting.pk}/pack/").content.decode()
    assert page.count("Warrant at the lock-up") == 8
    assert len(eight) == len(two)
    with CaptureQueriesContext(connection) as agenda_page:
        client.get(f"/meetings/{meeting.pk}/")
    assert len(agenda_page) <= 40


def test_a_partners_pack_holds_no_facts_of_items_it_may_not_see(client, cast, meeting):
    ocg = _group(cast)
    chair = cast("tarian.chair")
    services.build_agenda(actor=chair, meeting=meeting)
    services.add_item(actor=chair, meeting=meeting, title="County lines week of action")
    client.force_login(cast("bf.partner"))
    page = client.get(f"/meetings/{meeting.pk}/pack/").content.decode()
    assert "County lines week of action" in page
    assert ocg.reference not in page
    assert "Cocaine supply" not in page
    assert "Warrant at the lock-up" not in page
