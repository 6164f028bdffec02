"""Choosing in a picker (web/static/concord/picker.js) as a person does: type, then the
keyboard."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def pick(page: Page, label: str, typed: str) -> None:
    """Type into the combobox labelled `label` and choose the first match with the keyboard."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.fill(typed)
    # Wait for the answer to what was typed, not to anything asked before.
    expect(box).to_have_attribute("aria-busy", "false")
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    expect(listbox.get_by_role("option").first).to_be_visible()
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_attribute("aria-expanded", "false")
