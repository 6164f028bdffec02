"""In a real browser, the pages raise no console error: no Content Security Policy refusal
(htmx's injected indicator style once was one on every page), no failed asset, a site icon."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response

from tests.browser.conftest import sign_in
from tests.factories import persona

MISSING = "/no-such-page/"
PAGES = ["/", "/ocgs/", "/priorities/", "/intelligence/", "/actions/", "/organisations/"]


@pytest.fixture
def people():
    return persona("dp.analyst"), persona("bf.partner")


def watch(page: Page) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    failed: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        deliberate = message.location.get("url", "").endswith(MISSING)  # the 404 itself
        if message.type == "error" and not deliberate:
            errors.append(f"{page.url}: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            failed.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    page.on("response", on_response)
    return errors, failed


@pytest.mark.parametrize("username", ["dp.analyst", "bf.partner"])
def test_pages_raise_no_console_error_and_every_asset_loads(page: Page, people, username):
    errors, failed = watch(page)
    sign_in(page, username)
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.goto(MISSING)  # the styled 404: its own assets load too
    page.wait_for_load_state("networkidle")
    assert errors == []
    assert failed == []


def test_the_site_icon_is_linked_and_served(page: Page, people):
    sign_in(page, "dp.analyst")
    icons = page.locator('link[rel="icon"]')
    assert icons.count() == 2
    for href in icons.evaluate_all("links => links.map(l => l.href)"):
        assert page.request.get(href).status == 200
    assert page.request.get("/favicon.ico").status == 200
