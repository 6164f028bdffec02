"""The vacancy clock runs from when an item came onto the register (defect 9): a group mapped
eight months ago and recorded today has been without an LRO for eight months."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concord.ownership import services
from concord.threats import services as threats
from concord.threats.models import Ocg

pytestmark = pytest.mark.django_db


def mapped(actor, days_ago: int, name: str = "Operation Ystwyth") -> Ocg:
    return threats.map_ocg(
        actor=actor,
        details=threats.OcgDetails(
            name=name,
            criminality=["organised-acquisitive-crime"],
            force_areas=["DYP"],
            mapped_on=timezone.localdate() - dt.timedelta(days=days_ago),
        ),
    )


def test_a_group_mapped_eight_months_ago_without_an_lro_is_a_vacancy(cast):
    ocg = mapped(cast("dp.sio"), 240)
    found = services.vacancies(ocg)
    assert [v.role for v in found] == ["lro"]
    assert "14 days after mapping" in found[0].why


def test_a_group_mapped_this_week_is_not_yet_a_vacancy(cast, settings):
    settings.CONCORD_LRO_VACANCY_DAYS = 14
    ocg = mapped(cast("dp.sio"), 3)
    assert services.vacancies(ocg) == []


def test_the_clock_counts_whole_days_from_mapping(cast, settings):
    settings.CONCORD_LRO_VACANCY_DAYS = 14
    sio = cast("dp.sio")
    on_the_day = mapped(sio, 14, "Operation Fourteen")
    day_before = mapped(sio, 13, "Operation Thirteen")
    assert [v.role for v in services.vacancies(on_the_day)] == ["lro"]
    assert services.vacancies(day_before) == []
    # The database filter the agenda and home page use agrees with the page's own check.
    found = Ocg.objects.filter(services.on_register_before(Ocg, services.lro_vacancy_since()))
    assert set(found) == {on_the_day}


def test_a_priority_individual_counts_from_designation(cast):
    sio = cast("dp.sio")
    ocg = threats.map_ocg(
        actor=sio,
        details=threats.OcgDetails(
            name="Operation Gwenllian",
            criminality=["illegal-firearms"],
            force_areas=["DYP"],
            members=[
                threats.MemberDetails(
                    nominal=threats.NominalDetails(forenames="Iwan", surname="Pryce"),
                    role="principal",
                )
            ],
        ),
    )
    nominal = ocg.members.get().nominal
    pi = threats.designate_priority_individual(
        actor=sio,
        nominal_reference=nominal.reference,
        ocgs=[ocg.reference],
        designated_on=timezone.localdate() - dt.timedelta(days=60),
    )
    assert [v.role for v in services.vacancies(pi)] == ["lro"]
    # The group itself was mapped today: no vacancy yet.
    assert services.vacancies(ocg) == []
