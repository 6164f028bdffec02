"""In a real browser (issue 4): dp.analyst maps a new OCG with its members, scores it and finds
it at the top of the Dyfed-Powys and Southern Wales rankings with its band; gmp.lro, in
another region with nothing shared, cannot find it in pages, API, search, export or counts."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from concord.scoring import services as scoring_services
from concord.scoring.models import published_model
from concord.threats import services as threat_services
from concord.threats.models import Ocg
from tests.browser.conftest import sign_in
from tests.factories import persona

NAME = "Teifi Valley Ridge Network"
PHONE = "07700 900461"
MEMBERS = [
    # forenames, surname, date of birth (as typed into the date input), role, as listed
    ("Rhodri", "Quillfeather", "1988-03-14", "Principal", "14 March 1988"),
    ("Seren", "Ystradowen", "1996-11-02", "Significant", "2 November 1996"),
]


def _assessed(actor, name: str, force: str, level: int | None) -> Ocg:
    """An OCG mapped and scored through the services; level None is each scale's top."""
    ocg = threat_services.map_ocg(
        actor=actor,
        details=threat_services.OcgDetails(
            name=name,
            criminality=["illegal-drugs"],
            force_areas=[force],
            classification="OFFICIAL",
        ),
    )
    model = published_model()
    chosen = {
        d.code: (d.levels.count() - 1 if level is None else level) for d in model.dimensions.all()
    }
    scoring_services.assess(actor=actor, item=ocg, chosen=chosen, rationale={})
    return ocg


@pytest.fixture
def world() -> dict[str, Ocg]:
    """The default scoring model, the people, and one scored OCG on each side of the border:
    a low-band Dyfed-Powys OCG the new one must outrank, and a top-band GMP OCG gmp.lro sees."""
    persona("dp.analyst")
    persona("gmp.lro")
    return {
        "dyp_low": _assessed(persona("dp.analyst"), "Aberaeron Harbour Crew", "DYP", 0),
        "gmp_top": _assessed(persona("gmp.sio"), "Salford Quays Syndicate", "GMP", None),
    }


@pytest.fixture
def gmp_page(browser: Browser, live_server) -> Iterator[Page]:
    """gmp.lro in a browser context of their own, for the counts taken before the mapping."""
    context: BrowserContext = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _counts(page: Page) -> dict[str, object]:
    """What gmp.lro is told there is: the API list count, the list page and the priorities."""
    api = page.request.get("/api/v1/ocgs")
    assert api.ok, api.status
    page.goto("/ocgs/")
    listed = page.get_by_test_id("ocg-count").inner_text()
    page.goto("/priorities/")
    ranked = page.get_by_role("status").inner_text()
    return {"api": api.json()["count"], "list": listed, "priorities": ranked}


def test_dp_analyst_maps_and_scores_an_ocg_that_gmp_lro_cannot_find(
    page: Page, gmp_page: Page, world: dict[str, Ocg]
):
    sign_in(gmp_page, "gmp.lro")
    expect(gmp_page.get_by_role("button", name="Sign out")).to_be_visible()
    before = _counts(gmp_page)
    assert before["api"] == Ocg.objects.visible_to(persona("gmp.lro")).count() == 1

    # dp.analyst maps the OCG with two members.
    sign_in(page, "dp.analyst")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/ocgs/new/")
    page.get_by_label("Name or operation name").fill(NAME)
    page.get_by_label("Illegal drugs (including county lines)").check()
    page.get_by_label("Dyfed-Powys Police", exact=True).check()
    page.get_by_label("Classification").select_option("OFFICIAL")
    for n, (forenames, surname, born, role, _listed) in enumerate(MEMBERS, start=1):
        member = page.locator("fieldset", has_text=f"Member {n}")
        member.get_by_label("Forenames").fill(forenames)
        member.get_by_label("Surname").fill(surname)
        member.get_by_label("Date of birth").fill(born)
        member.get_by_label("Role in the group").select_option(label=role)
    # Identifiers for the principal: stored as typed and canonical (E.164, VRM).
    principal = page.locator("fieldset", has_text="Member 1")
    principal.get_by_label("Phone number").fill(PHONE)
    principal.get_by_label("Vehicle registration").fill("cu19 xkd")
    page.get_by_role("button", name="Map the OCG").click()

    expect(page.get_by_role("alert")).to_contain_text("was mapped")
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/ocgs/[A-Z0-9-]+/$"))
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.get_by_role("alert")).to_contain_text(f"{reference} was mapped.")
    expect(page.get_by_test_id("ocg-owner")).to_have_text("Dyfed-Powys Police")
    expect(page.get_by_test_id("item-band")).to_contain_text("Not assessed")
    for forenames, surname, _born, role, listed in MEMBERS:
        row = page.get_by_role("row").filter(has_text=f"{forenames} {surname}")
        expect(row).to_contain_text(listed)
        expect(row).to_contain_text(role)

    # dp.analyst scores it: the top of every scale, so risk band 1 and position A.
    page.get_by_role("link", name="Assess").click()
    expect(page.get_by_role("heading", name=f"Assess {NAME}")).to_be_visible()
    dimensions = list(published_model().dimensions.values_list("name", flat=True))
    expect(page.locator("fieldset.govuk-fieldset")).to_have_count(len(dimensions))
    for name in dimensions:
        # The legend is the dimension's name followed by its group ("Physical harm Harm").
        group = page.get_by_role("group", name=re.compile(rf"^{re.escape(name)}\b"))
        group.get_by_role("radio").last.check()
        page.get_by_label(f"Rationale for {name}", exact=True).fill(f"{name}: top of the scale.")
    physical = page.get_by_role("group", name=re.compile(r"^Physical harm\b"))
    expect(physical.get_by_label("Severe")).to_be_checked()
    page.get_by_role("button", name="Save the assessment").click()

    expect(page.get_by_role("alert")).to_contain_text(f"{reference} is now band 1A.")
    expect(page).to_have_url(re.compile(rf"/ocgs/{reference}/$"))
    expect(page.get_by_test_id("item-band")).to_contain_text("1A")

    # It leads the Southern Wales ranking and the Dyfed-Powys one, with its band.
    for label, choose, in_url in (
        ("Region", "Southern Wales", "region=southern-wales"),
        ("Force", "Dyfed-Powys Police", "force=DYP"),
    ):
        page.goto("/priorities/")
        page.get_by_label(label).select_option(label=choose)
        page.get_by_role("search", name="Filter the picture").get_by_role(
            "button", name="Filter"
        ).click()
        expect(page).to_have_url(re.compile(in_url))
        picture = page.get_by_test_id("picture")
        rows = picture.locator("tbody tr")
        expect(rows).to_have_count(2)
        ours = rows.filter(has_text=reference)
        expect(ours.locator("td").nth(0)).to_have_text("1")
        expect(ours.locator("td").nth(1)).to_contain_text(NAME)
        expect(ours.locator("td").nth(2)).to_contain_text("Illegal drugs")
        expect(ours.locator("td").nth(3)).to_have_text("1A")
        lower = rows.filter(has_text=world["dyp_low"].reference)
        expect(lower.locator("td").nth(0)).to_have_text("2")
        expect(lower.locator("td").nth(3)).to_have_text("3C")
        expect(picture).not_to_contain_text(world["gmp_top"].reference)
    # The principal is designated a priority individual from the group's page.
    page.goto(f"/ocgs/{reference}/")
    principal = f"{MEMBERS[0][0]} {MEMBERS[0][1]}"
    page.get_by_role("link", name=f"Designate as priority individual {principal}").click()
    page.get_by_label("OCG references (optional)").fill(reference)
    page.get_by_label("Why a priority individual").fill("Principal of the county line")
    page.get_by_role("button", name="Designate").click()
    expect(page.get_by_role("alert")).to_contain_text("is a priority individual.")
    expect(page).to_have_url(re.compile(r"/pis/PI-DYP-\d{6}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(principal)
    expect(page.locator("main")).to_contain_text(reference)
    # The principal's phone is found however it is typed, in its canonical form.
    page.goto("/search/?q=%2B44+7700+900461")
    expect(page.get_by_test_id("search-identifier")).to_contain_text("+447700900461")
    expect(page.get_by_test_id("search-identifier")).to_contain_text(MEMBERS[0][1])
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Concord")).to_be_visible()

    # gmp.lro, another region with nothing shared, cannot find it anywhere.
    sign_in(page, "gmp.lro")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    response = page.goto(f"/ocgs/{reference}/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(NAME)

    page.goto("/ocgs/")
    expect(page.get_by_test_id("ocg-count")).to_have_text(str(before["list"]))
    expect(page.get_by_role("link", name=world["gmp_top"].reference)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(reference)
    expect(page.locator("main")).not_to_contain_text(NAME)

    page.goto("/priorities/")
    expect(page.get_by_role("status")).to_have_text(str(before["priorities"]))
    picture = page.get_by_test_id("picture")
    expect(picture).to_contain_text(world["gmp_top"].reference)
    expect(picture).not_to_contain_text(reference)
    expect(page.locator("main")).not_to_contain_text(NAME)

    for query in (NAME, reference, MEMBERS[0][1], PHONE, "CU19XKD"):
        page.goto(f"/search/?q={query}")
        # Nothing found, and nothing counted, of any kind.
        for kind in ("ocg", "pi", "nominal", "identifier", "report", "tasking"):
            expect(page.get_by_test_id(f"count-{kind}")).to_have_text("0")
        # No group of results at all: the page only repeats what was typed.
        expect(page.locator("main section")).to_have_count(0)
        expect(page.get_by_test_id("search-total")).to_contain_text("0 results")

    detail = page.request.get(f"/api/v1/ocgs/{reference}")
    assert detail.status == 404
    assert NAME not in detail.text()
    listing = page.request.get("/api/v1/ocgs")
    assert listing.ok
    assert listing.json()["count"] == before["api"]
    assert reference not in listing.text()

    export = page.request.get("/ocgs/?export=csv")
    assert export.ok
    assert export.headers["content-type"].startswith("text/csv")
    csv_text = export.text()
    assert world["gmp_top"].reference in csv_text
    assert reference not in csv_text
    assert NAME not in csv_text
