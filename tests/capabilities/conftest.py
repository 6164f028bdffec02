"""The capabilities' cast: a Dyfed-Powys OCG escalated to Tarian needing technical surveillance
that Tarian lacks, and the South West ROCU's staffed unit that can lend it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concord.capabilities import demand, services
from concord.capabilities.choices import DemandSource, FundingKind
from concord.ownership import tasking as tasking_services
from concord.threats.models import Ocg
from tests.access.registry import make_ocg
from tests.capabilities.building import staffed_unit
from tests.factories import UserFactory, organisation


def _unit(actor, code, capability, posts):
    org = organisation(code)
    stream = services.save_stream(
        actor=actor,
        organisation=org,
        details=services.StreamDetails(
            code="core", name="Core", kind=FundingKind.CORE, starts=dt.date(2020, 4, 1)
        ),
    )
    return staffed_unit(
        actor, org, stream, posts, capability=capability, starts=dt.date(2024, 1, 1)
    )


@pytest.fixture
def escalated(cast):
    sw_chief = UserFactory(
        username="sw.chief",
        organisation=organisation("SWROCU"),
        roles=["chief_officer"],
        vetting_level="SC",
    )
    _unit(sw_chief, "SWROCU", "technical-surveillance", 3)  # one team of three
    ocg = make_ocg("DYP", "OFFICIAL", False)
    Ocg.objects.filter(pk=ocg.pk).update(band="1A")
    ocg.refresh_from_db()
    request = tasking_services.request_tasking(
        actor=cast("dp.sio"),
        to_organisation=organisation("TARIAN"),
        capability="Technical surveillance",
        asked="Covert deployment on the principal's vehicle",
        reason="Firearms supply into Llanelli",
        respond_by=timezone.localdate() + dt.timedelta(days=20),
        ocg=ocg,
    )
    demand.record_demand(
        actor=cast("tarian.chair"),
        item=ocg,
        capability=services.capability("technical-surveillance"),
        amount="1",
        starts=timezone.localdate(),
        ends=timezone.localdate() + dt.timedelta(weeks=6),
        source=DemandSource.TASKING,
        tasking=request,
    )
    return ocg
