"""Fellegi-Sunter scoring: per field and level, m (how often a true match agrees so) and u (how
often two different people do) as data; a pair's score is the sum of log2(m/u) over its fields,
and the explanation says which fields agreed, how, and what each weighed."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ._text import _
from .comparators import (
    Level,
    compare_dob,
    compare_given,
    compare_postcode,
    compare_surname,
    compare_text,
    compare_values,
    compare_vrms,
    names_swapped,
)
from .subject import MatchingError, Prepared

FIELDS: tuple[str, ...] = (
    "given_name",
    "surname",
    "dob",
    "address",
    "postcode",
    "town",
    "phone",
    "email",
    "vrm",
    "vin",
    "imei",
    "account",
    "handle",
)

_IDENTIFIER = {"exact": (0.9, 1e-6), "mismatch": (0.1, 0.9999)}

# The default m and u per field and level. m: a share of true matches; u: a share of pairs of
# different people (from UK name and birth-date frequencies: about 1 in 100 share a given
# name, 1 in 500 a surname, 1 in 20,000 a date of birth). Levels not listed weigh nothing.
DEFAULT_WEIGHTS: Mapping[str, Mapping[str, tuple[float, float]]] = {
    "given_name": {
        "exact": (0.80, 0.01),
        "nickname": (0.08, 0.004),
        "swapped": (0.02, 0.0001),
        "phonetic": (0.03, 0.01),
        "fuzzy": (0.04, 0.01),
        "initial": (0.01, 0.03),
        "mismatch": (0.02, 0.94),
    },
    "surname": {
        "exact": (0.86, 0.002),
        "swapped": (0.02, 0.0001),
        "phonetic": (0.04, 0.004),
        "fuzzy": (0.06, 0.004),
        "mismatch": (0.02, 0.99),
    },
    "dob": {
        "exact": (0.86, 0.00005),
        "day_month": (0.04, 0.0002),
        "digit": (0.04, 0.002),
        "year": (0.02, 0.0006),
        "mismatch": (0.04, 0.997),
    },
    "address": {"exact": (0.55, 0.0002), "fuzzy": (0.10, 0.002), "mismatch": (0.35, 0.998)},
    "postcode": {
        "exact": (0.60, 0.0005),
        "sector": (0.05, 0.004),
        "district": (0.05, 0.02),
        "mismatch": (0.30, 0.975),
    },
    "town": {"exact": (0.65, 0.02), "fuzzy": (0.05, 0.01), "mismatch": (0.30, 0.97)},
    "phone": _IDENTIFIER,
    "email": _IDENTIFIER,
    # Households and fleets share vehicles: a VRM is weaker evidence of a person than a phone.
    "vrm": {"exact": (0.85, 1e-4), "folded": (0.10, 1e-3), "mismatch": (0.05, 0.9999)},
    "vin": _IDENTIFIER,
    "imei": _IDENTIFIER,
    "account": _IDENTIFIER,
    "handle": {"exact": (0.8, 1e-5), "mismatch": (0.2, 0.9999)},
}


@dataclass(frozen=True)
class Weights:
    """Validated m/u probabilities per field and level, and their log2(m/u) weights."""

    probabilities: Mapping[str, Mapping[str, tuple[float, float]]]
    table: Mapping[str, Mapping[Level, float]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table: dict[str, dict[Level, float]] = {}
        for name, levels in self.probabilities.items():
            if name not in FIELDS:
                raise MatchingError(f"weights.{name}", _("is not a field that is compared"))
            table[name] = {}
            for level, pair in levels.items():
                path = f"weights.{name}.{level}"
                if level not in Level.__members__.values():
                    raise MatchingError(path, _("is not a level of agreement"))
                if not (isinstance(pair, tuple | list) and len(pair) == 2):
                    raise MatchingError(path, _("must be a pair (m, u)"))
                m, u = (_probability(f"{path}.{i}", p) for i, p in zip("mu", pair, strict=True))
                table[name][Level(level)] = math.log2(m / u)
        object.__setattr__(self, "table", MappingProxyType(table))

    def weight(self, name: str, level: Level) -> float:
        """The weight in bits of one field agreeing at one level (0 where none is given)."""
        return self.table.get(name, {}).get(level, 0.0)


def _probability(path: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MatchingError(path, _("must be a number"))
    if not 0 < value <= 1:
        raise MatchingError(path, _("must be above 0 and at most 1"))
    return float(value)


DEFAULT = Weights(DEFAULT_WEIGHTS)

# The default thresholds, in bits: a pair at or above MATCH is a hit; at or above REVIEW is
# worth a person's look. Same name and date of birth score about 28; same name alone about 10.
MATCH = 14.0
REVIEW = 8.0


@dataclass(frozen=True, slots=True)
class Agreement:
    """How one field of a pair agreed (`level`) and what it weighed in bits."""

    field: str
    level: Level
    weight: float


@dataclass(frozen=True, slots=True)
class Scored:
    """A scored pair: both subjects' ids, the total in bits and each field's agreement."""

    left: str
    right: str
    score: float
    agreements: tuple[Agreement, ...]

    @property
    def agreed(self) -> tuple[Agreement, ...]:
        """The fields that agreed at some level (exact, nickname, fuzzy …)."""
        return tuple(a for a in self.agreements if a.level is not Level.MISMATCH)

    def probability(self, prior: float) -> float:
        """The match probability, given the share of pairs expected to match (`prior`)."""
        odds = prior / (1 - prior) * 2**self.score
        return odds / (1 + odds)


def levels(a: Prepared, b: Prepared) -> dict[str, Level]:
    """Each field's level of agreement between two prepared subjects (symmetric)."""
    given = compare_given(
        a.given, b.given, a.given_groups, b.given_groups, a.given_code, b.given_code
    )
    surname = compare_surname(a.surname, b.surname, a.surname_code, b.surname_code)
    if (
        given is Level.MISMATCH
        and surname is Level.MISMATCH
        and names_swapped(a.given, a.surname, b.given, b.surname)
    ):
        given = surname = Level.SWAPPED
    return {
        "given_name": given,
        "surname": surname,
        "dob": compare_dob(a.dob, b.dob),
        "address": compare_text(a.address, b.address),
        "postcode": compare_postcode(a.postcode, b.postcode),
        "town": compare_text(a.town, b.town),
        "phone": compare_values(a.phone, b.phone),
        "email": compare_values(a.email, b.email),
        "vrm": compare_vrms(a.vrm, b.vrm, a.vrm_folded, b.vrm_folded),
        "vin": compare_values(a.vin, b.vin),
        "imei": compare_values(a.imei, b.imei),
        "account": compare_values(a.account, b.account),
        "handle": compare_values(a.handle, b.handle),
    }


# Fields a household shares (its address, its car): they agree together for two people of one
# household, so summing them as if independent would make a parent and child one person. The
# group counts once: its best agreeing field, or where none agrees its worst disagreeing one.
HOUSEHOLD: frozenset[str] = frozenset({"address", "postcode", "town", "vrm"})


def score(a: Prepared, b: Prepared, weights: Weights = DEFAULT) -> Scored:
    """Score a pair: the sum of each field's weight (the household group counted once), with
    the agreements that make it up, each with the weight it counted for."""
    found = [
        (name, level, weights.weight(name, level))
        for name, level in levels(a, b).items()
        if level is not Level.MISSING
    ]
    household = [w for name, _level, w in found if name in HOUSEHOLD]
    counted = max(household) if household and max(household) > 0 else min(household, default=0)
    agreements = []
    spent = False  # the group's weight is counted on its first field that has it
    for name, level, weight in found:
        if name in HOUSEHOLD:
            if weight == counted and not spent:
                spent = True
            else:
                weight = 0.0
        agreements.append(Agreement(name, level, weight))
    total = round(sum(a.weight for a in agreements), 6)
    return Scored(left=a.id, right=b.id, score=total, agreements=tuple(agreements))
