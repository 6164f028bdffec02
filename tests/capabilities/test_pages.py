"""The capability pages from outside: what each person sees in lists, details and downloads,
the import page, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from concord.capabilities import services
from concord.capabilities.choices import FundingKind
from concord.capabilities.models import Post
from tests.access.test_matrix import body, client_for
from tests.capabilities.building import staffed_unit
from tests.factories import organisation

pytestmark = pytest.mark.django_db

MARK = "Wrexlington"


def _stream(actor, code, org, ends=dt.date(2027, 3, 31)):
    return services.save_stream(
        actor=actor,
        organisation=org,
        details=services.StreamDetails(
            code=code,
            name=f"{MARK} grant {code}",
            kind=FundingKind.HOME_OFFICE_GRANT,
            starts=dt.date(2024, 4, 1),
            ends=ends,
        ),
        years={2026: "120000"},
    )


def _posts(actor, org, stream, n, capability="technical-surveillance"):
    return staffed_unit(
        actor,
        org,
        stream,
        n,
        capability=capability,
        name=f"{org.code} {MARK} unit {capability}",
        prefix=f"{org.code}-{MARK}-{capability[:3]}",
        ends=dt.date(2027, 3, 31),
    )


@pytest.fixture
def tarian(cast):
    chair = cast("tarian.chair")
    org = organisation("TARIAN")
    stream = _stream(chair, "uplift", org)
    _posts(chair, org, stream, 3)
    return chair, stream


PAGES = ["/capabilities/", "/capabilities/posts/", "/capabilities/funding/"]


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("tarian.chair", True),
        ("dp.analyst", True),
        ("nca.tasking", True),
        ("gmp.sio", False),
        ("nwrocu.chair", False),
        ("bf.partner", False),
    ],
)
def test_lists_details_and_downloads_agree_on_who_sees(tarian, cast, username, sees):
    _chair, stream = tarian
    client = client_for(cast(username))
    for url in PAGES[1:]:
        for suffix in ("", "?export=csv", "?export=xlsx"):
            response = client.get(url + suffix)
            assert response.status_code == 200
            assert (MARK in body(response)) == sees, (username, url + suffix)
    detail = client.get(f"/capabilities/funding/{stream.pk}/")
    assert detail.status_code == (200 if sees else 404)
    if sees:
        assert "Posts affected" in detail.content.decode()


def test_the_catalogue_counts_only_visible_capacity(tarian, cast):
    nw_chair = cast("nwrocu.chair")
    nw = organisation("NWROCU")
    _posts(nw_chair, nw, _stream(nw_chair, "nw", nw), 5)
    page = client_for(cast("tarian.chair")).get("/capabilities/").content.decode()
    # Three filled DV officers at 37 hours, no abstraction: one team of three.
    assert 'data-testid="capacity-technical-surveillance">1<' in page
    national = client_for(cast("nca.tasking")).get("/capabilities/").content.decode()
    assert 'data-testid="capacity-technical-surveillance">2<' in national


def test_a_stream_end_tried_on_another_date(tarian, cast):
    _chair, stream = tarian
    client = client_for(cast("tarian.chair"))
    page = client.get(f"/capabilities/funding/{stream.pk}/?ends=2026-03-31").content.decode()
    assert "3 posts paid wholly by this stream go" in page
    bad = client.get(f"/capabilities/funding/{stream.pk}/?ends=31-03-2026").content.decode()
    assert "Enter a date as YYYY-MM-DD." in bad


def test_a_bad_filter_names_its_field(tarian, cast):
    page = client_for(cast("tarian.chair")).get("/capabilities/posts/?ends_before=soon&status=x")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'href="#f-ends_before"' in text
    assert 'href="#f-status"' in text


def test_query_counts_do_not_grow_with_posts(tarian, cast, django_assert_max_num_queries):
    chair, stream = tarian
    client = client_for(chair)
    for url in PAGES:
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200
    _posts(chair, organisation("TARIAN"), stream, 30, capability="digital-forensics")
    for url in PAGES:
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200


def test_import_checks_then_imports(tarian, cast):
    chair, _stream = tarian
    client = client_for(chair)
    assert client.get("/capabilities/import/").status_code == 200
    assert client_for(cast("tarian.sio")).get("/capabilities/import/").status_code == 404
    sheet = (
        b"unit,capability,post,role,fte,hours,vetting,starts,funding\n"
        b"Tarian GAIN,gain,GAIN-1,GAIN coordinator,1,37,NPPV3,2025-04-01,uplift 100%\n"
    )
    checked = client.post(
        "/capabilities/import/",
        {"step": "check", "file": SimpleUploadedFile("posts.csv", sheet)},
    )
    assert "Every row is good" in checked.content.decode()
    assert not Post.objects.filter(reference="GAIN-1").exists()
    done = client.post(
        "/capabilities/import/",
        {"step": "import", "file": SimpleUploadedFile("posts.csv", sheet)},
    )
    assert done.status_code == 302
    assert Post.objects.filter(reference="GAIN-1").exists()
    bad = client.post(
        "/capabilities/import/",
        {
            "step": "import",
            "file": SimpleUploadedFile("posts.csv", sheet.replace(b",37,", b",-3,")),
        },
    )
    assert "Row 2, column “hours”" in bad.content.decode()
