"""In a real browser (issue 12): every demo persona signs in to a home page that says what waits
for them, and each entry opens the page where it is done, with the control to do it.

The waiting work is made through the real services: Dyfed-Powys asks Tarian for SIO support
(tarian.chair decides it), Tarian queries a Dyfed-Powys tasking request (dp.sio answers), an
overdue plan review (dp.lro), an overdue re-assessment (dp.analyst), a meeting action (tarian.sio),
a disruption to validate (gmp.sio), a vacancy (gmp.lro), a tasking request to the North West
ROCU (nwrocu.chair), intelligence shared with Wiltshire (wilts.analyst), C-coded intelligence
shared with the NCA (nca.tasking), an overdue Border Force action (bf.partner), an alert
(psd.auditor) and vetting to renew (admin). nwrocu.sio and mcc.partner have nothing waiting.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from concord.intelligence import services as intel
from concord.meetings import services as meetings
from concord.meetings.choices import ForumKind, ForumLevel
from concord.meetings.models import Forum
from concord.monitoring.models import Alert
from concord.organisations.seed import PERSONA_USERNAMES
from concord.ownership import services as ownership
from concord.ownership import tasking, transfers
from concord.plans import services as plans
from concord.plans.models import Action, Plan
from concord.threats.models import Ocg
from tests.access.registry import make_ocg
from tests.factories import UserFactory, organisation, persona

REASON = "Reading what was shared with us for the supply line"

# username: (the entry's heading, the control on the page it opens), or None for nothing waiting.
WAITING: dict[str, tuple[str, str] | None] = {
    "tarian.chair": ("Transfer requests to decide", "Record the decision"),
    "dp.sio": ("Queries on your tasking requests to answer", "Send the answer"),
    "dp.lro": ("4P plan reviews overdue", "Record the review"),
    "dp.analyst": ("OCG re-assessments overdue", "Save the assessment"),
    "tarian.sio": ("Meeting actions given to you", "Mark done"),
    "gmp.sio": ("Disruptions to validate", "Validate"),
    "gmp.lro": ("OCGs with a vacancy", "Appoint"),
    "nwrocu.chair": ("Tasking requests to decide", "Record the decision"),
    "wilts.analyst": ("New intelligence shared with you", "Send feedback"),
    "nca.tasking": ("Handling conditions to accept", "Accept the conditions and open the report"),
    "bf.partner": ("Actions due", "Update"),
    "psd.auditor": ("Alerts to review", "Record the review"),
    "admin": ("Vetting to renew", "Save"),
    "swrocu.triage": ("Referrals awaiting triage", "Record decision"),
    "nwrocu.sio": None,
    "mcc.partner": None,
    # Dyfed-Powys's own queue reaches its new LRO and its SOC lead too; no hit for the desk.
    "dp.newlro": ("Queries on your tasking requests to answer", "Send the answer"),
    "dp.soclead": ("Queries on your tasking requests to answer", "Send the answer"),
    "nca.watchdesk": None,
}


def test_every_persona_is_covered():
    assert set(WAITING) == set(PERSONA_USERNAMES)


def _soon(days: int = 5) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _world() -> dict[str, str]:
    """The waiting work, made through the services; returns the references the test follows."""
    for username in PERSONA_USERNAMES:
        persona(username)
    dp_sio, dp_lro, dp_analyst = persona("dp.sio"), persona("dp.lro"), persona("dp.analyst")
    chair, gmp_sio, gmp_lro = persona("tarian.chair"), persona("gmp.sio"), persona("gmp.lro")
    refs: dict[str, str] = {}

    escalated = make_ocg("DYP", "OFFICIAL", False)
    support = transfers.request_transfer(
        actor=dp_sio,
        item=escalated,
        kind="support",
        to_organisation=organisation("TARIAN"),
        reason="Firearms supply across three force areas",
        asked="An SIO and a surveillance team",
    )
    refs["transfer"] = f"/transfers/{support.pk}/"

    queried = tasking.request_tasking(
        actor=dp_sio,
        to_organisation=organisation("TARIAN"),
        capability="Covert surveillance",
        asked="Two weeks on the stash house",
        reason="Firearms supply into Carmarthen",
        respond_by=_soon(),
    )
    tasking.decide_tasking(actor=chair, tasking=queried, decision="query", reason="Which house?")

    reviewed = make_ocg("DYP", "OFFICIAL", False)
    ownership.appoint(actor=dp_sio, item=reviewed, role="lro", person=dp_lro)
    plans.add_objective(actor=dp_lro, item=reviewed, strand="pursue", text="Dismantle the line")
    Plan.objects.filter(ocg=reviewed).update(next_review_on=timezone.localdate() - dt.timedelta(3))

    rescore = make_ocg("DYP", "OFFICIAL", False)
    Ocg.objects.filter(pk=rescore.pk).update(
        review_due_on=timezone.localdate() - dt.timedelta(days=2)
    )

    forum = Forum.objects.create(
        organisation=organisation("TARIAN"),
        name="Regional tasking and coordination group",
        level=ForumLevel.REGION,
        kind=ForumKind.TACTICAL,
        chair=chair,
    )
    forum.members.set([chair, persona("tarian.sio")])
    meeting = meetings.schedule(
        actor=chair, forum=forum, starts_at=timezone.now() + dt.timedelta(days=30)
    )
    meetings.add_action(
        actor=chair,
        meeting=meeting,
        description="Brief the region's forces on the supply line",
        owner=persona("tarian.sio"),
        due_on=_soon(),
    )

    claimed = make_ocg("GMP", "OFFICIAL", False)
    ownership.appoint(actor=gmp_sio, item=claimed, role="sio", person=gmp_sio)
    ownership.appoint(actor=gmp_sio, item=claimed, role="lro", person=gmp_lro)
    plans.claim_disruption(
        actor=gmp_lro,
        item=claimed,
        strand="pursue",
        impact="major",
        occurred_on=timezone.localdate(),
        narrative="Warrants executed at three addresses",
        outcomes={"arrests": "3"},
    )

    vacant = make_ocg("GMP", "OFFICIAL", False)
    Ocg.objects.filter(pk=vacant.pk).update(
        mapped_on=timezone.localdate() - dt.timedelta(days=40),
        created_at=timezone.now() - dt.timedelta(days=40),
    )

    from concord.referrals import services as referrals

    referrals.send_referral(
        actor=persona("bf.partner"),
        row={
            "sender_reference": "BF-FP-0001",
            "found_on": timezone.localdate().isoformat(),
            "category": "imitation_firearm",
            "items": "Imitation pistol",
            "postcode": "EX4 3SR",
            "handling_code": "P",
        },
    )

    tasking.request_tasking(
        actor=gmp_sio,
        to_organisation=organisation("NWROCU"),
        capability="Financial investigation",
        asked="Trace the proceeds through two businesses",
        reason="Cash-intensive fronts in Oldham",
        respond_by=_soon(),
    )

    shared = intel.record_report(
        actor=dp_analyst,
        title="Runners travelling from Swindon on Fridays",
        text="Two runners travel from Swindon to Carmarthen most Fridays.",
        information_date=timezone.localdate(),
        grading=intel.Grading("2", "B", "P"),
    )
    intel.release(actor=dp_analyst, report=shared)
    intel.disseminate(actor=dp_analyst, report=shared, to=[organisation("WIL")], purpose="Supply")

    conditional = intel.record_report(
        actor=dp_analyst,
        title="Firearm offered for sale in Haverfordwest",
        text="A converted pistol is offered for sale by a Pembrokeshire group.",
        information_date=timezone.localdate(),
        grading=intel.Grading("1", "A", "C", "Not outside law enforcement; consult DYP first."),
    )
    intel.release(actor=dp_analyst, report=conditional)
    intel.approve_release(
        actor=UserFactory(organisation=organisation("DYP"), roles=["sro"]), report=conditional
    )
    intel.disseminate(
        actor=dp_analyst, report=conditional, to=[organisation("NCA")], purpose="National"
    )

    partnered = make_ocg("DYP", "OFFICIAL", False)
    objective = plans.add_objective(
        actor=dp_sio, item=partnered, strand="protect", text="Secure the port of Pembroke Dock"
    )
    action = plans.add_action(
        actor=dp_sio,
        objective=objective,
        description="Search freight from Rosslare for firearms",
        due_on=timezone.localdate(),
        owner_organisation=organisation("BF"),
    )
    Action.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - dt.timedelta(1))

    Alert.objects.create(
        kind="bulk_viewing",
        person=UserFactory(organisation=organisation("DYP"), roles=["analyst"]),
        organisation=organisation("DYP"),
        explanation="Viewed 400 records in an hour",
    )
    UserFactory(organisation=organisation("NCA"), roles=["analyst"], vetting_expires=_soon(10))
    return refs


def _open_entry(page: Page, heading: str) -> None:
    """Follow the entry's first row, giving a reason if the record asks one."""
    entry = page.get_by_test_id("attention-entry").filter(
        has=page.get_by_role("heading", name=heading)
    )
    expect(entry.get_by_test_id("attention-count")).to_contain_text("waiting")
    entry.get_by_test_id("attention-row").first.get_by_role("link").click()
    if "/access-reason/" in page.url:
        page.get_by_label("Why do you need to open this record?").fill(REASON)
        page.get_by_role("button", name="Open the record").click()


@pytest.mark.parametrize("username", list(WAITING))
def test_each_persona_sees_what_waits_and_opens_where_it_is_done(as_person, username):
    refs = _world()
    page = as_person(username)
    expect(page.get_by_role("heading", name="Needs your attention")).to_be_visible()
    waiting = WAITING[username]
    if waiting is None:
        expect(page.get_by_test_id("attention-empty")).to_have_text("Nothing is waiting for you.")
        expect(page.get_by_test_id("attention-entry")).to_have_count(0)
        return
    heading, control = waiting
    expect(page.get_by_test_id("attention-empty")).to_have_count(0)
    _open_entry(page, heading)
    if username == "tarian.chair":
        expect(page).to_have_url(f"{page.url.split('/transfers/')[0]}{refs['transfer']}")
    expect(page.get_by_role("button", name=control).first).to_be_visible()


def test_a_decision_taken_from_the_home_page_leaves_it(as_person):
    """tarian.chair decides the Dyfed-Powys escalation from the entry; back home, it is gone."""
    refs = _world()
    page = as_person("tarian.chair")
    _open_entry(page, "Transfer requests to decide")
    expect(page).to_have_url(f"{page.url.split('/transfers/')[0]}{refs['transfer']}")
    page.get_by_label("Decision").select_option(label="Accept")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("transfer-status")).to_have_text("Accepted: handover in progress")
    page.goto("/")
    expect(page.get_by_role("heading", name="Transfer requests to decide")).to_have_count(0)
