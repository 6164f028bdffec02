"""WCAG 2.2 AA on every page (issue 18): axe-core in Chromium over every page the URLconf serves
(tests/browser/site_map.py finds them from the code), as the personas who may open it, in English
and in Welsh, with lists full of rows from the demo world and forms showing their errors."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser import axe
from tests.browser.site_map import Cast, SiteMap, Visit, survey

# Form pages worth one empty submission, to sweep the page as it shows its errors.
FORM_ROUTES = re.compile(
    r"(_create|:assess\w*|:declare|:record_need|:person_create|:import|:item_action)$"
)
# Marks the main form of the page (the one with most fields) and empties its text fields.
EMPTY_FORM = """() => {
    const fields = "input:not([type=hidden]), textarea, select";
    const forms = [...document.querySelectorAll("main form[method=post]")]
        .filter(f => f.querySelector("[type=submit]") && f.querySelectorAll(fields).length);
    if (!forms.length) return false;
    const form = forms.sort((a, b) => b.elements.length - a.elements.length)[0];
    form.noValidate = true;
    form.id = form.id || "concord-form-under-test";
    for (const field of form.querySelectorAll("input[type=text], textarea, input[type=number]"))
        field.value = "";
    return "#" + form.id;
}"""


@pytest.fixture(autouse=True)
def demo_world(settings) -> None:
    """The demo world, as `make demo` seeds it: lists have rows, records have their parts."""
    settings.DEMO_MODE = True
    call_command(
        "seed_demo", "--scale", "demo", "--if-empty", "--no-progress", stdout=io.StringIO()
    )
    _a_meeting_under_way()


def _a_meeting_under_way() -> None:
    """Tarian's chair builds the day's agenda and sets an action on its first item, as at the
    meeting, so the pages of an agenda item's action and of an action are swept too."""
    import datetime as dt

    from django.utils import timezone

    from concord.meetings import services
    from concord.meetings.models import Meeting
    from concord.organisations.models import User

    chair = User.objects.get(username="tarian.chair")
    meeting = Meeting.objects.get(forum__organisation__code="TARIAN")
    if meeting.actions.exists():
        return
    items = [i for i in services.build_agenda(actor=chair, meeting=meeting) if i.register_item]
    services.add_action(
        actor=chair,
        meeting=meeting,
        item=items[0],
        description="Ask the South West for its technical surveillance team",
        owner=chair,
        due_on=timezone.localdate() + dt.timedelta(days=14),
    )


class Sessions:
    """One browser context and one reused page per persona and language."""

    def __init__(self, browser: Browser, base_url: str, cast: Cast) -> None:
        self.browser, self.base_url, self.cast = browser, base_url, cast
        self.contexts: dict[tuple[str, str], BrowserContext] = {}
        self.pages: dict[tuple[str, str], Page] = {}

    def page(self, username: str, language: str = "en-gb") -> Page:
        key = (username, language)
        if key not in self.pages:
            context = self.browser.new_context(base_url=self.base_url, locale="en-GB")
            cookies = [(settings.LANGUAGE_COOKIE_NAME, language)]
            if username:
                cookies.append((settings.SESSION_COOKIE_NAME, self.cast.session(username)))
            context.add_cookies(
                [{"name": name, "value": value, "url": self.base_url} for name, value in cookies]
            )
            self.contexts[key] = context
            self.pages[key] = context.new_page()
            self.pages[key].set_default_timeout(15_000)
        return self.pages[key]

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


# Pages with a printed document (PDF): its print view is the same HTML, swept too. A grant's
# end is shown for a date tried, so the stream's document exists whether or not it ends.
DOCUMENTS = {
    "meetings:pack": "?format=print",
    "meetings:minutes": "?format=print",
    "capabilities:plan": "?format=print",
    "capabilities:plan_of": "?format=print",
    "capabilities:stream": "?ends=2030-03-31&format=print",
    "insight:oversight_pack": "?format=print",
}


def shapes(site: SiteMap) -> list[Visit]:
    """One visit per route and distinct set of templates drawn: personas who see a page drawn
    from the same templates see it in the same shape, so axe runs once for them."""
    chosen: dict[tuple[str, tuple[str, ...]], Visit] = {}
    for visit in site.pages:
        chosen.setdefault((visit.route, visit.templates), visit)
    return list(chosen.values())


def sweep(page: Page, where: str) -> list[str]:
    return axe.report(where, axe.violations(page))


def test_every_page_meets_wcag_2_2_aa_for_everyone_who_may_open_it(browser, live_server):
    cast = Cast()
    site = survey(cast)
    assert not site.problems, "Routes the sweep cannot reach:\n" + "\n".join(site.problems)
    # Lists with rows, pages with content: the sweep is over a full world, not empty shells.
    assert len({v.route for v in site.pages}) >= 50

    sessions = Sessions(browser, live_server.url, cast)
    failures: list[str] = []
    welsh_done: set[str] = set()
    printed: set[str] = set()
    try:
        for visit in shapes(site):
            where = f"{visit.path} as {visit.username or 'a visitor'}"
            page = sessions.page(visit.username)
            page.goto(visit.path)
            failures += sweep(page, where)
            if visit.route not in welsh_done:
                welsh_done.add(visit.route)
                welsh = sessions.page(visit.username, "cy")
                welsh.goto(visit.path)
                if welsh.get_attribute("html", "lang") != "cy":
                    failures.append(f"{where} in Welsh: the page is not marked lang=cy")
                failures += sweep(welsh, f"{where} in Welsh")
            if visit.route in DOCUMENTS and visit.route not in printed:
                printed.add(visit.route)
                shown = page.goto(visit.path + DOCUMENTS[visit.route])
                assert shown is not None, f"{where}: no print view"
                assert shown.ok, f"{where}: no print view"
                failures += sweep(page, f"{where}, its printed document")
                page.goto(visit.path)
            form = FORM_ROUTES.search(visit.route) and page.evaluate(EMPTY_FORM)
            if form:
                with page.expect_navigation():
                    page.eval_on_selector(form, "f => f.requestSubmit()")
                if page.locator(".govuk-error-summary").count():
                    failures += sweep(page, f"{where} with errors shown")
    finally:
        sessions.close()
    assert printed == set(DOCUMENTS), f"documents not swept: {set(DOCUMENTS) - printed}"
    assert not failures, f"{len(failures)} WCAG 2.2 AA violations (axe-core {axe.VERSION}):\n" + (
        "\n".join(failures)
    )


# The page (not a region inside it) is wider than the window.
SIDEWAYS = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"


def test_every_list_page_reflows_at_320_css_pixels(browser, live_server):
    cast = Cast()
    lists = [visit for visit in survey(cast, with_arguments=False).pages if visit.has_table]
    first = {}
    for visit in lists:
        first.setdefault(visit.route, visit)
    assert len(first) >= 20
    sessions = Sessions(browser, live_server.url, cast)
    sideways = []
    try:
        for visit in first.values():
            page = sessions.page(visit.username)
            page.set_viewport_size({"width": 320, "height": 640})
            page.goto(visit.path)
            if page.evaluate(SIDEWAYS):
                width = page.evaluate("document.documentElement.scrollWidth")
                sideways.append(f"{visit.path} as {visit.username}: {width}px wide")
            # Each table scrolls in a region of its own, named by its caption, keyboard-reachable.
            for region in page.locator(".concord-table-scroll").all():
                assert region.get_attribute("role") == "region", visit.path
                assert region.get_attribute("tabindex") == "0", visit.path
                assert region.get_attribute("aria-labelledby"), visit.path
        # The menu folds behind a button, which opens it.
        page = sessions.page(lists[0].username)
        menu = page.get_by_role("button", name="Menu")
        assert page.locator("#concord-nav-list").is_hidden()
        menu.click()
        assert page.locator("#concord-nav-list").is_visible()
        assert menu.get_attribute("aria-expanded") == "true"
    finally:
        sessions.close()
    assert not sideways, "Pages that scroll sideways at 320 px:\n" + "\n".join(sideways)
