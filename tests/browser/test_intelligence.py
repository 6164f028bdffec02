"""In a real browser (issue 7): Dyfed-Powys records a C-coded report, a second person approves
its release and shares it with Tarian; Tarian's SIO gives a reason, sees only the handling
conditions until accepting them, then reads it and sends feedback; the recall removes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import UserFactory, organisation, persona

CONDITIONS = "Law enforcement only; consult DYP before any action."


@pytest.fixture(autouse=True)
def _cast() -> None:
    persona("dp.analyst")
    persona("tarian.sio")
    UserFactory(username="dp.sro", organisation=organisation("DYP"), roles=["sro"])


def test_a_c_coded_report_from_record_to_recall(as_person):
    analyst = as_person("dp.analyst")
    analyst.get_by_role("link", name="Intelligence", exact=True).click()
    analyst.get_by_role("link", name="Record intelligence").click()
    analyst.get_by_label("Title").fill("Firearm offered in Haverfordwest")
    analyst.get_by_label("Intelligence", exact=True).fill(
        "A converted pistol is offered for sale by a member of a Pembrokeshire group."
    )
    when = timezone.localdate() - dt.timedelta(days=1)
    analyst.get_by_label("Date of the information").fill(when.isoformat())
    analyst.get_by_label("Source evaluation").select_option("1")
    analyst.get_by_label("Intelligence assessment").select_option("B")
    analyst.get_by_label("Handling code").select_option("C")
    analyst.get_by_role("button", name="Record as a draft").click()
    # Bad input names the field and records nothing.
    expect(analyst.get_by_role("alert")).to_contain_text("needs its handling conditions")
    analyst.get_by_label("Handling conditions (needed for C)").fill(CONDITIONS)
    analyst.get_by_role("button", name="Record as a draft").click()
    expect(analyst.get_by_role("alert")).to_contain_text("was recorded as a draft")
    reference = analyst.url.rstrip("/").rsplit("/", 1)[-1]
    analyst.get_by_role("button", name="Release").click()
    expect(analyst.get_by_role("alert")).to_contain_text("awaiting release approval")

    sro = as_person("dp.sro")
    sro.goto(f"/intelligence/{reference}/")
    sro.get_by_role("button", name="Approve the release").click()
    expect(sro.get_by_role("alert")).to_contain_text("The release was approved.")
    sro.get_by_label("Organisation codes").fill("TARIAN")
    sro.get_by_label("Purpose").fill("Regional firearms tasking")
    sro.get_by_role("button", name="Share", exact=True).click()
    expect(sro.get_by_role("alert")).to_contain_text("shared")

    tarian = as_person("tarian.sio")
    tarian.get_by_role("link", name="Intelligence", exact=True).click()
    tarian.get_by_role("link", name=reference).click()
    expect(tarian.get_by_role("heading", name="Reason for access")).to_be_visible()
    tarian.get_by_label("Why do you need to open this record?").fill("Regional firearms tasking")
    tarian.get_by_role("button", name="Open the record").click()
    expect(tarian.get_by_test_id("conditions")).to_have_text(CONDITIONS)
    expect(tarian.get_by_text("converted pistol")).to_have_count(0)
    tarian.get_by_role("button", name="Accept the conditions and open the report").click()
    expect(tarian.get_by_test_id("report-text")).to_contain_text("converted pistol")
    expect(tarian.get_by_role("link", name="Download as STIX 2.1")).to_be_visible()
    tarian.get_by_label("Feedback", exact=True).select_option("corroborated")
    tarian.get_by_role("button", name="Send feedback").click()
    expect(tarian.get_by_role("alert")).to_contain_text("feedback", ignore_case=True)

    analyst.reload()
    expect(analyst.get_by_text("Corroborated")).to_be_visible()
    analyst.get_by_label("Why it is recalled").fill("The source withdrew the account.")
    analyst.get_by_role("button", name="Recall from everyone").click()
    expect(analyst.get_by_role("alert")).to_contain_text("recalled", ignore_case=True)

    tarian.goto("/intelligence/")
    expect(tarian.get_by_role("link", name=reference)).to_have_count(0)
    response = tarian.goto(f"/intelligence/{reference}/")
    assert response is not None
    assert response.status == 404
