"""In a real browser: sign in, see who you are, switch to Welsh, use the keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.factories import persona


@pytest.fixture
def dp_lro():
    return persona("dp.lro")


def test_dp_lro_signs_in_sees_their_organisation_and_role_then_switches_to_welsh(
    page: Page, dp_lro
):
    sign_in(page, "dp.lro")
    header = page.get_by_test_id("header-person")
    expect(header).to_contain_text("Carys Morgan")
    expect(header).to_contain_text("Dyfed-Powys Police")
    expect(header).to_contain_text("Lead responsible officer (LRO)")
    expect(page.get_by_test_id("home-organisation")).to_have_text("Dyfed-Powys Police")

    page.get_by_role("button", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("button", name="Allgofnodi")).to_be_visible()
    expect(header).to_contain_text("Heddlu Dyfed-Powys")
    expect(page.get_by_role("link", name="Hafan")).to_be_visible()  # Home

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_wrong_password_shows_the_error_summary(page: Page, dp_lro):
    sign_in(page, "dp.lro", "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("The username or password is not right")
    expect(page).to_have_url(re.compile(r"/sign-in/"))


def test_the_skip_link_is_the_first_thing_the_keyboard_reaches(page: Page, dp_lro):
    sign_in(page, "dp.lro")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # the home page is in
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main-content$"))


def test_sign_out_returns_to_sign_in(page: Page, dp_lro):
    sign_in(page, "dp.lro")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Concord")).to_be_visible()
