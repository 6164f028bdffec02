"""In a real browser (issue 6): tarian.chair runs a regional tasking meeting. The agenda,
built from the register, holds Dyfed-Powys's escalation request; the chair accepts it in the
meeting; once the handover is confirmed the register shows Tarian's SIO; the minutes record
the decision; a partner's pack leaves the group out."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from concord.meetings import services as meetings
from concord.meetings.choices import ForumKind, ForumLevel
from concord.meetings.models import Forum
from concord.ownership import transfers
from concord.threats import services as threats
from tests.browser.conftest import sign_in
from tests.browser.pickers import pick
from tests.factories import organisation, persona

TOPICS = ["intelligence", "risks", "safeguarding", "actions"]


def test_tarian_chair_accepts_the_escalation_in_the_meeting(page: Page, browser, live_server):
    dp_sio, chair, tarian_sio = persona("dp.sio"), persona("tarian.chair"), persona("tarian.sio")
    partner = persona("bf.partner")
    ocg = threats.map_ocg(
        actor=dp_sio,
        details=threats.OcgDetails(
            name="Operation Gwenllian", criminality=["illegal-firearms"], force_areas=["DYP"]
        ),
    )
    transfer = transfers.request_transfer(
        actor=dp_sio,
        item=ocg,
        kind="support",
        to_organisation=organisation("TARIAN"),
        reason="Firearms supply across three force areas",
        asked="An SIO and surveillance",
    )
    forum = Forum.objects.create(
        organisation=organisation("TARIAN"),
        name="Regional tasking and coordination group",
        level=ForumLevel.REGION,
        kind=ForumKind.TACTICAL,
        chair=chair,
    )
    forum.members.set([chair, tarian_sio, partner])
    meeting = meetings.schedule(
        actor=chair,
        forum=forum,
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
        location="Bridgend",
    )

    sign_in(page, "tarian.chair")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/meetings/")
    page.get_by_role("link", name="Regional tasking and coordination group").click()
    page.get_by_role("link", name=re.compile(r"\d{4}")).first.click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/$"))
    page.get_by_role("button", name="Build the agenda from the register").click()
    expect(page.get_by_role("alert")).to_contain_text("The agenda was built from the register")
    item = (
        page.get_by_test_id("agenda-item")
        .filter(has_text=ocg.reference)
        .filter(has_text="Escalation for SIO support")
    )
    expect(item).to_have_count(1)
    page.get_by_role("button", name="Issue the agenda").click()
    expect(page.get_by_role("alert")).to_contain_text("Version 1 of the agenda was issued.")
    item.get_by_label("Decision").select_option(label="Accept")
    item.get_by_label("Rationale").fill("Regional firearms threat; a Tarian SIO will lead")
    item.get_by_role("button", name=re.compile("Record the decision")).click()
    expect(page.get_by_role("alert")).to_contain_text("Decided:")
    expect(item.get_by_test_id("decision")).to_contain_text("Accept")
    transfer.refresh_from_db()
    assert transfer.status == "accepted"

    # The handover is written and confirmed; the chair completes with Tarian's SIO.
    for topic in TOPICS:
        transfers.write_handover(actor=dp_sio, transfer=transfer, topic=topic, text="See file")
        transfers.confirm_handover(actor=chair, transfer=transfer, topic=topic)
    page.goto(f"/transfers/{transfer.pk}/")
    pick(page, "SIO", "tarian.sio")
    page.get_by_role("button", name="Complete the transfer").click()
    expect(page.get_by_role("alert")).to_contain_text("The transfer is complete.")
    page.goto(f"/ocgs/{ocg.reference}/")
    expect(page.get_by_test_id("post-sio")).to_contain_text("TARIAN")

    page.goto(f"/meetings/{meeting.pk}/minutes/")
    expect(page.get_by_test_id("minutes-decisions")).to_contain_text(
        "Regional firearms threat; a Tarian SIO will lead"
    )

    # The Border Force member's pack leaves the group out.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    other = context.new_page()
    sign_in(other, "bf.partner")
    expect(other.get_by_role("button", name="Sign out")).to_be_visible()
    other.goto(f"/meetings/{meeting.pk}/pack/")
    expect(other.get_by_test_id("pack-items")).not_to_contain_text(ocg.reference)
    context.close()
