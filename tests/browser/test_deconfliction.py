"""In a real browser (issue 14): GMP plans a warrant at an address where the North West ROCU
has surveillance that evening. Both are told whom to call, neither sees the other's
deployment, and the watch desk contacts both and records the resolution."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from concord.deconfliction import services
from concord.deconfliction.choices import DeploymentKind, HitStatus, Resolution
from concord.deconfliction.models import Hit
from concord.organisations.models import User
from tests.factories import persona

NW_SECRETS = ("Operation Obsidian Lantern", "Brindlecombe Court")
GMP_SECRETS = ("Operation Velvet Harrier", "Quarrington Mews")


def _evening() -> tuple[dt.datetime, dt.datetime]:
    day = timezone.localdate() + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0)))
    return start, start + dt.timedelta(hours=6)


def test_a_warrant_meets_surveillance_and_the_watch_desk_resolves_it(as_person):
    persona("gmp.sio")
    persona("nca.watchdesk")
    nw_sio = persona("nwrocu.sio")
    nw = services.register_operation(
        actor=nw_sio,
        details=services.OperationDetails(
            name=NW_SECRETS[0],
            contact_name="North West ROCU surveillance desk",
            contact_phone="0161 000 0000",
            starts=timezone.localdate(),
        ),
    )
    starts, ends = _evening()
    services.register_deployment(
        actor=nw_sio,
        operation=nw,
        details=services.DeploymentDetails(
            kind=DeploymentKind.SURVEILLANCE,
            place=NW_SECRETS[1],
            postcode="M5 4WT",
            radius_m=400,
            starts=starts,
            ends=ends,
        ),
    )

    # GMP registers its operation and plans the warrant.
    gmp = as_person("gmp.sio")
    gmp.goto("/deconfliction/")
    gmp.get_by_role("link", name="Register an operation").click()
    gmp.get_by_label("Operation name").fill(GMP_SECRETS[0])
    gmp.get_by_label("Contact or desk").fill("GMP SOC duty DS, 0161 856 0000")
    gmp.get_by_role("button", name="Register").click()
    expect(gmp.get_by_role("heading", level=1)).to_have_text(GMP_SECRETS[0])
    form = gmp.locator("[data-testid=deployment-form]")
    form.get_by_label("Kind of deployment").select_option("warrant")
    form.get_by_label("Address or place").fill(GMP_SECRETS[1])
    form.get_by_label("Postcode").fill("M5 4WT")
    form.get_by_label("Radius in metres").fill("100")
    warrant = starts + dt.timedelta(hours=4)
    local = timezone.localtime(warrant)
    form.get_by_label("Starts (YYYY-MM-DD HH:MM)").fill(local.strftime("%Y-%m-%d %H:%M"))
    form.get_by_label("Ends (YYYY-MM-DD HH:MM)").fill(
        (local + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    )
    form.get_by_role("button", name="Register and check").click()
    expect(gmp.get_by_text("Deconfliction hit:")).to_be_visible()
    hits = gmp.locator("[data-testid=hits]")
    expect(hits).to_contain_text("North West ROCU surveillance desk")
    hit = Hit.objects.get()
    assert hit.urgent  # the same evening
    gmp.get_by_role("link", name=hit.reference).click()
    expect(gmp.get_by_test_id("contact")).to_have_text(
        "North West ROCU surveillance desk, 0161 000 0000"
    )
    for secret in NW_SECRETS:
        expect(gmp.locator("body")).not_to_contain_text(secret)

    # The North West ROCU is told whom to call, and sees nothing of GMP's warrant.
    nw_page = as_person("nwrocu.sio")
    nw_page.goto("/deconfliction/hits/")
    expect(nw_page.locator("[data-testid=hits]")).to_contain_text("GMP SOC duty DS")
    for secret in GMP_SECRETS:
        expect(nw_page.locator("body")).not_to_contain_text(secret)
    nw_page.goto("/notifications/")
    expect(nw_page.locator("body")).to_contain_text(hit.reference)

    # The watch desk contacts both parties and records the resolution.
    desk = as_person("nca.watchdesk")
    desk.goto("/")
    desk.get_by_role("link", name="Watch desk").first.click()
    desk.get_by_role("link", name=hit.reference).click()
    desk.get_by_role("button", name="Record contact with GMP").click()
    desk.get_by_role("button", name="Record contact with NWROCU").click()
    desk.get_by_label("Resolution").select_option(Resolution.STAND_DOWN)
    desk.get_by_label("Note").fill("GMP moves the warrant to the following morning.")
    desk.get_by_role("button", name="Record the resolution").click()
    expect(desk.get_by_test_id("status")).to_contain_text("Resolved: One party stands down")
    for secret in NW_SECRETS + GMP_SECRETS:
        expect(desk.locator("body")).not_to_contain_text(secret)
    hit.refresh_from_db()
    assert hit.status == HitStatus.RESOLVED
    assert hit.a_contacted_at is not None
    assert hit.b_contacted_at is not None


def test_the_deconfliction_pages_meet_wcag_2_2_aa_in_english_and_welsh(as_person):
    """axe over each page of the app as its reader sees it, a form with its errors shown too
    (the sweep of every route covers them as well; this is the quick check)."""
    from tests.browser import axe

    persona("nca.watchdesk")
    nw_sio, gmp_sio = persona("nwrocu.sio"), persona("gmp.sio")
    ops = {}
    for who, actor in (("nw", nw_sio), ("gmp", gmp_sio)):
        ops[who] = services.register_operation(
            actor=actor,
            details=services.OperationDetails(
                name=f"Operation {who}", contact_name=f"{who} desk", starts=timezone.localdate()
            ),
        )
        starts, ends = _evening()
        services.register_deployment(
            actor=actor,
            operation=ops[who],
            details=services.DeploymentDetails(
                kind=DeploymentKind.SEARCH, postcode="M5 4WT", starts=starts, ends=ends
            ),
        )
    hit = Hit.objects.get()
    side = hit.sides.get(operation=ops["gmp"])
    failures: list[str] = []
    for username, paths in (
        (
            "gmp.sio",
            [
                "/deconfliction/",
                "/deconfliction/new/",
                f"/deconfliction/{ops['gmp'].pk}/",
                "/deconfliction/hits/",
                f"/deconfliction/hits/{side.pk}/",
                "/deconfliction/map/",
            ],
        ),
        ("nca.watchdesk", ["/deconfliction/desk/", f"/deconfliction/desk/{hit.reference}/"]),
    ):
        page = as_person(username)
        for language in ("en", "cy"):
            if language == "cy":
                User.objects.filter(username=username).update(language="cy")
            for path in paths:
                page.goto(path)
                assert page.get_attribute("html", "lang") == ("cy" if language == "cy" else "en-GB")
                failures += axe.report(f"{path} ({language})", axe.violations(page))
        page.goto(f"/deconfliction/{ops['gmp'].pk}/")
        if username == "gmp.sio":
            page.locator("[data-testid=subject-form]").get_by_role("button").click()
            expect(page.locator(".govuk-error-summary")).to_be_visible()
            failures += axe.report("subject form with errors", axe.violations(page))
    assert not failures, "\n".join(failures)
