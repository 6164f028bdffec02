"""In a real browser: a shared record asks for a reason; the auditor finds the view and why."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from concord.core.services import share_record
from tests.access.registry import make_ocg
from tests.browser.conftest import sign_in
from tests.factories import organisation, persona

REASON = "Checking the Swindon supply line against our own county lines work"


@pytest.fixture
def shared_ocg():
    persona("wilts.analyst")
    persona("psd.auditor")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    share_record(
        actor=persona("dp.analyst"),
        obj=ocg,
        to_organisation=organisation("WIL"),
        purpose="County lines supply into Wiltshire",
    )
    return ocg


def test_wilts_analyst_gives_a_reason_and_psd_auditor_finds_it(page: Page, shared_ocg):
    sign_in(page, "wilts.analyst")
    page.get_by_role("link", name="OCGs").click()
    page.get_by_role("link", name=shared_ocg.reference).click()

    expect(page.get_by_role("heading", name="Reason for access")).to_be_visible()
    expect(page.get_by_text("You can see it because it was shared with you.")).to_be_visible()
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("alert")).to_contain_text("Give a reason to open this record")
    page.get_by_label("Why do you need to open this record?").fill(REASON)
    page.get_by_role("button", name="Open the record").click()

    expect(page.get_by_role("heading", name="Zephyrine Quarry Crew")).to_be_visible()
    expect(page.get_by_test_id("marking")).to_have_text("OFFICIAL")
    expect(page.get_by_test_id("ocg-owner")).to_have_text("Dyfed-Powys Police")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "psd.auditor")
    page.get_by_role("link", name="Audit", exact=True).click()
    page.get_by_label("Person (username)").fill("wilts.analyst")
    page.get_by_label("Action").select_option("view")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_test_id("audit-results")
    expect(results).to_contain_text(shared_ocg.reference)
    expect(results).to_contain_text(REASON)
    expect(page).to_have_url(re.compile(r"person=wilts.analyst"))


def test_an_outsider_gets_not_found_for_the_same_record(page: Page, shared_ocg):
    persona("gmp.lro")
    sign_in(page, "gmp.lro")
    response = page.goto(f"/ocgs/{shared_ocg.reference}/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("Zephyrine")
