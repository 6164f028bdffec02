"""Uploading a file of referrals: all or nothing, errors by row and column, idempotent on the
sender's own reference, CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from concord.referrals import services
from concord.referrals.intake import COLUMNS
from concord.referrals.models import Referral, ReferralMatch, ReferralUpload
from tests.referrals.conftest import PHONE, row

pytestmark = pytest.mark.django_db


def as_csv(rows: list[dict[str, str]], columns: tuple[str, ...] | list[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def parcels(n: int) -> list[dict[str, str]]:
    return [row(sender_reference=f"BF-{i:04d}") for i in range(1, n + 1)]


def test_a_bad_upload_names_every_error_by_row_and_column_and_stores_nothing(sender):
    rows = parcels(4)
    rows[1]["found_on"] = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    rows[3]["sender_reference"] = "BF-0001"
    columns = [c for c in COLUMNS if c != "handling_code"]
    result = services.upload_referrals(
        actor=sender, filename="parcels.csv", content=as_csv(rows, columns)
    )
    assert not result.ok
    assert (1, "handling_code", "The column “handling_code” is missing.") in result.errors
    assert (3, "found_on", "The date cannot be in the future.") in result.errors
    assert any(r == 5 and c == "sender_reference" and "row 2" in m for r, c, m in result.errors)
    # The missing column is named once, not on every row.
    assert [c for _r, c, _m in result.errors].count("handling_code") == 1
    assert not Referral.objects.exists()
    assert not ReferralUpload.objects.exists()


def test_one_bad_row_keeps_every_good_row_out(sender):
    rows = parcels(3)
    rows[2]["postcode"] = "ZZ99 9ZZ"
    result = services.upload_referrals(actor=sender, filename="p.csv", content=as_csv(rows))
    assert [(r, c) for r, c, _m in result.errors] == [(4, "postcode")]
    assert not Referral.objects.exists()


def test_uploading_the_same_file_again_changes_nothing(sender, dyfed_nominal):
    rows = parcels(3)
    rows[0]["phones"] = PHONE
    first = services.upload_referrals(actor=sender, filename="p.csv", content=as_csv(rows))
    assert (first.created, first.unchanged, first.strong_matches) == (3, 0, 1)
    again = services.upload_referrals(actor=sender, filename="p.csv", content=as_csv(rows))
    assert (again.created, again.unchanged) == (0, 3)
    assert Referral.objects.count() == 3
    assert ReferralMatch.objects.count() == 1


def test_checking_a_file_stores_nothing(sender):
    result = services.upload_referrals(
        actor=sender, filename="p.csv", content=as_csv(parcels(2)), dry_run=True
    )
    assert result.ok
    assert result.checked == 2
    assert not Referral.objects.exists()


def test_an_excel_file_is_read_like_a_csv(sender):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for r in parcels(2):
        sheet.append([r[c] for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    result = services.upload_referrals(actor=sender, filename="p.xlsx", content=buffer.getvalue())
    assert result.ok, result.errors
    assert sorted(Referral.objects.values_list("sender_reference", flat=True)) == [
        "BF-0001",
        "BF-0002",
    ]


def test_the_upload_page_lists_the_errors_and_takes_in_a_good_file(sender, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(sender)
    rows = parcels(2)
    rows[1]["found_on"] = "2999-01-01"
    bad = SimpleUploadedFile("p.csv", as_csv(rows), content_type="text/csv")
    page = client.post("/referrals/upload/", {"file": bad, "step": "import"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Row 3" in text
    assert "found_on" in text
    assert "govuk-error-summary" in text
    assert not Referral.objects.exists()
    good = SimpleUploadedFile("p.csv", as_csv(parcels(2)), content_type="text/csv")
    done = client.post("/referrals/upload/", {"file": good, "step": "import"})
    assert done.status_code == 302
    assert Referral.objects.count() == 2
