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
    _sheets_uploaded()


def _sheets_uploaded() -> None:
    """Ffion uploads two register sheets, one ready to import and one with errors by row and
    column, so the import preview is swept in both its shapes."""
    from concord.organisations.models import User
    from concord.scoring import importing
    from tests.scoring.test_import import GOOD, sheet

    analyst = User.objects.get(username="dp.analyst")
    if importing.ImportBatch.objects.filter(uploaded_by=analyst).exists():
        return
    bad = [GOOD[0], {**GOOD[1], "criminality": "Shoplifting", "scope": "Galactic"}]
    for name, rows in (("with-errors.csv", bad), ("ready.csv", GOOD)):
        importing.store(actor=analyst, filename=name, content=sheet(rows))


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


# What a page marks out with colour must survive a high-contrast theme, where the browser drops
# backgrounds and repaints text in the person's own colours (WCAG 1.4.11, 1.4.1): a bar needs a
# fill that differs from its track, a chart's marks a paint that differs from the chart, a tag
# (a band, a status) an edge, and a protective marking its words and an edge.
UNREADABLE_IN_HIGH_CONTRAST = """() => {
    const problems = [], shown = el => el.getClientRects().length > 0;
    const style = el => getComputedStyle(el), none = "rgba(0, 0, 0, 0)";
    const name = el => el.className.baseVal ?? el.className;
    for (const fill of document.querySelectorAll(".concord-bars__fill")) {
        const paint = style(fill).backgroundColor;
        const track = style(fill.parentElement).backgroundColor;
        if (fill.offsetWidth && (paint === none || paint === track))
            problems.push("a bar's fill is not painted apart from its track");
    }
    for (const svg of document.querySelectorAll("svg.concord-chart__svg")) {
        const ground = style(svg).backgroundColor;
        for (const mark of svg.querySelectorAll("rect, polyline, circle, line")) {
            const s = style(mark);
            const stroked = ["polyline", "line"].includes(mark.tagName) || s.fill === "none";
            const paint = stroked ? s.stroke : s.fill;
            if (paint === "none" || paint === ground || paint === none)
                problems.push(`a chart's ${mark.tagName} (${name(mark)}) is the chart's colour`);
        }
    }
    const edged = el => {
        const s = style(el);
        const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
        const border = ["Top", "Right", "Bottom", "Left"].some(side =>
            s[`border${side}Style`] !== "none" && parseFloat(s[`border${side}Width`]) > 0);
        return outline || border;
    };
    for (const tag of document.querySelectorAll(".govuk-tag, .concord-marking")) {
        if (!shown(tag)) continue;
        if (!tag.textContent.trim()) problems.push(`a ${name(tag)} says nothing in words`);
        if (!edged(tag)) problems.push(`a ${name(tag)} ("${tag.textContent.trim()}") has no edge`);
    }
    return [...new Set(problems)];
}"""


def test_bands_markings_and_charts_stay_readable_in_high_contrast(browser, live_server):
    cast = Cast()
    first: dict[str, Visit] = {}
    for visit in survey(cast).pages:
        first.setdefault(visit.route, visit)
    sessions = Sessions(browser, live_server.url, cast)
    unreadable: list[str] = []
    seen = {"bars": 0, "charts": 0, "tags": 0, "markings": 0}
    try:
        for visit in first.values():
            page = sessions.page(visit.username)
            page.emulate_media(forced_colors="active")
            page.goto(visit.path)
            # The browser is in its high-contrast mode, not only answering the media query.
            assert page.evaluate("matchMedia('(forced-colors: active)').matches")
            for kind, selector in (
                ("bars", ".concord-bars__fill"),
                ("charts", "svg.concord-chart__svg"),
                ("tags", ".govuk-tag"),
                ("markings", ".concord-marking"),
            ):
                seen[kind] += page.locator(selector).count()
            where = f"{visit.path} as {visit.username or 'a visitor'}"
            unreadable += [f"{where}: {p}" for p in page.evaluate(UNREADABLE_IN_HIGH_CONTRAST)]
    finally:
        sessions.close()
    # The sweep met every kind of mark it checks.
    assert all(seen.values()), seen
    assert not unreadable, "Unreadable in high contrast:\n" + "\n".join(unreadable)
