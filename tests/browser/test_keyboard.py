"""Keyboard-only journeys (issue 18) over the demo world: each starts at a page's address (as
from a notification's link) and is then done with key presses alone, Tab, Shift+Tab, Enter,
Space, the arrows and typing. At every stop the focused element must be visibly marked, and an
error summary takes the focus and links to its fields."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

# What has the focus, its accessible name, and whether its focus is drawn (an outline that is
# not transparent, or a box shadow: GOV.UK's yellow-and-black focus state).
FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const s = getComputedStyle(e);
    const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
        && !/rgba\\(0, 0, 0, 0\\)|transparent/.test(s.outlineColor);
    const labels = e.labels ? [...e.labels].map(l => l.innerText).join(" ") : "";
    const name = e.getAttribute("aria-label") || labels || e.innerText || e.value || "";
    const tag = e.type === "radio" ? "RADIO" : e.tagName;
    return {name: name.trim().replace(/\\s+/g, " "), tag: tag, id: e.id,
            visible: outline || s.boxShadow !== "none"};
}"""


@pytest.fixture(autouse=True)
def demo_world(settings) -> None:
    settings.DEMO_MODE = True
    call_command(
        "seed_demo", "--scale", "demo", "--if-empty", "--no-progress", stdout=io.StringIO()
    )


def focused(page: Page) -> dict[str, Any] | None:
    found: dict[str, Any] | None = page.evaluate(FOCUSED)
    return found


def tab_to(
    page: Page, name: str, *, tag: str = "", backwards: bool = False, limit: int = 200
) -> None:
    """Press Tab (or Shift+Tab) until the element named `name` (a regular expression) has the
    focus, checking at every stop that the focus can be seen."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if now is None:
            continue
        assert now["visible"], f"the focus is not visible on {now}"
        if re.search(name, now["name"]) and now["tag"] == (tag or now["tag"]):
            return
    raise AssertionError(f"{name!r} was not reached with the keyboard")


def type_into(page: Page, label: str, text: str) -> None:
    tab_to(page, label)
    page.keyboard.type(text)


def choose(page: Page, label: str, option: str) -> None:
    """Choose an option of the <select> labelled `label` with the arrow keys."""
    tab_to(page, label, tag="SELECT")
    for key in ("ArrowDown", "ArrowUp"):
        for _ in range(40):
            chosen = page.evaluate("() => document.activeElement.selectedOptions[0]?.text || ''")
            if re.search(option, chosen):
                return
            page.keyboard.press(key)
    raise AssertionError(f"no option {option!r} in {label!r}")


def follow(page: Page, key: str = "Enter") -> None:
    """Press the key on a link or a submit button, and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def choose_radio(page: Page, option: str) -> None:
    """Tab into a group of radios, then move to the option `option` with the arrow keys."""
    tab_to(page, ".", tag="RADIO")
    for _ in range(12):
        now = focused(page)
        if now is not None and re.search(option, now["name"]):
            page.keyboard.press("Space")  # arrows choose as they move; Space keeps it chosen
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no radio {option!r}")


def sign_in(page: Page, username: str) -> None:
    page.goto("/sign-in/")
    type_into(page, "Username", username)
    type_into(page, "Password", "concord-demo")
    follow(page)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_an_escalation_for_sio_support_with_the_keyboard(page):
    sign_in(page, "dp.sio")
    page.goto("/ownership/ocg/OCG-DYP-000001/")
    tab_to(page, "^Request a transfer or support$")
    follow(page)
    # Sent empty: the error summary takes the focus, and its first link leads to its field.
    tab_to(page, "^Send the request$")
    follow(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    link = focused(page)
    assert link is not None
    assert link["tag"] == "A"
    assert link["visible"]
    target = summary.get_by_role("link").first.get_attribute("href") or ""
    page.keyboard.press("Enter")
    field = focused(page)
    assert target.startswith("#")
    assert field is not None
    assert field["id"] == target[1:]

    choose(page, "What is asked for", "Escalation for SIO support")
    tab_to(page, r"^To\b")
    box = page.get_by_role("combobox", name="To", exact=True)
    expect(box).to_be_focused()
    page.keyboard.type("Tarian")
    expect(box).to_have_attribute("aria-busy", "false")
    options = page.locator(f"#{box.get_attribute('aria-controls')}").get_by_role("option")
    expect(options.first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(box).to_have_value(re.compile("Tarian Regional Organised Crime Unit"))
    type_into(page, "^Reason", "A county line from Swindon: band 1, beyond the force")
    type_into(page, "What exactly is asked", "A Tarian SIO to lead the investigation")
    tab_to(page, "^Send the request$")
    follow(page)
    expect(page.get_by_test_id("transfer-status")).to_have_text("Requested")


def test_a_c_coded_report_shared_with_the_keyboard(page):
    sign_in(page, "dp.analyst")
    page.goto("/intelligence/INT-DYP-000002/")
    type_into(page, "Organisation codes", "TARIAN")
    type_into(page, "Purpose", "Regional firearms tasking")
    tab_to(page, "^Share$")
    follow(page)
    expect(page.get_by_role("alert")).to_contain_text("shared")


def test_a_partner_updates_its_action_with_the_keyboard(page):
    sign_in(page, "bf.partner")
    tab_to(page, "^(My actions|Actions)$")
    follow(page)
    card = page.get_by_test_id("my-action").first
    expect(card).to_be_visible()
    choose(page, "^Status", "In progress")
    type_into(page, "^Outcome", "Two containers searched at Holyhead")
    tab_to(page, "^Update ", tag="BUTTON")
    follow(page)
    expect(page.get_by_role("alert")).to_contain_text("The action was updated.")


def test_an_auditor_reviews_an_alert_with_the_keyboard(page):
    sign_in(page, "psd.auditor")
    tab_to(page, "^Alerts$")
    follow(page)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The alert's link is the time it was raised.
    tab_to(page, r"\b20\d\d\b", tag="A")
    follow(page)
    expect(page.locator("main")).to_contain_text("gmp.sio searched for or opened a record")
    choose_radio(page, "Referred for investigation")
    type_into(page, "What you found", "Searched for his declared relative; referred.")
    tab_to(page, "^Record the review$")
    follow(page)
    expect(page.get_by_role("alert")).to_contain_text(
        "The alert was marked referred for investigation."
    )


def test_a_tasking_meeting_from_agenda_to_minutes_with_the_keyboard(page):
    from concord.meetings.models import Meeting

    meeting = Meeting.objects.get(forum__organisation__code="TARIAN")
    sign_in(page, "tarian.chair")
    page.goto(f"/meetings/{meeting.pk}/")
    tab_to(page, "^Build the agenda from the register$")
    follow(page)
    expect(page.get_by_role("alert")).to_contain_text("The agenda was built from the register")
    tab_to(page, "^Issue the agenda$")
    follow(page)
    expect(page.get_by_role("alert")).to_contain_text("Version 1 of the agenda was issued.")
    # The first entry's decision: every entry may be recorded as needing no action.
    choose(page, "^Decision$", "^No action$")
    type_into(page, "^Rationale$", "Kept under review at the next regional meeting")
    tab_to(page, "^Record the decision", tag="BUTTON")
    follow(page)
    expect(page.get_by_role("alert")).to_contain_text("Decided:")
    tab_to(page, "^Minutes$", tag="A", backwards=True)
    follow(page)
    minutes = page.locator("main")
    expect(minutes).to_contain_text("No action")
    expect(minutes).to_contain_text("Kept under review at the next regional meeting")


def sign_out(page: Page) -> None:
    tab_to(page, "^Sign out$", tag="BUTTON")
    follow(page)


def pick_with_keys(page: Page, label: str, typed: str, choice: str) -> None:
    """Tab to a picker, type, take the first match with the arrow and Enter keys."""
    tab_to(page, rf"^{label}\b")
    box = page.get_by_role("combobox", name=label, exact=True)
    expect(box).to_be_focused()
    page.keyboard.type(typed)
    expect(box).to_have_attribute("aria-busy", "false")
    options = page.locator(f"#{box.get_attribute('aria-controls')}").get_by_role("option")
    expect(options.first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(box).to_have_value(re.compile(re.escape(choice)))


def test_a_full_transfer_with_the_keyboard(page):
    from concord.ownership.models import TransferRequest

    transfer = TransferRequest.objects.get(ocg__reference="OCG-GMP-000001")
    url = f"/transfers/{transfer.pk}/"
    sign_in(page, "nwrocu.chair")
    page.goto(url)
    choose(page, "^Decision$", "^Accept$")
    tab_to(page, "^Record the decision$")
    follow(page)
    expect(page.get_by_test_id("transfer-status")).to_have_text("Accepted: handover in progress")
    sign_out(page)

    sign_in(page, "gmp.sio")
    page.goto(url)
    parts = ["Intelligence", "Risks", "Safeguarding", "Outstanding actions"]
    for part in parts:
        choose(page, "^Part of the handover$", f"^{part}$")
        type_into(page, "^Handover note$", f"{part}: see the case file, section 4")
        tab_to(page, "^Save the handover note$")
        follow(page)
        expect(page.get_by_role("alert")).to_contain_text("The handover note was saved.")
    sign_out(page)

    sign_in(page, "nwrocu.chair")
    page.goto(url)
    for part in parts:
        tab_to(page, f"^Confirm {part}$", tag="BUTTON")
        follow(page)
        expect(page.get_by_role("alert")).to_contain_text("Confirmed.")
    pick_with_keys(page, "SIO", "Liam O'Connor", "Liam O'Connor")
    pick_with_keys(page, "LRO", "Daniel Walsh", "Daniel Walsh")
    tab_to(page, "^Complete the transfer$")
    follow(page)
    expect(page.get_by_test_id("transfer-status")).to_have_text("Completed")
