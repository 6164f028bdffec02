"""Pickers in a real browser (issue 12, build 2): typing searches as you type, only valid
choices are offered, the keyboard chooses (up, down, Enter, Escape), the number of results is
announced, and the form posts the choice; no CSP error on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from concord.ownership import transfers
from concord.ownership.models import TransferRequest
from tests.access.registry import make_ocg
from tests.factories import organisation, persona

TOPICS = ["intelligence", "risks", "safeguarding", "actions"]


@pytest.fixture(autouse=True)
def _cast() -> None:
    for username in ("dp.sio", "tarian.chair", "tarian.sio", "nwrocu.sio"):
        persona(username)


def csp_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return errors


def test_the_to_picker_offers_only_where_the_request_may_go_and_chooses_by_keyboard(as_person):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    page = as_person("dp.sio")
    errors = csp_errors(page)
    page.goto(f"/ownership/ocg/{ocg.reference}/transfer/")
    page.get_by_label("What is asked for").select_option(label="Escalation for SIO support")
    box = page.get_by_role("combobox", name="To", exact=True)
    expect(box).to_have_attribute("aria-expanded", "false")
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")

    # A ROCU of another region is not offered, whatever is typed.
    box.fill("North West")
    expect(box).to_have_attribute("aria-busy", "false")
    expect(page.get_by_role("status").filter(has_text="No choice matches")).to_have_count(1)
    expect(listbox.get_by_role("option")).to_have_count(0)

    box.fill("Regional")

    expect(box).to_have_attribute("aria-busy", "false")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Tarian")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status").filter(has_text="Choices found: 1")).to_have_count(1)

    # Escape closes the list without choosing.
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    assert page.locator("select[name='to_organisation']").input_value() == ""

    box.fill("Tar")

    expect(box).to_have_attribute("aria-busy", "false")
    expect(options.first).to_be_visible()
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("Tarian Regional Organised Crime Unit")
    assert page.locator("select[name='to_organisation']").input_value() == "TARIAN"

    page.get_by_label("Urgency").select_option(label="Urgent")
    page.get_by_label("Reason").fill("Cross-border supply of firearms and class A drugs")
    page.get_by_label("What exactly is asked").fill("An SIO for the firearms strand")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_test_id("transfer-status")).to_have_text("Requested")
    assert TransferRequest.objects.get().to_organisation.code == "TARIAN"
    assert errors == []


def test_the_completion_picker_chooses_the_sio_by_name(as_person):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    sender, chair = persona("dp.sio"), persona("tarian.chair")
    transfer = transfers.request_transfer(
        actor=sender,
        item=ocg,
        kind="support",
        to_organisation=organisation("TARIAN"),
        reason="Firearms supply across three force areas",
        asked="An SIO",
    )
    transfers.decide_transfer(actor=chair, transfer=transfer, decision="accept")
    for topic in TOPICS:
        transfers.write_handover(actor=sender, transfer=transfer, topic=topic, text="See file")
        transfers.confirm_handover(actor=chair, transfer=transfer, topic=topic)

    page = as_person("tarian.chair")
    errors = csp_errors(page)
    page.goto(f"/transfers/{transfer.pk}/")
    expect(page.get_by_role("combobox", name="LRO")).to_have_count(0)  # SIO support: no LRO
    box = page.get_by_role("combobox", name="SIO", exact=True)
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    box.fill("Liam")  # the North West ROCU's SIO is not Tarian's to appoint
    expect(box).to_have_attribute("aria-busy", "false")
    expect(listbox.get_by_role("option")).to_have_count(0)
    box.fill("Gar")
    expect(box).to_have_attribute("aria-busy", "false")
    option = listbox.get_by_role("option").first
    expect(option).to_contain_text("Gareth Price")
    expect(option).to_contain_text("Detective Superintendent")
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value("Gareth Price")
    page.get_by_role("button", name="Complete the transfer").click()
    expect(page.get_by_role("alert")).to_contain_text("The transfer is complete.")
    expect(page.get_by_test_id("transfer-status")).to_have_text("Completed")
    assert errors == []


def test_without_javascript_the_picker_is_a_plain_select_of_valid_choices(browser, live_server):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    persona("dp.sio")
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    from tests.browser.conftest import sign_in

    sign_in(page, "dp.sio")
    page.goto(f"/ownership/ocg/{ocg.reference}/transfer/")
    to = page.get_by_label("To", exact=True)
    values = to.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert "TARIAN" in values
    assert "NWROCU" not in values
    to.select_option("TARIAN")
    context.close()
