"""Capacity follows from the posts, and a stream's end takes what it pays for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from concord.capabilities import capacity, services
from concord.capabilities.choices import FundingKind
from concord.capabilities.models import Post
from tests.factories import organisation

pytestmark = pytest.mark.django_db


def _stream(actor, code, kind, ends=None):
    return services.save_stream(
        actor=actor,
        organisation=organisation("TARIAN"),
        details=services.StreamDetails(
            code=code, name=code, kind=kind, starts=dt.date(2020, 4, 1), ends=ends
        ),
    )


@pytest.fixture
def world(cast):
    chair = cast("tarian.chair")
    org = organisation("TARIAN")
    grant = _stream(chair, "uplift", FundingKind.HOME_OFFICE_GRANT, dt.date(2027, 3, 31))
    core = _stream(chair, "contributions", FundingKind.FORCE_CONTRIBUTIONS)
    surveillance = services.save_unit(
        actor=chair,
        organisation=org,
        capability=services.capability("specialist-surveillance"),
        name="Tarian surveillance",
    )
    forensics = services.save_unit(
        actor=chair,
        organisation=org,
        capability=services.capability("digital-forensics"),
        name="Tarian DFU",
    )
    for n in range(10):  # ten officers at 37 hours, 10% abstracted: 9 officers, one team of 8
        services.save_post(
            actor=chair,
            unit=surveillance,
            details=services.PostDetails(
                reference=f"SS-{n:03}",
                role="Surveillance officer",
                fte="1",
                hours="37",
                vetting="SC",
                starts=dt.date(2022, 4, 1),
                ends=dt.date(2027, 3, 31) if n < 4 else None,
                leave_pct="10",
            ),
            funding=[(grant, "1")] if n < 4 else [(core, "1")],
        )
    services.save_post(
        actor=chair,
        unit=forensics,
        details=services.PostDetails(
            reference="DFU-001",
            role="Examiner",
            fte="1",
            hours="37",
            vetting="SC",
            starts=dt.date(2021, 1, 1),
        ),
        funding=[(grant, "0.5"), (core, "0.5")],
    )
    services.save_post(
        actor=chair,
        unit=forensics,
        details=services.PostDetails(
            reference="DFU-002",
            role="Examiner",
            fte="1",
            hours="37",
            vetting="SC",
            starts=dt.date(2021, 1, 1),
            status="vacant",
        ),
    )
    return chair, grant, core


def test_capacity_on_a_day_in_each_capabilitys_unit(world):
    found = {
        p.capability.code: p
        for p in capacity.pools(capacity.posts_for(Post.objects.all()), dt.date(2026, 12, 1))
    }
    surveillance = found["specialist-surveillance"]
    assert surveillance.posts == 10
    assert surveillance.officers == Decimal("9.0")
    assert surveillance.capacity == 1  # 9 officers make one team of 8, not 1.125
    assert surveillance.fixed_term == 4
    forensics = found["digital-forensics"]
    assert (forensics.posts, forensics.filled) == (2, 1)  # the vacant post brings nothing
    assert forensics.capacity == Decimal("37.0")


def test_capacity_falls_when_fixed_term_posts_end(world):
    days = [dt.date(2026, 12, 1), dt.date(2027, 4, 1)]
    over_time = capacity.timeline(capacity.posts_for(Post.objects.all()), days)
    later = {p.capability.code: p for p in over_time[days[1]]}
    assert later["specialist-surveillance"].officers == Decimal("5.4")
    assert later["specialist-surveillance"].capacity == 0


def test_a_stream_ending_takes_the_posts_and_shares_it_pays(world):
    _chair, grant, _core = world
    end = capacity.stream_end(grant)
    assert end.from_day == dt.date(2027, 4, 1)
    # The four fixed-term posts it pays go with it; the examiner loses half its funding.
    assert [loss.post.reference for loss in end.losses] == [
        "DFU-001",
        "SS-000",
        "SS-001",
        "SS-002",
        "SS-003",
    ]
    assert end.posts_lost == 4
    assert end.by_capability["specialist-surveillance"] == Decimal("0.45")
    assert end.by_capability["digital-forensics"] == Decimal("18.5")
    sooner = capacity.stream_end(grant, ends=dt.date(2026, 3, 31))
    assert sooner.posts_lost == 4
    assert sooner.from_day == dt.date(2026, 4, 1)
    # A post that ended before the stream's last day is not lost with it.
    later = capacity.stream_end(grant, ends=dt.date(2028, 3, 31))
    assert [loss.post.reference for loss in later.losses] == ["DFU-001"]
