"""In a real browser (issue 15): Tarian's chief officer opens the oversight pack for the
quarter, follows a consistency exception to the OCG it names, and downloads the PDF."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from concord.insight import consistency
from concord.threats.models import Ocg
from tests.access.registry import make_ocg
from tests.browser.conftest import sign_in
from tests.factories import persona


def test_tarian_chair_follows_an_exception_and_downloads_the_pack(page: Page, live_server):
    persona("tarian.chair")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    Ocg.objects.filter(pk=ocg.pk).update(review_due_on=timezone.localdate() - dt.timedelta(days=5))
    consistency.run()
    sign_in(page, "tarian.chair")
    page.get_by_role("link", name="Oversight", exact=True).first.click()
    expect(page.get_by_role("heading", name="Oversight packs")).to_be_visible()
    page.get_by_role("link", name="Open").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Oversight pack")
    exceptions = page.get_by_test_id("exceptions")
    expect(exceptions).to_contain_text(ocg.reference)
    with page.expect_download() as download:
        page.get_by_test_id("pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    exceptions.get_by_role("link", name=ocg.reference).click()
    # Outside her own organisation's work: she gives her reason, which the audit keeps.
    page.get_by_label("Why do you need to open this record?").fill(
        "Consistency exception in the oversight pack"
    )
    page.get_by_role("button", name="Open the record").click()
    expect(page).to_have_url(f"{live_server.url}/ocgs/{ocg.reference}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ocg.name)
