"""Agendas (defect 13): one entry per register item with every reason it is there, a filter
by level (the forum's by default, wider at the chair's choice), and notes that say something."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from concord.meetings import services
from concord.meetings.models import AgendaItem
from concord.threats.models import Ocg
from tests.access.registry import make_ocg
from tests.factories import organisation
from tests.meetings.conftest import band

pytestmark = pytest.mark.django_db


def _overdue(ocg: Ocg, days: int = 12) -> Ocg:
    Ocg.objects.filter(pk=ocg.pk).update(review_due_on=timezone.localdate() - dt.timedelta(days))
    ocg.refresh_from_db()
    return ocg


def test_an_item_new_and_overdue_is_one_entry_with_both_reasons(cast, meeting):
    ocg = _overdue(band(make_ocg("DYP", "OFFICIAL", False), "2A"))
    items = services.build_agenda(actor=cast("tarian.chair"), meeting=meeting)
    about = [i for i in items if i.ocg_id == ocg.pk]
    assert len(about) == 1
    entry = about[0]
    assert entry.reasons == ["new", "reassessment"]
    assert entry.kind == "new"
    assert entry.reason_labels == "New on the register; re-assessment overdue"
    texts = " ".join(entry.note_texts)
    assert "Mapped by DYP on" in texts
    assert "band 2A" in texts
    assert "Re-assessment was due on" in texts
    assert "12 days ago" in texts
    assert "Owned by DYP." not in texts


def test_a_national_agenda_takes_national_and_band_one_items_not_force_band_three(
    cast, national_meeting
):
    top = band(make_ocg("DYP", "OFFICIAL", False), "1B", "80")
    local = band(make_ocg("DYP", "OFFICIAL", False), "3C", "8")
    national = band(make_ocg("DYP", "OFFICIAL", False), "3A", "12")
    Ocg.objects.filter(pk=national.pk).update(owner=organisation("NCA"))  # adopted by the NCA
    chair = cast("nca.tasking")
    assert national_meeting.level == "national"
    shown = {i.ocg_id for i in services.build_agenda(actor=chair, meeting=national_meeting)}
    assert top.pk in shown
    assert national.pk in shown
    assert local.pk not in shown
    # The chair widens it to force level: the force's band 3 group comes in.
    services.set_agenda_level(actor=chair, meeting=national_meeting, level="force")
    shown = {i.ocg_id for i in services.build_agenda(actor=chair, meeting=national_meeting)}
    assert {top.pk, national.pk, local.pk} <= shown


def test_a_regional_agenda_takes_regional_bands_and_the_chair_may_not_narrow_above_it(
    cast, meeting
):
    regional = band(make_ocg("DYP", "OFFICIAL", False), "2C")
    local = band(make_ocg("DYP", "OFFICIAL", False), "3B")
    chair = cast("tarian.chair")
    shown = {i.ocg_id for i in services.build_agenda(actor=chair, meeting=meeting)}
    assert regional.pk in shown
    assert local.pk not in shown
    with pytest.raises(ValidationError) as refused:
        services.set_agenda_level(actor=chair, meeting=meeting, level="national")
    assert "level" in refused.value.message_dict
    with pytest.raises(ValidationError) as bad:
        services.set_agenda_level(actor=chair, meeting=meeting, level="planet")
    assert "level" in bad.value.message_dict
    meeting.refresh_from_db()
    assert meeting.agenda_level == ""


def test_the_chair_sets_the_level_on_the_page(client, cast, meeting):
    local = band(make_ocg("DYP", "OFFICIAL", False), "3B")
    client.force_login(cast("tarian.chair"))
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'name="level"' in page
    client.post(f"/meetings/{meeting.pk}/", {"step": "level", "level": "force"})
    client.post(f"/meetings/{meeting.pk}/", {"step": "build"})
    assert AgendaItem.objects.filter(meeting=meeting, ocg=local).exists()


def test_a_transfer_and_the_items_other_reasons_are_one_entry_deciding_the_transfer(cast, meeting):
    from concord.ownership import transfers

    ocg = _overdue(band(make_ocg("DYP", "OFFICIAL", False), "2B"))
    transfer = transfers.request_transfer(
        actor=cast("dp.sio"),
        item=ocg,
        kind="support",
        to_organisation=organisation("TARIAN"),
        reason="Firearms supply across three force areas",
        asked="An SIO and surveillance",
    )
    chair = cast("tarian.chair")
    items = [i for i in services.build_agenda(actor=chair, meeting=meeting) if i.ocg_id == ocg.pk]
    assert len(items) == 1
    assert items[0].reasons == ["transfer", "new", "reassessment"]
    assert items[0].object_id == transfer.pk
    assert "Escalation for SIO support asked by DYP of TARIAN." in items[0].note_texts
    services.decide(actor=chair, item=items[0], outcome="accept", rationale="Regional threat, ours")
    transfer.refresh_from_db()
    assert transfer.status == "accepted"
