"""The oversight pack of a ROCU for a quarter: for its chief officer (and the national
function), never for anyone else; its exceptions link to records she may open; a PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concord.core import policy
from concord.insight import consistency, statistics
from concord.monitoring.models import Alert
from concord.threats.models import Ocg
from tests.access.registry import make_ocg
from tests.access.test_matrix import client_for
from tests.factories import organisation, persona

pytestmark = pytest.mark.django_db


def _slug() -> str:
    year, quarter = statistics.quarter_of(timezone.localdate())
    return f"{year}-q{quarter}"


@pytest.fixture
def exception():
    ocg = make_ocg("DYP", "OFFICIAL", False)
    Ocg.objects.filter(pk=ocg.pk).update(review_due_on=timezone.localdate() - dt.timedelta(days=3))
    hidden = make_ocg("DYP", "OFFICIAL", True)  # sensitive: no regional reach
    Ocg.objects.filter(pk=hidden.pk).update(review_due_on=None)
    Alert.objects.create(
        kind="bulk_viewing",
        person=persona("dp.analyst"),
        organisation=organisation("DYP"),
        explanation="Opened many records",
    )
    consistency.run()
    return ocg, hidden


def test_tarian_chair_opens_the_pack_and_follows_an_exception(exception):
    ocg, hidden = exception
    chair = client_for(persona("tarian.chair"))
    page = chair.get(f"/insight/oversight/TARIAN/{_slug()}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'href="/ocgs/{ocg.reference}/"' in text
    assert hidden.reference not in text
    assert 'data-testid="counter-corruption"' in text
    assert chair.get(f"/ocgs/{ocg.reference}/").status_code in (200, 302)
    pdf = chair.get(f"/insight/oversight/TARIAN/{_slug()}/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    printed = chair.get(f"/insight/oversight/TARIAN/{_slug()}/?format=print").content.decode()
    assert ocg.reference in printed
    assert "OFFICIAL-SENSITIVE" in printed


def test_only_the_rocus_governance_and_the_national_function_open_it(exception):
    url = f"/insight/oversight/TARIAN/{_slug()}/"
    for username in ("nwrocu.chair", "dp.analyst", "gmp.sio", "tarian.sio"):
        assert client_for(persona(username)).get(url).status_code == 404, username
    assert client_for(persona("nca.tasking")).get(url).status_code == 200
    assert (
        client_for(persona("tarian.chair")).get("/insight/oversight/TARIAN/2026-q9/").status_code
        == 404
    )
    chair = persona("tarian.chair")
    assert policy.may(chair, policy.Act.OVERSEE, organisation("DYP"))
    assert not policy.may(chair, policy.Act.OVERSEE, organisation("GMP"))
    # A force's chief officer sits on the regional board: its ROCU's pack, not another's.
    lead = persona("dp.soclead")
    assert policy.may(lead, policy.Act.OVERSEE, organisation("TARIAN"))
    assert policy.may(lead, policy.Act.OVERSEE, organisation("DYP"))
    assert not policy.may(lead, policy.Act.OVERSEE, organisation("NWROCU"))
    assert not policy.may(lead, policy.Act.OVERSEE, organisation("GWE"))
    choose = client_for(chair).get("/insight/oversight/").content.decode()
    assert "/insight/oversight/TARIAN/" in choose
    assert "/insight/oversight/NWROCU/" not in choose


def test_the_pack_counts_alerts_of_its_region_only(exception):
    from concord.insight import oversight

    Alert.objects.create(
        kind="bulk_viewing",
        person=persona("gmp.sio"),
        organisation=organisation("GMP"),
        explanation="Opened many records",
    )
    year, quarter = statistics.quarter_of(timezone.localdate())
    pack = oversight.build(persona("tarian.chair"), organisation("TARIAN"), year, quarter)
    assert pack.alerts["raised"] == 1
    assert pack.alerts["open"] == 1
    assert pack.exception_count >= 1
    assert {e.organisation.region_id for e in pack.exceptions} == {organisation("TARIAN").region_id}


def test_the_pack_costs_a_fixed_number_of_queries(exception, django_assert_max_num_queries):
    chair = client_for(persona("tarian.chair"))
    chair.get(f"/insight/oversight/TARIAN/{_slug()}/")
    for _ in range(3):
        ocg = make_ocg("SWP", "OFFICIAL", False)
        Ocg.objects.filter(pk=ocg.pk).update(review_due_on=None)
    consistency.run()
    with django_assert_max_num_queries(60):
        assert chair.get(f"/insight/oversight/TARIAN/{_slug()}/").status_code == 200


def test_the_pack_in_welsh(exception):
    chair = client_for(persona("tarian.chair", language="cy"))
    text = chair.get(f"/insight/oversight/TARIAN/{_slug()}/").content.decode()
    assert "Pecyn goruchwylio" in text
    assert "Mae pob OCG a fapiwyd yn cael ei asesu o fewn ei gylch ailasesu." in text
