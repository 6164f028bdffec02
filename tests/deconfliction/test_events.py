"""Event deconfliction: places whose circles meet at times that overlap, found by a bounding
box and the time window on indexed columns, then the haversine distance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from concord.deconfliction.choices import DeploymentKind, HitKind
from concord.deconfliction.places import box, distance_m, point_of
from tests.deconfliction.helpers import deployment, operation, tonight
from tests.factories import persona

pytestmark = pytest.mark.django_db

SALFORD = (53.4830, -2.2850)


def test_haversine_distance_is_right_at_known_distances():
    # One degree of latitude is about 111.2 km anywhere.
    assert distance_m((53.0, -2.0), (54.0, -2.0)) == pytest.approx(111_195, rel=1e-3)
    # Manchester to Liverpool is about 50 km.
    assert distance_m((53.4808, -2.2426), (53.4084, -2.9916)) == pytest.approx(50_300, rel=0.02)


def test_the_box_holds_every_point_within_its_distance():
    south, north, west, east = box(SALFORD, 1000)
    for bearing_point in [
        (south, SALFORD[1]),
        (north, SALFORD[1]),
        (SALFORD[0], west),
        (SALFORD[0], east),
    ]:
        assert distance_m(SALFORD, bearing_point) == pytest.approx(1000, rel=0.01)


def test_a_postcode_becomes_a_point_offline():
    assert point_of("m5 4wt") == pytest.approx(SALFORD)
    assert point_of("ZZ9 9ZZ") is None
    assert point_of("not a postcode") is None


def test_a_warrant_inside_surveillance_on_the_same_night_is_an_urgent_hit(
    django_capture_on_commit_callbacks,
):
    nw = operation("nwrocu.sio")
    gmp = operation("gmp.sio")
    deployment(nw, postcode="M5 4WT", radius_m=400, when=tonight(17, 6))
    mail.outbox.clear()
    persona("nca.watchdesk")
    with django_capture_on_commit_callbacks(execute=True):
        _d, hits = deployment(
            gmp,
            kind=DeploymentKind.WARRANT,
            latitude=SALFORD[0] + 0.003,  # about 330 m north
            longitude=SALFORD[1],
            radius_m=100,
            when=tonight(21, 1),
        )
    assert len(hits) == 1
    assert hits[0].kind == HitKind.EVENT
    assert hits[0].urgent  # tomorrow evening is within two days
    urgent = [m for m in mail.outbox if "URGENT" in m.subject]
    assert [m.to for m in urgent] == [["nca.watchdesk@example.invalid"]]


def test_circles_that_do_not_meet_or_times_that_do_not_overlap_are_no_hit():
    nw = operation("nwrocu.sio")
    gmp = operation("gmp.sio")
    deployment(nw, latitude=SALFORD[0], longitude=SALFORD[1], radius_m=200, when=tonight(17, 2))
    # 600 m apart, radii 200 + 200.
    _d, apart = deployment(
        gmp, latitude=SALFORD[0] + 0.0054, longitude=SALFORD[1], radius_m=200, when=tonight(17, 2)
    )
    assert apart == []
    # Same place, later the same night.
    _d, later = deployment(
        gmp, latitude=SALFORD[0], longitude=SALFORD[1], radius_m=200, when=tonight(19, 2)
    )
    assert later == []


def test_a_far_future_conflict_is_not_urgent_unless_flagged():
    nw = operation("nwrocu.sio")
    gmp = operation("gmp.sio")
    start, end = tonight(10, 2)
    when = (start + dt.timedelta(days=20), end + dt.timedelta(days=20))
    deployment(nw, postcode="M5 4WT", when=when)
    _d, (hit,) = deployment(gmp, postcode="M5 4WT", when=when)
    assert not hit.urgent
    _d, flagged = deployment(operation("dp.sio"), postcode="M5 4WT", when=when, urgent=True)
    assert len(flagged) == 2  # both earlier deployments
    assert all(h.urgent for h in flagged)


def test_a_deployment_needs_a_known_place_and_a_sensible_window():
    gmp = operation("gmp.sio")
    with pytest.raises(ValidationError) as caught:
        deployment(gmp, postcode="ZZ9 9ZZ")
    assert "postcode" in caught.value.message_dict
    start, _end = tonight()
    with pytest.raises(ValidationError) as caught:
        deployment(gmp, postcode="M5 4WT", when=(start, start))
    assert "ends" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        deployment(gmp, latitude=40.0, longitude=-2.0)
    assert "latitude" in caught.value.message_dict
    assert not gmp.deployments.exists()
