"""Identifiers are normalised the same way however they were typed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from concord.threats import identifiers as ids


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("sa312pf", "SA31 2PF"),
        ("SA31 2PF", "SA31 2PF"),
        (" m1  6eu ", "M1 6EU"),
        ("EC1A1BB", "EC1A 1BB"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_postcodes_become_canonical(typed, canonical):
    assert ids.postcode(typed) == canonical


@pytest.mark.parametrize("bad", ["SA31", "12345", "QA1 1AA", "", "SA31 2PFF"])
def test_bad_postcodes_are_refused_with_the_value_named(bad):
    with pytest.raises(ValueError, match="is not a UK postcode"):
        ids.postcode(bad)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("+44 7700-900-123", "+447700900123"),
        ("+353 1 234 5678", "+35312345678"),
        ("01267 226440", "+441267226440"),
    ],
)
def test_phones_become_e164(typed, canonical):
    assert ids.phone(typed) == canonical


def test_vrms_lose_spaces_and_case():
    assert ids.vrm("ab12 cde") == "AB12CDE"
    with pytest.raises(ValueError, match="not a vehicle registration mark"):
        ids.vrm("AB12 CDE!")


def test_vins_refuse_i_o_q():
    assert ids.vin("1hgcm82633a004352") == "1HGCM82633A004352"
    with pytest.raises(ValueError, match="17-character VIN"):
        ids.vin("1HGCM82633A00435O")


def test_accounts_and_companies():
    assert ids.sort_code_and_account("20-00-00", "1234 5678") == "200000-12345678"
    assert ids.company_number("123456") == "00123456"
    assert ids.company_number("sc12345") == "SC012345"
    assert ids.email("Dylan.Evans@Example.ORG") == "Dylan.Evans@example.org"


@given(st.from_regex(r"0[1-9][0-9]{9}", fullmatch=True), st.sampled_from([" ", "-", ""]))
def test_phone_spacing_never_changes_the_canonical_form(number, separator):
    spaced = separator.join([number[:5], number[5:8], number[8:]])
    assert ids.phone(spaced) == ids.phone(number) == "+44" + number[1:]


@given(st.from_regex(r"[A-Z]{2}[0-9]{2}[A-Z]{3}", fullmatch=True))
def test_vrm_normalisation_is_idempotent(mark):
    assert ids.vrm(ids.vrm(mark.lower())) == mark
