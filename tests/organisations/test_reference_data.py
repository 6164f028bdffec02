"""The reference data loaded by migration matches DOMAIN.md's table of regions and forces."""

from __future__ import annotations

import pytest

from concord.organisations.models import Organisation, Region, Role

pytestmark = pytest.mark.django_db

EXPECTED_FORCES = {
    "north-west": {
        "Cheshire",
        "Cumbria",
        "Greater Manchester",
        "Lancashire",
        "Merseyside",
        "North Wales",
    },
    "north-east": {"Cleveland", "Durham", "Northumbria"},
    "yorkshire-humber": {"Humberside", "North Yorkshire", "South Yorkshire", "West Yorkshire"},
    "east-midlands": {
        "Derbyshire",
        "Leicestershire",
        "Lincolnshire",
        "Northamptonshire",
        "Nottinghamshire",
    },
    "west-midlands": {"Staffordshire", "Warwickshire", "West Mercia", "West Midlands"},
    "eastern": {
        "Bedfordshire",
        "Cambridgeshire",
        "Essex",
        "Hertfordshire",
        "Kent",
        "Norfolk",
        "Suffolk",
    },
    "south-east": {"Hampshire and Isle of Wight", "Surrey", "Sussex", "Thames Valley"},
    "south-west": {
        "Avon and Somerset",
        "Devon and Cornwall",
        "Dorset",
        "Gloucestershire",
        "Wiltshire",
    },
    "southern-wales": {"Dyfed-Powys", "Gwent", "South Wales"},
    "london": {"City of London", "Metropolitan"},
}


def _place(name: str) -> str:
    for suffix in (" Constabulary", " Police Service", " Police"):
        name = name.removesuffix(suffix)
    return name


def test_there_are_43_territorial_forces_each_in_its_region():
    assert Organisation.objects.forces().count() == 43
    for code, places in EXPECTED_FORCES.items():
        forces = Organisation.objects.forces().filter(region__code=code)
        assert {_place(f.name) for f in forces} == places, code


def test_nine_rocus_serve_ten_regions_and_london_has_none():
    assert Region.objects.count() == 10
    rocus = Organisation.objects.rocus()
    assert rocus.count() == 9
    assert set(rocus.values_list("region__code", flat=True)) == set(EXPECTED_FORCES) - {"london"}


def test_national_agencies_and_partners_are_present():
    kinds = dict(Organisation.objects.values_list("code", "kind"))
    assert kinds["NCA"] == kinds["BTP"] == "national"
    for code in ("BF", "HMRC", "HOIE", "HMPPS", "DWP"):
        assert kinds[code] == "partner"


def test_welsh_forces_carry_their_welsh_names():
    assert Organisation.objects.get(code="DYP").name_cy == "Heddlu Dyfed-Powys"
    assert Organisation.objects.get(code="TARIAN").lead_force.code == "SWP"


def test_every_role_in_the_brief_exists():
    assert set(Role.objects.values_list("code", flat=True)) == {
        "analyst",
        "intelligence_officer",
        "sio",
        "lro",
        "sro",
        "tasking_chair",
        "chief_officer",
        "partner_user",
        "auditor",
        "administrator",
        "watch_desk",  # issue 14: the deconfliction watch desk
    }


def test_reference_rows_are_editable_data(client):
    force = Organisation.objects.get(code="WIL")
    force.name = "Wiltshire and Swindon Police"
    force.save()
    assert Organisation.objects.get(code="WIL").name == "Wiltshire and Swindon Police"
