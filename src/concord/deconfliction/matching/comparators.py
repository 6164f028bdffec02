"""Comparators: names (nicknames, phonetic codes, typos, swapped parts), dates of birth
(day and month swapped, one digit wrong, year off), and the identifiers. Each returns a level
(`Level`); every comparator is symmetric, so that a pair scores the same either way round."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import cache

import jellyfish
from nicknames import NickNamer
from rapidfuzz.distance import JaroWinkler, Levenshtein

# Jaro-Winkler similarity from which two names count as one mistyped (0.9 is the usual cut-off
# in the record-linkage literature); a single edit in a name of four letters or more also does.
FUZZY_SIMILARITY = 0.9
FUZZY_MIN_LENGTH = 4


class Level(StrEnum):
    """How one field of a pair agreed, best first."""

    EXACT = "exact"
    NICKNAME = "nickname"
    SWAPPED = "swapped"
    FOLDED = "folded"
    PHONETIC = "phonetic"
    FUZZY = "fuzzy"
    SECTOR = "sector"
    DISTRICT = "district"
    DAY_MONTH = "day_month"
    DIGIT = "digit"
    YEAR = "year"
    INITIAL = "initial"
    MISMATCH = "mismatch"
    MISSING = "missing"


@cache
def nick_namer() -> NickNamer:
    """The nicknames package's list (Apache-2.0), read once."""
    return NickNamer()


@cache
def nickname_groups(given: str) -> frozenset[str]:
    """The canonical names a given name stands for, itself included (bill -> william, bill):
    two given names are nicknames of one another where their groups meet."""
    if not given:
        return frozenset()
    namer = nick_namer()
    groups = {given, *namer.canonicals_of(given)}
    # A canonical name is the group of itself; one also listed as a nickname (a canonical
    # "al" of "albert") joins the groups of what it shortens.
    if namer.nicknames_of(given):
        groups.add(given)
    return frozenset(groups)


@cache
def phonetic(value: str) -> str:
    """The Metaphone code of a normalised name ("" for none): Smith and Smyth share SM0."""
    return jellyfish.metaphone(value).upper() if value else ""


def similar(a: str, b: str) -> bool:
    """Whether two different spellings are close enough to be one name mistyped."""
    if JaroWinkler.normalized_similarity(a, b) >= FUZZY_SIMILARITY:
        return True
    return min(len(a), len(b)) >= FUZZY_MIN_LENGTH and Levenshtein.distance(a, b) <= 1


def compare_given(
    a: str, b: str, a_groups: frozenset[str], b_groups: frozenset[str], a_code: str, b_code: str
) -> Level:
    """Given names: exact, nickname, phonetic, fuzzy, initial (J against John) or mismatch."""
    if not a or not b:
        return Level.MISSING
    if a == b:
        return Level.EXACT
    if a_groups & b_groups:
        return Level.NICKNAME
    if a_code == b_code:
        return Level.PHONETIC
    if similar(a, b):
        return Level.FUZZY
    if (len(a) == 1 or len(b) == 1) and a[0] == b[0]:
        return Level.INITIAL
    return Level.MISMATCH


def compare_surname(a: str, b: str, a_code: str, b_code: str) -> Level:
    """Surnames: exact, phonetic, fuzzy or mismatch."""
    if not a or not b:
        return Level.MISSING
    if a == b:
        return Level.EXACT
    if a_code == b_code:
        return Level.PHONETIC
    if similar(a, b):
        return Level.FUZZY
    return Level.MISMATCH


def names_swapped(a_given: str, a_surname: str, b_given: str, b_surname: str) -> bool:
    """Whether one record has the other's given name as its surname and the other way round."""
    if not (a_given and a_surname and b_given and b_surname) or a_given == a_surname:
        return False
    return (a_given == b_surname or similar(a_given, b_surname)) and (
        a_surname == b_given or similar(a_surname, b_given)
    )


def compare_dob(a: date | None, b: date | None) -> Level:
    """Dates of birth: exact; day and month swapped; one digit wrong (YYYYMMDD); the year off
    by one or by ten with day and month the same; else mismatch."""
    if a is None or b is None:
        return Level.MISSING
    if a == b:
        return Level.EXACT
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return Level.DAY_MONTH
    if a.month == b.month and a.day == b.day and abs(a.year - b.year) in (1, 10):
        return Level.YEAR
    sa, sb = f"{a:%Y%m%d}", f"{b:%Y%m%d}"
    if sum(x != y for x, y in zip(sa, sb, strict=True)) == 1:
        return Level.DIGIT
    return Level.MISMATCH


def compare_values(a: frozenset[str], b: frozenset[str]) -> Level:
    """Sets of identifiers of one kind (a subject's phones): exact where they share one."""
    if not a or not b:
        return Level.MISSING
    return Level.EXACT if a & b else Level.MISMATCH


def compare_vrms(
    a: frozenset[str], b: frozenset[str], a_folded: frozenset[str], b_folded: frozenset[str]
) -> Level:
    """VRMs: exact, folded (equal once look-alikes are folded: O/0, I/1 …) or mismatch."""
    if not a or not b:
        return Level.MISSING
    if a & b:
        return Level.EXACT
    return Level.FOLDED if a_folded & b_folded else Level.MISMATCH


def compare_text(a: str, b: str) -> Level:
    """Free text (a town, an address's tokens): exact, fuzzy (token-set similarity) or not."""
    if not a or not b:
        return Level.MISSING
    if a == b:
        return Level.EXACT
    a_words, b_words = set(a.split()), set(b.split())
    shorter = min(len(a_words), len(b_words))
    if shorter and len(a_words & b_words) >= max(shorter - 1, 1) and shorter >= 2:
        return Level.FUZZY
    return Level.FUZZY if similar(a, b) else Level.MISMATCH


def compare_postcode(a: str, b: str) -> Level:
    """Postcodes (as "SA31 1AB"): exact, same sector, same district (outward code) or not."""
    if not a or not b:
        return Level.MISSING
    if a == b:
        return Level.EXACT
    a_out, _, a_in = a.partition(" ")
    b_out, _, b_in = b.partition(" ")
    if a_out != b_out:
        return Level.MISMATCH
    return Level.SECTOR if a_in[:1] == b_in[:1] else Level.DISTRICT
