"""In a real browser (issue 16): Border Force uploads a file of parcel seizures, one an
imitation firearm addressed to a phone a Dyfed-Powys nominal uses; the South West ROCU's
triager sees the hit only as a pointer to Dyfed-Powys, records an intelligence report from the
referral, and Border Force sees the outcome and nothing about the nominal. A bad file is
refused with every error by row and column, and nothing is stored."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concord.referrals.intake import COLUMNS
from concord.referrals.models import Referral
from tests.factories import persona

PHONE = "07700 900999"


@pytest.fixture(autouse=True)
def _cast() -> None:
    from tests.access.registry import make_entity

    persona("bf.partner")
    persona("swrocu.triage")
    make_entity("DYP", "OFFICIAL", False)  # Quentin Xylander, who uses PHONE


def parcels(*, bad: bool = False) -> bytes:
    when = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    rows = [
        {
            "sender_reference": "BF-FP-0001",
            "found_on": when,
            "category": "imitation_firearm",
            "items": "Imitation pistol; two magazines",
            "place": "Coventry parcel hub",
            "postcode": "EX4 3SR",
            "people": "Jordan Pascoe",
            "phones": PHONE,
            "handling_code": "P",
        },
        {
            "sender_reference": "BF-FP-0002",
            "found_on": when,
            "category": "drugs",
            "items": "Cannabis, vacuum-packed",
            "postcode": "PL4 6AB",
            "handling_code": "P",
        },
    ]
    columns = list(COLUMNS)
    if bad:
        rows[1]["found_on"] = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
        rows.append({**rows[0]})
        columns.remove("handling_code")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(page, content: bytes) -> None:
    page.goto("/referrals/upload/")
    page.get_by_label("CSV or Excel file").set_input_files(
        {"name": "parcels.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Take in").click()


def test_a_bad_file_is_refused_whole_with_every_error_named(as_person):
    partner = as_person("bf.partner")
    upload(partner, parcels(bad=True))
    errors = partner.get_by_test_id("upload-errors")
    expect(errors).to_contain_text("Nothing was taken in")
    expect(errors).to_contain_text("column “handling_code”: The column “handling_code” is missing")
    expect(errors).to_contain_text("Row 3, column “found_on”: The date cannot be in the future")
    expect(errors).to_contain_text("Row 4, column “sender_reference”")
    assert not Referral.objects.exists()


def test_a_parcel_referral_from_upload_to_outcome(as_person):
    partner = as_person("bf.partner")
    upload(partner, parcels())
    expect(partner.get_by_role("alert")).to_contain_text("2 new referrals")
    expect(partner.get_by_test_id("referrals")).to_contain_text("BF-FP-0001")

    triager = as_person("swrocu.triage")
    triager.get_by_role("link", name="Referrals", exact=True).click()
    queue = triager.get_by_test_id("referrals")
    expect(queue).to_contain_text("Priority 1: urgent")  # raised by the strong match
    triager.get_by_role("row", name="BF-FP-0001").get_by_role("link").click()
    pointers = triager.get_by_test_id("pointers")
    expect(pointers).to_contain_text("Dyfed-Powys Police")
    expect(pointers).to_contain_text("Strong match")
    expect(triager.get_by_test_id("matches")).to_contain_text("None.")
    expect(triager.get_by_text("Xylander")).to_have_count(0)
    triager.get_by_label("Intelligence report recorded").check()
    triager.get_by_label("Source evaluation").select_option("1")
    triager.get_by_label("Intelligence assessment").select_option("A")
    triager.get_by_role("button", name="Record decision").click()
    expect(triager.get_by_role("alert")).to_contain_text("Decision recorded")
    expect(triager.get_by_test_id("outcome")).to_contain_text("INT-SWROCU-")

    partner.goto("/referrals/?scope=sent")
    row = partner.get_by_role("row", name="BF-FP-0001")
    expect(row).to_contain_text("Intelligence report recorded")
    row.get_by_role("link").click()
    expect(partner.get_by_test_id("outcome")).to_contain_text("Intelligence report recorded")
    body = partner.locator("main").inner_text()
    for secret in ("Xylander", "Dyfed-Powys", "HIT-", "INT-SWROCU"):
        assert secret not in body, secret
