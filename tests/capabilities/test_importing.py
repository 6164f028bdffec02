"""Importing an establishment spreadsheet: errors by row and column, all or nothing, and the
same sheet twice updates rather than duplicates."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from concord.capabilities import importing, services
from concord.capabilities.choices import FundingKind
from concord.capabilities.models import Post, PostFunding, Unit
from concord.core.models import AuditEntry
from tests.factories import organisation

pytestmark = pytest.mark.django_db

HEADER = "Unit,Capability,Post,Role,FTE,Hours,Vetting,Status,Starts,Ends,Training,Leave,Funding"
GOOD = [
    "Tarian TSU,technical-surveillance,TSU-001,Technical surveillance officer,1,40,DV,filled,"
    "2024-04-01,2027-03-31,5,12,uplift 100%",
    "Tarian TSU,technical-surveillance,TSU-002,Technical surveillance officer,0.8,37,DV,vacant,"
    "2024-04-01,,5,12,uplift 50%; contributions 50%",
    "Tarian DFU,digital-forensics,DFU-001,Digital forensic examiner,1,37,SC,filled,"
    "2020-01-06,,3,12,contributions 1",
]


def sheet(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.fixture
def chair(cast):
    person = cast("tarian.chair")
    org = organisation("TARIAN")
    for code, kind, ends in (
        ("uplift", FundingKind.HOME_OFFICE_GRANT, dt.date(2027, 3, 31)),
        ("contributions", FundingKind.FORCE_CONTRIBUTIONS, None),
    ):
        services.save_stream(
            actor=person,
            organisation=org,
            details=services.StreamDetails(
                code=code, name=code.title(), kind=kind, starts=dt.date(2019, 4, 1), ends=ends
            ),
        )
    return person


def test_a_good_sheet_imports_and_again_updates(chair):
    org = organisation("TARIAN")
    result = importing.import_posts(
        actor=chair, organisation=org, filename="posts.csv", content=sheet(*GOOD)
    )
    assert result.errors == []
    assert (result.created, result.updated) == (3, 0)
    assert Unit.objects.filter(organisation=org).count() == 2
    assert PostFunding.objects.filter(post__reference="TSU-002").count() == 2
    again = importing.import_posts(
        actor=chair,
        organisation=org,
        filename="posts.csv",
        content=sheet(*GOOD[:2], GOOD[2].replace(",37,SC,", ",30,SC,")),
    )
    assert (again.created, again.updated) == (0, 3)
    assert Post.objects.count() == 3
    assert str(Post.objects.get(reference="DFU-001").hours) == "30.0"


def test_xlsx_reads_like_csv(chair):
    book = Workbook()
    page = book.active
    page.append(HEADER.split(","))
    page.append(
        [
            "Tarian DFU",
            "digital-forensics",
            "DFU-009",
            "Examiner",
            1,
            37,
            "SC",
            "filled",
            dt.datetime(2023, 5, 2),
            None,
            0,
            10,
            "contributions 100%",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    result = importing.import_posts(
        actor=chair,
        organisation=organisation("TARIAN"),
        filename="posts.xlsx",
        content=buffer.getvalue(),
    )
    assert result.errors == []
    assert Post.objects.get(reference="DFU-009").starts == dt.date(2023, 5, 2)


@pytest.mark.parametrize(
    ("bad", "column"),
    [
        (GOOD[0].replace(",1,40,DV,", ",1,-40,DV,"), "hours"),
        (GOOD[0].replace(",1,40,DV,", ",1.5,40,DV,"), "fte"),
        (GOOD[0].replace(",DV,", ",TS,"), "vetting"),
        (GOOD[0].replace("technical-surveillance", "XYZ"), "capability"),
        (GOOD[0].replace("uplift 100%", "uplift 80%; contributions 50%"), "funding"),
        (GOOD[0].replace("uplift 100%", "lottery 100%"), "funding"),
        (GOOD[0].replace("2027-03-31", "31/03/2027"), "ends"),
        (GOOD[0].replace("2027-03-31", "2023-03-31"), "ends"),
        (GOOD[0].replace(",filled,", ",asleep,"), "status"),
        (GOOD[0].replace("Technical surveillance officer", ""), "role"),
    ],
)
def test_one_bad_row_names_its_row_and_column_and_imports_nothing(chair, bad, column):
    before = AuditEntry.objects.count()
    result = importing.import_posts(
        actor=chair,
        organisation=organisation("TARIAN"),
        filename="posts.csv",
        content=sheet(GOOD[2], bad),
    )
    assert [(row, col) for row, col, _message in result.errors] == [(3, column)]
    assert (result.created, result.updated) == (0, 0)
    assert not Post.objects.exists()
    assert not Unit.objects.exists()
    assert AuditEntry.objects.count() == before


def test_a_post_twice_in_one_sheet_is_named(chair):
    result = importing.import_posts(
        actor=chair,
        organisation=organisation("TARIAN"),
        filename="posts.csv",
        content=sheet(GOOD[0], GOOD[0]),
    )
    assert [(r, c) for r, c, _m in result.errors] == [(3, "post")]


def test_a_missing_column_and_a_stranger_are_refused(chair, cast):
    result = importing.import_posts(
        actor=chair,
        organisation=organisation("TARIAN"),
        filename="posts.csv",
        content=b"Unit,Capability\nA,gain\n",
    )
    assert {c for _r, c, _m in result.errors} >= {"post", "role", "hours"}
    refused = importing.import_posts(
        actor=cast("nwrocu.chair"),
        organisation=organisation("TARIAN"),
        filename="posts.csv",
        content=sheet(*GOOD),
    )
    assert refused.errors
    assert not Post.objects.exists()


def test_a_dry_run_checks_everything_and_writes_nothing(chair):
    result = importing.import_posts(
        actor=chair,
        organisation=organisation("TARIAN"),
        filename="posts.csv",
        content=sheet(*GOOD),
        dry_run=True,
    )
    assert result.errors == []
    assert result.created == 3
    assert not Post.objects.exists()
