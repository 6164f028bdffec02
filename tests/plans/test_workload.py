"""Workload: plans per LRO and SIO of the lead's organisation, by band, with overdue reviews,
flagged past the limit held as data; only the lead sees it, and only what the policy lets them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concord.ownership import services as ownership
from concord.plans import services, workload
from concord.plans.models import Plan, WorkloadLimit
from tests.access.reading import text_of
from tests.access.registry import make_ocg
from tests.factories import UserFactory, organisation

pytestmark = pytest.mark.django_db


def _person(username, code, roles, vetting="NPPV3"):
    return UserFactory(
        username=username, organisation=organisation(code), roles=roles, vetting_level=vetting
    )


@pytest.fixture
def unit(cast):
    lead = _person("dp.lead", "DYP", ["chief_officer"], "SC")
    busy, quiet = _person("dp.busy", "DYP", ["lro"]), _person("dp.quiet", "DYP", ["lro"])
    sio = cast("dp.sio")
    WorkloadLimit.objects.update_or_create(role="lro", defaults={"max_plans": 2})
    items = []
    for n, band in enumerate(["A", "A", "B"]):
        ocg = make_ocg("DYP", "OFFICIAL", False)
        type(ocg).objects.filter(pk=ocg.pk).update(band=band)
        ownership.appoint(actor=lead, item=ocg, role="lro", person=busy)
        ownership.appoint(actor=lead, item=ocg, role="sio", person=sio)
        services.add_objective(actor=busy, item=ocg, strand="pursue", text="Charge them")
        if n == 0:
            Plan.objects.filter(ocg=ocg).update(
                next_review_on=timezone.localdate() - dt.timedelta(days=3)
            )
        items.append(ocg)
    ocg = make_ocg("DYP", "OFFICIAL", False)
    ownership.appoint(actor=lead, item=ocg, role="lro", person=quiet)
    # A GMP group whose LRO is of GMP: never on Dyfed-Powys's page.
    gmp = make_ocg("GMP", "OFFICIAL", False)
    ownership.appoint(actor=cast("gmp.sio"), item=gmp, role="lro", person=cast("gmp.lro"))
    return {"lead": lead, "busy": busy, "quiet": quiet, "sio": sio}


def test_plans_per_person_by_band_flagged_past_the_limit(unit):
    loads, bands = workload.workload(unit["lead"])
    by = {(x.person.username, x.role): x for x in loads}
    busy = by[("dp.busy", "lro")]
    assert dict(busy.bands) == {"A": 2, "B": 1}
    assert busy.plans == 3
    assert busy.overdue == 1
    assert busy.over
    assert not by[("dp.quiet", "lro")].over
    assert by[("dp.sio", "sio")].plans == 3
    assert "gmp.lro" not in {x.person.username for x in loads}
    assert bands[:2] == ["A", "B"]


def test_only_a_lead_sees_the_page(unit, cast, signed_in, django_assert_max_num_queries):
    assert signed_in(unit["busy"]).get("/plans/workload/").status_code == 404
    assert signed_in(cast("gmp.lro")).get("/plans/workload/").status_code == 404
    client = signed_in(unit["lead"])
    with django_assert_max_num_queries(20):
        page = client.get("/plans/workload/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Over the limit" in text
    assert unit["busy"].get_full_name() in text
    assert cast("gmp.lro").get_full_name() not in text
    csv = text_of(client.get("/plans/workload/?export=csv"))
    assert unit["busy"].get_full_name() in csv
    assert "Yes" in csv
    assert client.get("/plans/workload/?export=xlsx").status_code == 200
    # More posts, same number of queries.
    for _n in range(5):
        ocg = make_ocg("DYP", "OFFICIAL", False)
        ownership.appoint(
            actor=unit["lead"], item=ocg, role="lro", person=_person(f"dp.l{_n}", "DYP", ["lro"])
        )
    with django_assert_max_num_queries(20):
        assert client.get("/plans/workload/").status_code == 200
