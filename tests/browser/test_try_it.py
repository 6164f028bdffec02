"""The README's "Try it" walk, step by step, in a real browser over the demo world as `make demo`
loads it: each step by the labels the README names, each outcome checked."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from concord.ownership.models import TransferRequest
from concord.threats.models import Ocg


def pick(page: Page, label: str, typed: str, choice: str) -> None:
    """Type into the picker labelled `label` and click the offered choice reading `choice`."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.fill(typed)
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    option = listbox.get_by_role("option", name=re.compile(re.escape(choice))).first
    expect(option).to_be_visible()
    # Only the choices matching what was typed are offered, once the look-up has answered.
    expect(listbox.get_by_role("option")).to_have_count(1)
    option.click()
    expect(box).to_have_value(re.compile(re.escape(choice)))
    # A look-up still on its way may open the list again over the form: let it land, close it.
    page.wait_for_timeout(500)
    if box.get_attribute("aria-expanded") == "true":
        box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value(re.compile(re.escape(choice)))


HANDOVER = ["Intelligence", "Risks", "Safeguarding", "Outstanding actions"]


@pytest.fixture(autouse=True)
def demo_world(settings) -> None:
    """The demo world, seeded as `make demo` seeds it (the same command and scale)."""
    settings.DEMO_MODE = True
    call_command(
        "seed_demo", "--scale", "demo", "--if-empty", "--no-progress", stdout=io.StringIO()
    )


def open_request(page: Page, reference: str) -> None:
    page.get_by_role("link", name="Transfers", exact=True).click()
    page.get_by_test_id("transfers").get_by_role("link", name=reference).click()


def decide(page: Page, reference: str) -> None:
    open_request(page, reference)
    page.get_by_label("Decision").select_option(label="Accept")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("transfer-status")).to_have_text("Accepted: handover in progress")


def write_handover(page: Page, reference: str) -> None:
    open_request(page, reference)
    for part in HANDOVER:
        page.get_by_label("Part of the handover").select_option(label=part)
        page.get_by_label("Handover note").fill(f"{part}: see the case file, section 4")
        page.get_by_role("button", name="Save the handover note").click()
        expect(page.get_by_role("alert")).to_contain_text("The handover note was saved.")


def confirm_and_complete(page: Page, reference: str, **posts: str) -> None:
    open_request(page, reference)
    for part in HANDOVER:
        page.get_by_role("button", name=f"Confirm {part}").click()
        expect(page.get_by_role("alert")).to_contain_text("Confirmed.")
    for post, name in posts.items():
        pick(page, post.upper(), name, name)
    page.get_by_role("button", name="Complete the transfer").click()
    expect(page.get_by_role("alert")).to_contain_text("The transfer is complete.")
    expect(page.get_by_test_id("transfer-status")).to_have_text("Completed")


def test_1_dyfed_powys_asks_tarian_for_sio_support(as_person):
    dp_sio = as_person("dp.sio")
    dp_sio.get_by_role("link", name="OCGs", exact=True).click()
    dp_sio.get_by_role("link", name="OCG-DYP-000001").first.click()
    expect(dp_sio.get_by_role("heading", level=1)).to_contain_text("Operation Tarmac")
    dp_sio.get_by_role("link", name="Ownership history, appointments and transfers").click()
    dp_sio.get_by_role("link", name="Request a transfer or support").click()
    dp_sio.get_by_label("What is asked for").select_option(label="Escalation for SIO support")
    pick(dp_sio, "To", "Tarian", "Tarian Regional Organised Crime Unit")
    dp_sio.get_by_label("Reason").fill("A county line from Swindon: band 1, beyond the force")
    dp_sio.get_by_label("What exactly is asked").fill("A Tarian SIO to lead the investigation")
    dp_sio.get_by_role("button", name="Send the request").click()
    expect(dp_sio.get_by_test_id("transfer-status")).to_have_text("Requested")
    expect(dp_sio.locator("main")).to_contain_text("Tarian Regional Organised Crime Unit")

    chair = as_person("tarian.chair")
    decide(chair, "OCG-DYP-000001")
    write_handover(dp_sio, "OCG-DYP-000001")
    confirm_and_complete(chair, "OCG-DYP-000001", sio="Gareth Price")

    dp_lro = as_person("dp.lro")
    dp_lro.goto("/ocgs/OCG-DYP-000001/")
    expect(dp_lro.get_by_test_id("owner")).to_contain_text("Dyfed-Powys Police")
    expect(dp_lro.get_by_test_id("post-lro")).to_contain_text("Carys Morgan")
    expect(dp_lro.get_by_test_id("post-sio")).to_contain_text("Gareth Price")
    assert Ocg.objects.get(reference="OCG-DYP-000001").owner.code == "DYP"


def test_2_greater_manchester_transfers_in_full_to_the_north_west_rocu(as_person):
    chair = as_person("nwrocu.chair")
    decide(chair, "OCG-GMP-000001")
    gmp_sio = as_person("gmp.sio")
    write_handover(gmp_sio, "OCG-GMP-000001")
    confirm_and_complete(chair, "OCG-GMP-000001", sio="Liam O'Connor", lro="Daniel Walsh")

    chair.goto("/ocgs/OCG-GMP-000001/")
    expect(chair.get_by_test_id("owner")).to_contain_text(
        "North West Regional Organised Crime Unit"
    )
    expect(chair.get_by_test_id("post-lro")).to_contain_text("Daniel Walsh")
    gmp_sio.goto("/ocgs/OCG-GMP-000001/")
    gmp_sio.get_by_role("link", name="Ownership history, appointments and transfers").click()
    history = gmp_sio.get_by_test_id("ownership-history")
    expect(history).to_contain_text("Greater Manchester Police")
    expect(history).to_contain_text("Full transfer")


def test_3_tarians_regional_meeting(as_person):
    chair = as_person("tarian.chair")
    chair.get_by_role("link", name="Meetings", exact=True).click()
    chair.get_by_role("link", name="Regional tasking and coordination group").click()
    chair.get_by_role("link", name=re.compile(r"\d{4}")).first.click()
    chair.get_by_role("button", name="Build the agenda from the register").click()
    expect(chair.get_by_role("alert")).to_contain_text("The agenda was built from the register")
    item = (
        chair.get_by_test_id("agenda-item")
        .filter(has_text="OCG-DYP-000002")
        .filter(has_text="Escalation for SIO support")
    )
    expect(item).to_have_count(1)
    chair.get_by_role("button", name="Issue the agenda").click()
    expect(chair.get_by_role("alert")).to_contain_text("Version 1 of the agenda was issued.")
    item.get_by_label("Decision").select_option(label="Accept")
    item.get_by_label("Rationale").fill("Firearms through Pembroke Dock: a Tarian SIO will lead")
    item.get_by_role("button", name=re.compile("Record the decision")).click()
    expect(chair.get_by_role("alert")).to_contain_text("Decided:")
    expect(item.get_by_test_id("decision")).to_contain_text("Accept")
    support = TransferRequest.objects.get(ocg__reference="OCG-DYP-000002")
    assert support.status == "accepted"
    chair.get_by_role("link", name="Minutes", exact=True).click()
    expect(chair.get_by_test_id("minutes-decisions")).to_contain_text(
        "Firearms through Pembroke Dock: a Tarian SIO will lead"
    )


def test_4_a_c_coded_report_shared_with_tarian(as_person):
    analyst = as_person("dp.analyst")
    analyst.get_by_role("link", name="Intelligence", exact=True).click()
    analyst.get_by_role("link", name="INT-DYP-000002").click()
    analyst.get_by_label("Organisation codes").fill("TARIAN")
    analyst.get_by_label("Purpose").fill("Regional firearms tasking")
    analyst.get_by_role("button", name="Share", exact=True).click()
    expect(analyst.get_by_role("alert")).to_contain_text("shared")

    tarian = as_person("tarian.sio")
    tarian.get_by_role("link", name="Intelligence", exact=True).click()
    tarian.get_by_role("link", name="INT-DYP-000002").click()
    expect(tarian.get_by_role("heading", name="Reason for access")).to_be_visible()
    tarian.get_by_label("Why do you need to open this record?").fill("Regional firearms tasking")
    tarian.get_by_role("button", name="Open the record").click()
    expect(tarian.get_by_test_id("conditions")).to_contain_text("consult DYP before action")
    expect(tarian.get_by_text("converted pistol")).to_have_count(0)
    tarian.get_by_role("button", name="Accept the conditions and open the report").click()
    expect(tarian.get_by_test_id("report-text")).to_contain_text("converted pistol")


def test_5_the_auditors_alert(as_person):
    auditor = as_person("psd.auditor")
    auditor.get_by_role("link", name="Alerts", exact=True).click()
    row = (
        auditor.get_by_role("row")
        .filter(has_text="gmp.sio")
        .filter(has_text="Search for a declared association or oneself")
    )
    row.get_by_role("link").click()
    expect(auditor.locator("main")).to_contain_text(
        "gmp.sio searched for or opened a record naming a declared relative."
    )
    evidence = auditor.get_by_role("table").filter(has_text="Connor Walsh")
    expect(evidence).to_contain_text("Search")
    auditor.get_by_label("Referred for investigation").check()
    auditor.get_by_label("What you found").fill("Searched for his declared relative; referred.")
    auditor.get_by_role("button", name="Record the review").click()
    expect(auditor.get_by_role("alert")).to_contain_text(
        "The alert was marked referred for investigation."
    )
