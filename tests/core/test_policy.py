"""The access policy: the queryset filter and the one-object decision agree, case by case."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from concord.core import policy
from concord.core.models import ProtectedRecord, validate_classification
from concord.core.services import set_need_to_know, share_record
from concord.threats.models import Ocg
from tests.access.registry import make_ocg
from tests.factories import UserFactory, organisation, persona

pytestmark = pytest.mark.django_db

PEOPLE = [
    "dp.analyst",
    "dp.lro",
    "dp.sio",
    "tarian.sio",
    "tarian.chair",
    "gmp.lro",
    "nwrocu.sio",
    "nca.tasking",
    "wilts.analyst",
    "bf.partner",
    "mcc.partner",
    "psd.auditor",
    "admin",
]


def visible_via_queryset(user, obj) -> bool:
    return Ocg.objects.visible_to(user).filter(pk=obj.pk).exists()


@pytest.fixture
def world():
    people = {name: persona(name) for name in PEOPLE}
    records = {
        "official": make_ocg("DYP", "OFFICIAL", False),
        "sensitive": make_ocg("DYP", "OFFICIAL", True),
        "secret": make_ocg("DYP", "SECRET", False),
        "gmp": make_ocg("GMP", "OFFICIAL", False),
    }
    # dp.analyst was raised to SC by make_ocg for the SECRET record; put NPPV3 back.
    people["dp.analyst"].vetting_level = "NPPV3"
    people["dp.analyst"].save()
    restricted = make_ocg("DYP", "OFFICIAL", False)
    set_need_to_know(actor=persona("dp.analyst"), obj=restricted, people=[people["dp.sio"]])
    records["restricted"] = restricted
    shared = make_ocg("DYP", "OFFICIAL", False)
    share_record(
        actor=persona("dp.analyst"),
        obj=shared,
        to_organisation=organisation("WIL"),
        purpose="Joint work on county lines",
    )
    share_record(
        actor=persona("dp.analyst"),
        obj=shared,
        to_person=people["mcc.partner"],
        purpose="Safeguarding referral",
    )
    records["shared"] = shared
    for person in people.values():
        policy.forget(person)
    return people, records


EXPECTED_BASIS = {
    ("dp.analyst", "official"): "own",
    ("dp.lro", "official"): "own",
    ("tarian.sio", "official"): "regional",
    ("nca.tasking", "official"): "national",
    ("gmp.lro", "official"): None,
    ("nwrocu.sio", "official"): None,
    ("bf.partner", "official"): None,
    ("psd.auditor", "official"): None,  # auditors audit; they do not read the register
    ("admin", "official"): None,  # nor do administrators
    ("tarian.sio", "sensitive"): None,
    ("dp.lro", "sensitive"): "own",
    ("dp.lro", "secret"): None,  # NPPV3 is not cleared for SECRET
    ("tarian.sio", "secret"): "regional",  # SC
    ("dp.lro", "restricted"): None,
    ("dp.sio", "restricted"): "need_to_know",
    ("tarian.sio", "restricted"): None,
    ("wilts.analyst", "shared"): "share",
    ("mcc.partner", "shared"): "share",
    ("bf.partner", "shared"): None,
    ("gmp.lro", "gmp"): "own",
    ("nwrocu.sio", "gmp"): "regional",
    ("tarian.sio", "gmp"): None,
}


@pytest.mark.parametrize(("who", "which"), sorted(EXPECTED_BASIS))
def test_the_basis_of_access_is_as_the_rules_say(world, who, which):
    people, records = world
    assert policy.basis(people[who], records[which]) == EXPECTED_BASIS[(who, which)]


def test_the_queryset_and_the_object_decision_agree_for_everyone(world):
    people, records = world
    for (name, person), obj in itertools.product(people.items(), records.values()):
        assert visible_via_queryset(person, obj) == (policy.basis(person, obj) is not None), (
            name,
            obj.reference,
        )


def test_only_the_owning_organisation_may_change_or_share(world):
    people, records = world
    obj = records["official"]
    assert policy.can(people["dp.analyst"], policy.CHANGE, obj)
    assert policy.can(people["dp.analyst"], policy.SHARE, obj)
    assert not policy.can(people["tarian.sio"], policy.CHANGE, obj)  # sees it, regionally
    assert not policy.can(people["nca.tasking"], policy.SHARE, obj)
    assert not policy.can(people["wilts.analyst"], policy.CHANGE, records["shared"])


def test_a_reason_is_needed_only_outside_own_work(world):
    people, records = world
    assert not policy.needs_reason(people["dp.analyst"], records["official"])
    assert not policy.needs_reason(people["dp.sio"], records["restricted"])
    assert policy.needs_reason(people["tarian.sio"], records["official"])
    assert policy.needs_reason(people["wilts.analyst"], records["shared"])


def test_expired_vetting_sees_nothing(world):
    people, records = world
    person = people["dp.analyst"]
    person.vetting_expires = timezone.localdate() - dt.timedelta(days=1)
    person.save()
    policy.forget(person)
    assert not Ocg.objects.visible_to(person).exists()
    assert policy.basis(person, records["official"]) is None


def test_a_secondee_works_for_the_organisation_they_are_seconded_to(world):
    from concord.organisations.models import Secondment

    _people, records = world
    seconded = UserFactory(
        username="dp.secondee",
        organisation=organisation("DYP"),
        roles=["analyst"],
        vetting_level="SC",
    )
    Secondment.objects.create(
        person=seconded,
        organisation=organisation("TARIAN"),
        starts=timezone.localdate() - dt.timedelta(days=10),
    )
    assert policy.basis(seconded, records["official"]) == "regional"
    assert policy.basis(seconded, records["gmp"]) is None


def test_anonymous_people_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Ocg.objects.visible_to(AnonymousUser()).exists()
    assert not Ocg.objects.visible_to(None).exists()


@pytest.mark.parametrize("value", ["TOP SECRET", "top-secret", "TOP_SECRET"])
def test_top_secret_is_refused_with_a_clear_message(value):
    with pytest.raises(ValidationError, match="TOP SECRET material does not belong on Concord"):
        validate_classification(value)


def test_official_sensitive_is_official_with_a_marking():
    with pytest.raises(ValidationError, match="OFFICIAL-SENSITIVE is OFFICIAL with the SENSITIVE"):
        validate_classification("OFFICIAL-SENSITIVE")


def test_the_marking_line_shows_the_handling_marking(world):
    _, records = world
    assert records["sensitive"].marking == "OFFICIAL-SENSITIVE"
    assert records["secret"].marking == "SECRET"
    assert issubclass(Ocg, ProtectedRecord)
