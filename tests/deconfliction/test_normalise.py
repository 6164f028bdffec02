"""Normalisers: what is written differently comes out the same, and normalising twice changes
nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from concord.deconfliction.matching import normalise


@pytest.mark.parametrize(
    "written",
    ["07700 900123", "+44 7700 900123", "0044 7700 900123", "(07700) 900-123", "447700900123"],
)
def test_phones_written_any_uk_way_are_one_e164_number(written: str) -> None:
    assert normalise.phone(written) == "+447700900123"


def test_a_phone_with_its_own_country_code_keeps_it() -> None:
    assert normalise.phone("+353 85 123 4567") == "+353851234567"


def test_a_phone_read_in_another_region() -> None:
    assert normalise.phone("085 123 4567", region="IE") == "+353851234567"


@pytest.mark.parametrize("junk", ["", "no number", "12", "+44"])
def test_what_is_not_a_phone_is_none(junk: str) -> None:
    assert normalise.phone(junk) is None


def test_vrms_lose_case_and_spacing() -> None:
    assert normalise.vrm(" ab12 cde ") == "AB12CDE"
    assert normalise.vrm("AB-12-CDE") == "AB12CDE"
    assert normalise.vrm("  ") is None


def test_vrm_look_alikes_fold_together() -> None:
    assert normalise.vrm_folded("AB12 CDE") == normalise.vrm_folded("A812 CDE") == "A812CDE"
    assert normalise.vrm_folded("SO51 ZIX") == normalise.vrm_folded("5051 21X")
    assert normalise.vrm_folded("AB12 CDE") != normalise.vrm_folded("AB12 CDF")


def test_vins_are_seventeen_characters_with_i_o_q_read_as_digits() -> None:
    assert normalise.vin("1m8gdm9a-xkp042788") == "1M8GDM9AXKP042788"
    assert normalise.vin("1M8GDM9AXKPO42788") == "1M8GDM9AXKP042788"
    assert normalise.vin("1M8GDM9AXKP04278") is None
    assert normalise.vin_check_digit_ok("1M8GDM9AXKP042788")
    assert not normalise.vin_check_digit_ok("1M8GDM9A1KP042788")


def test_postcodes_split_into_outward_inward_sector_and_area() -> None:
    code = normalise.postcode("sa311ab")
    assert code is not None
    assert (code.text, code.outward, code.inward, code.sector, code.area) == (
        "SA31 1AB",
        "SA31",
        "1AB",
        "SA31 1",
        "SA",
    )
    assert normalise.postcode(" m1  1ae ") == normalise.postcode("M1 1AE")
    assert normalise.postcode("EC1A 1BB") is not None
    assert normalise.postcode("not a postcode") is None
    assert normalise.postcode("SA31") is None


def test_emails_fold_case_and_gmail_dots_and_tags() -> None:
    assert normalise.email(" Some.One+tag@GoogleMail.com ") == "someone@gmail.com"
    assert normalise.email("Some.One+tag@hotmail.co.uk") == "some.one@hotmail.co.uk"
    assert normalise.email("Some.One+tag@police.uk") == "some.one+tag@police.uk"
    assert (
        normalise.email("a.b@example.org", dotless=frozenset({"example.org"})) == "ab@example.org"
    )
    assert normalise.email("no at sign") is None
    assert normalise.email("x@localhost") is None


def test_imeis_pass_luhn_and_take_a_missing_check_digit() -> None:
    assert normalise.imei("49-015420-323751-8") == "490154203237518"
    assert normalise.imei("49015420323751") == "490154203237518"
    assert normalise.imei("4901542032375186") == "490154203237518"  # IMEISV
    assert normalise.imei("490154203237519") is None
    assert normalise.luhn_ok("79927398713")
    assert not normalise.luhn_ok("79927398710")


def test_bank_accounts_are_sort_code_and_eight_digit_number() -> None:
    assert normalise.bank_account("40-12-76 41234567") == "401276-41234567"
    assert normalise.bank_account("401276 1234567") == "401276-01234567"
    assert normalise.bank_account("12345") is None


def test_handles_lose_at_signs_case_and_profile_links() -> None:
    assert normalise.handle("@Some_One") == "some_one"
    assert normalise.handle("https://x.com/Some_One/") == "some_one"
    assert normalise.handle(" @ ") is None


def test_addresses_become_canonical_tokens() -> None:
    assert normalise.address("12, High Street") == normalise.address("12 high st") == "12 high st"
    assert normalise.address("Flat 3, 4 Crescent Road") == "flat 3 4 cres rd"
    assert normalise.address(" , ") is None


def test_names_are_transliterated_to_ascii_lower_case() -> None:
    assert normalise.name("Zoë") == "zoe"
    assert normalise.name("O'Neil-Smith") == "oneil smith"
    assert normalise.name("Łukasz") == "lukasz"
    assert normalise.name("Мария") == "mariya"


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@given(texts)
def test_normalisers_are_idempotent(text: str) -> None:
    for normaliser in (
        normalise.phone,
        normalise.vrm,
        normalise.vrm_folded,
        normalise.vin,
        normalise.email,
        normalise.imei,
        normalise.bank_account,
        normalise.handle,
        normalise.address,
    ):
        once = normaliser(text)
        if once is not None:
            assert normaliser(once) == once, normaliser.__name__
    code = normalise.postcode(text)
    if code is not None:
        assert normalise.postcode(code.text) == code
    assert normalise.name(normalise.name(text)) == normalise.name(text)
