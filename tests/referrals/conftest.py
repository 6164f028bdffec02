"""Referral fixtures: the sender, the triager and a Dyfed-Powys nominal with a phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import persona

PHONE = "07700 900999"


@pytest.fixture
def sender(db: None) -> Any:
    return persona("bf.partner")


@pytest.fixture
def triager(db: None) -> Any:
    return persona("swrocu.triage")


@pytest.fixture
def dyfed_nominal(db: None) -> Any:
    """A Dyfed-Powys nominal ("Quentin Xylander") who uses PHONE."""
    from tests.access.registry import make_entity

    entity = make_entity("DYP", "OFFICIAL", False)
    return entity.links.get().nominal


def row(**overrides: Any) -> dict[str, str]:
    """One good referral row: an imitation firearm addressed to an Exeter postcode."""
    values = {
        "sender_reference": "BF-0001",
        "found_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "category": "imitation_firearm",
        "items": "Imitation pistol; two magazines",
        "place": "Coventry parcel hub",
        "postcode": "EX4 3SR",
        "people": "Jordan Pascoe 1999-02-03",
        "addresses": "",
        "phones": "",
        "emails": "",
        "accounts": "",
        "handling_code": "P",
        "handling_conditions": "",
    }
    values.update(overrides)
    return values
