"""The live allocation from the register and the posts: a Dyfed-Powys OCG needing technical
surveillance that Tarian lacks is served by the South West ROCU's unit, and each person is told
only what they may see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concord.capabilities import planning
from concord.capabilities.models import AllocationRun
from concord.core.models import AuditEntry
from concord.ownership import tasking as tasking_services
from tests.access.registry import make_ocg
from tests.access.test_matrix import client_for
from tests.factories import organisation

pytestmark = pytest.mark.django_db


def test_the_south_west_serves_the_dyfed_powys_need_across_regions(escalated):
    world = planning.build(starts=timezone.localdate(), weeks=6)
    problem = planning.problem_of(world)
    need = problem.need(f"{escalated.reference}/technical-surveillance")
    assert (need.amount, need.region, need.min_team_size) == (1, "southern-wales", 3)
    from concord.capabilities import allocation

    plan = allocation.solve(problem)
    served = [a for a in plan.assignments if a.need == need.id]
    assert [(a.pool, a.amount) for a in served] == [("SWROCU/technical-surveillance", 1)]
    assert served[0].cost > 0  # outside the owner's region: flex


def test_a_chair_runs_it_and_each_person_sees_what_they_may(escalated, cast):
    chair = client_for(cast("tarian.chair"))
    assert chair.post("/capabilities/allocation/", {"weeks": "6"}).status_code == 302
    run = AllocationRun.objects.get()
    assert run.coverage > 0
    assert AuditEntry.objects.filter(object_type="capabilities.allocationrun").exists()
    page = chair.get("/capabilities/allocation/").content.decode()
    assert escalated.reference in page
    assert "SWROCU" in page
    # Greater Manchester sees neither the Dyfed-Powys OCG nor the South West's capacity.
    gmp = client_for(cast("gmp.sio")).get("/capabilities/allocation/").content.decode()
    assert escalated.reference not in gmp
    assert "SWROCU" not in gmp
    # Only a ROCU's or the NCA's chairs run it.
    assert client_for(cast("dp.lro")).post("/capabilities/allocation/").status_code == 404
    assert AllocationRun.objects.count() == 1


def test_bad_weeks_are_refused_by_name(escalated, cast):
    chair = client_for(cast("tarian.chair"))
    response = chair.post("/capabilities/allocation/", {"weeks": "99"}, follow=True)
    assert "Plan for 1 to 52 weeks." in response.content.decode()
    assert not AllocationRun.objects.exists()


def test_a_grant_ending_names_the_threats_it_leaves_unserved_to_those_who_see_them(escalated, cast):
    from concord.capabilities.models import FundingStream
    from concord.organisations.models import User

    stream = FundingStream.objects.get(organisation__code="SWROCU")
    sw = client_for(User.objects.get(username="sw.chief"))
    ends = timezone.localdate() + dt.timedelta(days=7)
    url = f"/capabilities/funding/{stream.pk}/?ends={ends.isoformat()}&threats=1"
    page = sw.get(url).content.decode()
    # The South West may not see the Dyfed-Powys OCG: it is counted, never named.
    assert "And 1 other threat you may not see." in page
    assert escalated.reference not in page
    national = client_for(cast("nca.tasking")).get(url).content.decode()
    assert escalated.reference in national


def test_a_loan_tried_against_the_plan_changes_nothing_stored(escalated, cast):
    chair = client_for(cast("tarian.chair"))
    chair.post("/capabilities/allocation/", {"weeks": "6"})
    base = "/capabilities/allocation/?scenario=loan&capability=technical-surveillance&amount=1"
    page = chair.get(f"{base}&from=south-west&to=southern-wales").content.decode()
    assert 'data-testid="scenario-result"' in page
    assert "Priority-weighted coverage" in page
    refused = chair.get(f"{base}&from=north-west&to=southern-wales").content.decode()
    assert "north-west holds only 0" in refused
    same = chair.get(f"{base}&from=south-west&to=south-west").content.decode()
    assert "Choose another region to borrow." in same
    assert AllocationRun.objects.count() == 1
    assert (
        client_for(cast("dp.lro")).get(f"{base}&from=south-west&to=southern-wales").status_code
        == 404
    )


def test_a_need_is_named_on_the_ocg_page_by_a_party_to_its_request(cast):
    from concord.capabilities.models import Demand

    ocg = make_ocg("DYP", "OFFICIAL", False)
    request = tasking_services.request_tasking(
        actor=cast("dp.sio"),
        to_organisation=organisation("TARIAN"),
        capability="Digital forensics",
        asked="Examine the seized phones",
        reason="Supply into Carmarthen",
        respond_by=timezone.localdate() + dt.timedelta(days=20),
        ocg=ocg,
    )
    sio = client_for(cast("dp.sio"))
    page = sio.get(f"/ocgs/{ocg.reference}/").content.decode()
    assert "Name a capability need" in page
    url = f"/capabilities/needs/ocg/{ocg.reference}/"
    form = {
        "source": f"tasking:{request.pk}",
        "capability": "digital-forensics",
        "amount": "20",
        "starts": timezone.localdate().isoformat(),
        "weeks": "4",
    }
    bad = sio.post(url, {**form, "weeks": "0"}, follow=True).content.decode()
    assert "Enter a whole number of weeks from 1 to 104." in bad
    assert not Demand.objects.exists()
    assert sio.post(url, form).status_code == 302
    need = Demand.objects.get()
    assert (need.tasking_id, need.capability.code, need.amount) == (
        request.pk,
        "digital-forensics",
        20,
    )
    assert (need.ends - need.starts).days == 27
    # Greater Manchester may not see the OCG: the page and the form are not there for it.
    assert client_for(cast("gmp.sio")).post(url, form).status_code == 404
    # A partner is never a party that names needs.
    assert (
        "Name a capability need"
        not in client_for(cast("bf.partner")).get(f"/ocgs/{ocg.reference}/").content.decode()
    )
    assert Demand.objects.count() == 1
