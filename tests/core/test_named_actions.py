"""The policy's named actions: each defined once, by the app that owns the record, and
checked by its services (a refusal reads as 404 from outside)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from concord.core import policy
from tests.access.registry import make_ocg
from tests.factories import persona

pytestmark = pytest.mark.django_db


def test_every_named_action_is_defined_once():
    assert set(policy.rules()) == set(policy.Act)


def test_a_second_definition_of_an_action_is_refused():
    with pytest.raises(RuntimeError, match="already defined"):
        policy.rule(policy.Act.APPOINT)(lambda user, obj: True)


def test_nobody_signed_out_may_do_anything():
    from django.contrib.auth.models import AnonymousUser

    ocg = make_ocg("DYP", "OFFICIAL", False)
    assert not policy.may(AnonymousUser(), policy.Act.APPOINT, ocg)


def test_appointing_is_for_the_owning_organisation():
    ocg = make_ocg("DYP", "OFFICIAL", False)
    assert policy.may(persona("dp.lro"), policy.Act.APPOINT, ocg)
    assert not policy.may(persona("tarian.sio"), policy.Act.APPOINT, ocg)  # sees it, regionally
    with pytest.raises(PermissionDenied):
        policy.require(persona("gmp.lro"), policy.Act.APPOINT, ocg)


def test_deciding_a_transfer_is_for_the_deciders_of_the_receiving_party():
    from concord.ownership import transfers
    from tests.factories import organisation

    ocg = make_ocg("DYP", "OFFICIAL", False)
    request = transfers.request_transfer(
        actor=persona("dp.sio"),
        item=ocg,
        kind="support",
        to_organisation=organisation("TARIAN"),
        reason="Regional SIO support needed",
        asked="An SIO",
    )
    assert policy.may(persona("tarian.chair"), policy.Act.DECIDE_TRANSFER, request)
    assert not policy.may(persona("tarian.sio"), policy.Act.DECIDE_TRANSFER, request)
    assert not policy.may(persona("nwrocu.chair"), policy.Act.DECIDE_TRANSFER, request)
