"""Comparators and scores: nicknames, phonetic codes, typos, swapped names and dates, each pair
explained; weights are validated data; a score is symmetric and a subject matches itself."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concord.deconfliction.matching import (
    DEFAULT,
    DEFAULT_WEIGHTS,
    MATCH,
    Level,
    MatchingError,
    Subject,
    Weights,
    levels,
    prepare,
    score,
)
from concord.deconfliction.matching.comparators import compare_dob, compare_postcode, compare_text

WILLIAM = Subject(
    id="L1",
    given_name="William",
    surname="Jones",
    dob=date(1988, 3, 7),
    address="12 High Street",
    postcode="SA31 1AB",
    town="Carmarthen",
    phone=("07700 900123",),
    vrm=("CY12 SOB",),
)


def level(field: str, a: Subject, b: Subject) -> Level:
    return levels(prepare(a), prepare(b))[field]


def test_given_names_agree_exactly_by_nickname_phonetically_or_by_a_typo() -> None:
    def given_level(name: str) -> Level:
        return level("given_name", WILLIAM, Subject(id="R", given_name=name))

    assert given_level("WILLIAM") is Level.EXACT
    assert given_level("Bill") is Level.NICKNAME
    assert given_level("Wiliam") is Level.PHONETIC
    assert given_level("Wilhiam") is Level.FUZZY
    assert given_level("W") is Level.INITIAL
    assert given_level("Gareth") is Level.MISMATCH
    assert level(
        "given_name", Subject(id="a", given_name="Stephen"), Subject(id="b", given_name="Steven")
    ) in (
        Level.NICKNAME,
        Level.PHONETIC,
    )
    assert level("given_name", WILLIAM, Subject(id="R")) is Level.MISSING


def test_surnames_agree_phonetically_or_by_a_typo() -> None:
    def surname_level(name: str) -> Level:
        return level("surname", Subject(id="a", surname="Smith"), Subject(id="b", surname=name))

    assert surname_level("smith") is Level.EXACT
    assert surname_level("Smyth") is Level.PHONETIC
    assert surname_level("Smiht") is Level.FUZZY
    assert surname_level("Evans") is Level.MISMATCH


def test_transliterated_names_agree_exactly() -> None:
    a = Subject(id="a", given_name="Zoë", surname="Łukaszewicz")
    b = Subject(id="b", given_name="Zoe", surname="Lukaszewicz")
    assert (level("given_name", a, b), level("surname", a, b)) == (Level.EXACT, Level.EXACT)


def test_given_and_family_names_swapped_are_found() -> None:
    swapped = Subject(id="R", given_name="Jones", surname="William")
    found = levels(prepare(WILLIAM), prepare(swapped))
    assert (found["given_name"], found["surname"]) == (Level.SWAPPED, Level.SWAPPED)


def test_dates_of_birth_swapped_mistyped_or_a_year_out() -> None:
    born = date(1988, 3, 7)
    assert compare_dob(born, date(1988, 3, 7)) is Level.EXACT
    assert compare_dob(born, date(1988, 7, 3)) is Level.DAY_MONTH
    assert compare_dob(born, date(1988, 3, 8)) is Level.DIGIT
    assert compare_dob(born, date(1989, 3, 7)) is Level.YEAR
    assert compare_dob(born, date(1998, 3, 7)) is Level.YEAR
    assert compare_dob(born, date(1990, 11, 21)) is Level.MISMATCH
    assert compare_dob(born, None) is Level.MISSING


def test_postcodes_agree_by_sector_or_district_and_addresses_by_tokens() -> None:
    assert compare_postcode("SA31 1AB", "SA31 1AB") is Level.EXACT
    assert compare_postcode("SA31 1AB", "SA31 1ZZ") is Level.SECTOR
    assert compare_postcode("SA31 1AB", "SA31 3AB") is Level.DISTRICT
    assert compare_postcode("SA31 1AB", "SA32 1AB") is Level.MISMATCH
    assert compare_text("flat 2 12 high st", "12 high st") is Level.FUZZY
    assert compare_text("12 high st", "9 mill ln") is Level.MISMATCH


def test_identifiers_written_differently_agree_and_vrm_look_alikes_fold() -> None:
    other = Subject(id="R", phone=("+44 7700 900 123",), vrm=("CY12 5O8",))
    found = levels(prepare(WILLIAM), prepare(other))
    assert found["phone"] is Level.EXACT
    assert found["vrm"] is Level.FOLDED
    assert found["email"] is Level.MISSING


def test_a_nickname_with_day_and_month_swapped_is_a_match_and_says_why() -> None:
    bill = Subject(
        id="R7", given_name="Bill", surname="Jones", dob=date(1988, 7, 3), phone=("+447700900123",)
    )
    scored = score(prepare(WILLIAM), prepare(bill))
    assert scored.score >= MATCH
    assert (scored.left, scored.right) == ("L1", "R7")
    how = {a.field: a.level for a in scored.agreed}
    assert how == {
        "given_name": Level.NICKNAME,
        "surname": Level.EXACT,
        "dob": Level.DAY_MONTH,
        "phone": Level.EXACT,
    }
    weights = {a.field: a.weight for a in scored.agreements}
    assert weights["given_name"] == pytest.approx(DEFAULT.weight("given_name", Level.NICKNAME))
    assert 0 < scored.probability(1e-6) < 1


def test_a_household_shares_an_address_and_a_car_but_is_not_one_person() -> None:
    daughter = Subject(
        id="R2",
        given_name="Carys",
        surname="Jones",
        dob=date(2004, 9, 30),
        address="12 High St",
        postcode="SA311AB",
        town="Carmarthen",
        vrm=("CY12SOB",),
    )
    scored = score(prepare(WILLIAM), prepare(daughter))
    assert scored.score < MATCH
    counted = [
        a.field
        for a in scored.agreements
        if a.field in {"address", "postcode", "town", "vrm"} and a.weight
    ]
    assert len(counted) == 1  # the household counts once


def test_two_strangers_do_not_match() -> None:
    stranger = Subject(id="R3", given_name="Gareth", surname="Evans", dob=date(1971, 12, 1))
    assert score(prepare(WILLIAM), prepare(stranger)).score < 0


def test_weights_are_validated_data_naming_the_bad_field() -> None:
    with pytest.raises(MatchingError) as bad_field:
        Weights({"shoe_size": {"exact": (0.9, 0.1)}})
    assert bad_field.value.path == "weights.shoe_size"
    with pytest.raises(MatchingError) as bad_level:
        Weights({"surname": {"close": (0.9, 0.1)}})
    assert bad_level.value.path == "weights.surname.close"
    with pytest.raises(MatchingError) as bad_u:
        Weights({"surname": {"exact": (0.9, 0)}})
    assert bad_u.value.path == "weights.surname.exact.u"
    heavier = Weights({**DEFAULT_WEIGHTS, "surname": {"exact": (0.9, 0.0001)}})
    assert heavier.weight("surname", Level.EXACT) > DEFAULT.weight("surname", Level.EXACT)


def test_subjects_are_validated_naming_the_field() -> None:
    with pytest.raises(MatchingError) as empty_id:
        Subject(id=" ")
    assert empty_id.value.path == "id"
    with pytest.raises(MatchingError) as bad_dob:
        Subject(id="x", dob="1988-03-07")  # type: ignore[arg-type]  # the mistake under test
    assert bad_dob.value.path == "dob"
    with pytest.raises(MatchingError) as bad_phone:
        Subject(id="x", phone=("07700 900123", 7))  # type: ignore[arg-type]  # the mistake under test
    assert bad_phone.value.path == "phone[1]"


names = st.sampled_from(
    ["William", "Bill", "Will", "Jones", "Jonse", "Smith", "Smyth", "Zoë", "", "J"]
)
subjects = st.builds(
    Subject,
    id=st.sampled_from(["a", "b"]),
    given_name=names,
    surname=names,
    dob=st.none() | st.dates(min_value=date(1940, 1, 1), max_value=date(2010, 12, 31)),
    postcode=st.sampled_from(["", "SA31 1AB", "SA31 1ZZ", "M1 1AE"]),
    phone=st.lists(st.sampled_from(["07700 900123", "+44 7700 900124", "x"]), max_size=2).map(
        tuple
    ),
    vrm=st.lists(st.sampled_from(["CY12 SOB", "CY12 508", "AB12 CDE"]), max_size=2).map(tuple),
)


@settings(max_examples=200, deadline=None)
@given(subjects, subjects)
def test_a_score_is_the_same_either_way_round(a: Subject, b: Subject) -> None:
    forward, backward = score(prepare(a), prepare(b)), score(prepare(b), prepare(a))
    assert forward.score == backward.score
    assert [(x.field, x.level) for x in forward.agreements] == [
        (x.field, x.level) for x in backward.agreements
    ]


@settings(max_examples=200, deadline=None)
@given(subjects)
def test_a_subject_always_matches_itself(a: Subject) -> None:
    scored = score(prepare(a), prepare(a))
    assert all(x.level is not Level.MISMATCH for x in scored.agreements)
    if a.given_name and a.surname and a.dob:
        assert scored.score >= MATCH
