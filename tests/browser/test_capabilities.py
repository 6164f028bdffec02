"""In a real browser (issue 13): Tarian's chair sees that the Dyfed-Powys OCG escalated for SIO
support needs six weeks of technical surveillance that Tarian lacks; the allocation proposes a
loan from the South West ROCU; the chair agrees it at the regional tasking meeting; the gap
closes, and the decision is in the audit trail."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from concord.capabilities import demand, services
from concord.capabilities.choices import DemandSource, FundingKind, GapStatus
from concord.capabilities.models import Gap
from concord.core.models import AuditEntry
from concord.meetings import services as meetings
from concord.meetings.choices import ForumKind, ForumLevel
from concord.meetings.models import Forum
from concord.ownership import transfers
from concord.threats import services as threats
from concord.threats.models import Ocg
from tests.browser.conftest import sign_in
from tests.capabilities.building import staffed_unit
from tests.factories import UserFactory, organisation, persona


def _south_west_lends() -> None:
    chief = UserFactory(
        username="sw.chief",
        organisation=organisation("SWROCU"),
        roles=["chief_officer"],
        vetting_level="SC",
    )
    stream = services.save_stream(
        actor=chief,
        organisation=organisation("SWROCU"),
        details=services.StreamDetails(
            code="core", name="Core", kind=FundingKind.CORE, starts=dt.date(2020, 4, 1)
        ),
    )
    staffed_unit(chief, organisation("SWROCU"), stream, 3, starts=dt.date(2024, 1, 1))


def test_tarian_chair_agrees_a_loan_that_closes_the_gap(page: Page, live_server):
    dp_sio, chair = persona("dp.sio"), persona("tarian.chair")
    _south_west_lends()
    ocg = threats.map_ocg(
        actor=dp_sio,
        details=threats.OcgDetails(
            name="Operation Cadno", criminality=["illegal-firearms"], force_areas=["DYP"]
        ),
    )
    Ocg.objects.filter(pk=ocg.pk).update(band="2B", band_rank=5)
    ocg.refresh_from_db()
    transfer = transfers.request_transfer(
        actor=dp_sio,
        item=ocg,
        kind="support",
        to_organisation=organisation("TARIAN"),
        reason="Firearms supply into Llanelli",
        asked="An SIO and technical surveillance",
    )
    demand.record_demand(
        actor=dp_sio,
        item=ocg,
        capability=services.capability("technical-surveillance"),
        amount="1",
        starts=timezone.localdate(),
        ends=timezone.localdate() + dt.timedelta(weeks=6),
        source=DemandSource.TRANSFER,
        transfer=transfer,
    )
    forum = Forum.objects.create(
        organisation=organisation("TARIAN"),
        name="Regional tasking and coordination group",
        level=ForumLevel.REGION,
        kind=ForumKind.TACTICAL,
        chair=chair,
    )
    forum.members.set([chair])
    meeting = meetings.schedule(actor=chair, forum=forum, starts_at=timezone.now())

    sign_in(page, "tarian.chair")
    page.goto("/capabilities/allocation/")
    page.get_by_role("button", name="Run the allocation").click()
    expect(page.get_by_text("The allocation has been run.").first).to_be_visible()
    flex = page.get_by_test_id("flex").get_by_role("row").filter(has_text=ocg.reference)
    expect(flex).to_contain_text("SWROCU")
    expect(flex).to_contain_text("Technical surveillance")

    page.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("button", name="Build the agenda from the register").click()
    item = (
        page.get_by_test_id("agenda-item")
        .filter(has_text=ocg.reference)
        .filter(has_text="Capability gap or flex request")
        .filter(has_text="Technical surveillance")
    )
    expect(item).to_have_count(1)
    expect(item).to_contain_text("proposes a loan of 1 from SWROCU")
    item.get_by_label("Decision").select_option(label="Agree the loan")
    item.get_by_label("Rationale").fill("The South West's team is free for the six weeks.")
    item.get_by_role("button", name=re.compile("Record the decision")).click()
    expect(page.get_by_role("alert")).to_contain_text("Loan agreed: 1 of Technical surveillance")
    expect(item.get_by_test_id("decision")).to_contain_text("Agree the loan")

    gap = Gap.objects.get(ocg=ocg, capability__code="technical-surveillance")
    assert (gap.status, gap.lender.code) == (GapStatus.LOAN, "SWROCU")
    page.goto("/capabilities/gaps/")
    expect(page.get_by_test_id("gaps")).not_to_contain_text(gap.reference)
    page.goto(f"/capabilities/gaps/{gap.pk}/")
    expect(page.get_by_test_id("gap-status")).to_have_text("Loan agreed")
    expect(page.get_by_test_id("decided")).to_contain_text("South West")
    # The next run serves the need with the agreed loan; the gap stays closed.
    page.goto("/capabilities/allocation/")
    page.get_by_role("button", name="Run the allocation").click()
    loans = page.get_by_test_id("loans").get_by_role("row").filter(has_text=ocg.reference)
    expect(loans).to_contain_text("SWROCU")
    assert not Gap.objects.filter(
        ocg=ocg, capability__code="technical-surveillance", status=GapStatus.OPEN
    ).exists()
    audited = AuditEntry.objects.get(
        object_type="capabilities.gap", object_id=str(gap.pk), action="update"
    )
    assert (audited.actor_username, audited.detail["gap"]) == ("tarian.chair", "loan agreed")
