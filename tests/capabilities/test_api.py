"""The capability API from outside: scoped lists and details, a post recorded through the
services with bad input refused by field, and the allocation as each person may see it."""

from __future__ import annotations

import datetime as dt

import pytest

from concord.capabilities import services
from concord.capabilities.choices import FundingKind
from concord.capabilities.models import Post
from tests.factories import organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def tarian(cast):
    chair = cast("tarian.chair")
    org = organisation("TARIAN")
    stream = services.save_stream(
        actor=chair,
        organisation=org,
        details=services.StreamDetails(
            code="uplift",
            name="Uplift",
            kind=FundingKind.HOME_OFFICE_GRANT,
            starts=dt.date(2024, 4, 1),
            ends=dt.date(2027, 3, 31),
        ),
        years={2026: "100000"},
    )
    unit = services.save_unit(
        actor=chair,
        organisation=org,
        capability=services.capability("digital-forensics"),
        name="Tarian DFU",
    )
    return chair, stream, unit


def body(**overrides):
    values = {
        "unit": 0,
        "reference": "DFU-1",
        "role": "Examiner",
        "fte": "1",
        "hours": "37",
        "vetting": "SC",
        "starts": "2025-04-01",
        "ends": "2027-03-31",
        "funding": [{"stream": "uplift", "share": "1"}],
    }
    values.update(overrides)
    return values


def test_a_post_recorded_and_listed_by_scope(tarian, cast, signed_in):
    chair, stream, unit = tarian
    client = signed_in(chair)
    made = client.post(
        "/api/v1/capability-posts", body(unit=unit.pk), content_type="application/json"
    )
    assert made.status_code == 201, made.content
    assert made.json()["funding"] == [{"stream": "uplift", "share": "1.000"}]
    assert client.get("/api/v1/capability-posts").json()["count"] == 1
    end = client.get(f"/api/v1/funding-streams/{stream.pk}/end").json()
    assert end["posts_lost"] == 1
    client.force_login(cast("gmp.sio"))
    assert client.get("/api/v1/capability-posts").json()["count"] == 0
    assert client.get("/api/v1/funding-streams").json()["count"] == 0
    assert client.get(f"/api/v1/funding-streams/{stream.pk}/end").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hours": "-4"}, "hours"),
        ({"fte": "1.3"}, "fte"),
        ({"vetting": "TS"}, "vetting"),
        ({"funding": [{"stream": "uplift", "share": "1.3"}]}, "funding.0.share"),
        ({"funding": [{"stream": "lottery", "share": "1"}]}, "funding[0].stream"),
        ({"ends": "2020-01-01"}, "ends"),
    ],
)
def test_bad_posts_are_422_by_field_and_change_nothing(tarian, signed_in, overrides, field):
    chair, _stream, unit = tarian
    response = signed_in(chair).post(
        "/api/v1/capability-posts", body(unit=unit.pk, **overrides), content_type="application/json"
    )
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Post.objects.exists()


def test_a_unit_of_another_region_is_404_and_a_non_keeper_cannot_write(tarian, cast, signed_in):
    _chair, _stream, unit = tarian
    client = signed_in(cast("nwrocu.chair"))
    response = client.post(
        "/api/v1/capability-posts", body(unit=unit.pk), content_type="application/json"
    )
    assert response.status_code == 404
    client.force_login(cast("tarian.sio"))
    response = client.post(
        "/api/v1/capability-posts", body(unit=unit.pk), content_type="application/json"
    )
    assert response.status_code in (403, 404)
    assert not Post.objects.exists()


def test_no_allocation_yet_is_404(tarian, signed_in):
    chair, _stream, _unit = tarian
    assert signed_in(chair).get("/api/v1/allocation").status_code == 404
