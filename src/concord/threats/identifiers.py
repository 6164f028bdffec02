"""Normalising identifiers as entered into the forms matching and deconfliction compare.

Each function returns the canonical form or raises ValueError with a message for the person
who typed it. The value as entered is always kept beside the canonical one.
"""

from __future__ import annotations

import re

# UK postcodes (BS 7666 shape), plus GIR 0AA.
_POSTCODE = re.compile(
    r"^(GIR0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]?[0-9][ABD-HJLNP-UW-Z]{2})$"
)
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")  # no I, O or Q
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def postcode(value: str) -> str:
    """'sa312pf' -> 'SA31 2PF'."""
    compact = re.sub(r"\s+", "", value).upper()
    if not _POSTCODE.match(compact):
        raise ValueError(f"'{value}' is not a UK postcode.")
    return f"{compact[:-3]} {compact[-3:]}"


def vrm(value: str) -> str:
    """Vehicle registration mark without spaces, upper case: 'ab12 cde' -> 'AB12CDE'."""
    compact = re.sub(r"[\s-]+", "", value).upper()
    if not compact or len(compact) > 8 or not compact.isalnum():
        raise ValueError(f"'{value}' is not a vehicle registration mark.")
    return compact


def vin(value: str) -> str:
    compact = re.sub(r"[\s-]+", "", value).upper()
    if not _VIN.match(compact):
        raise ValueError(f"'{value}' is not a 17-character VIN (no I, O or Q).")
    return compact


def phone(value: str, default_country: str = "44") -> str:
    """E.164: '07700 900123' -> '+447700900123'; '+44 (0)7700 900123' too; '0044…' too."""
    text = value.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        number = digits
    elif digits.startswith("00"):
        number = digits[2:]
    elif digits.startswith("0"):
        number = default_country + digits[1:]
    else:
        raise ValueError(f"'{value}' is not a phone number: start with 0 or +country code.")
    # '+44 (0)7700…' written with the trunk zero after the country code.
    if number.startswith(default_country + "0"):
        number = default_country + number[len(default_country) + 1 :]
    if not 8 <= len(number) <= 15:
        raise ValueError(f"'{value}' is not a phone number.")
    return "+" + number


def email(value: str) -> str:
    text = value.strip()
    if not _EMAIL.match(text):
        raise ValueError(f"'{value}' is not an email address.")
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def sort_code_and_account(sort_code: str, account: str) -> str:
    """'20-00-00', '1234 5678' -> '200000-12345678'."""
    code, number = re.sub(r"\D", "", sort_code), re.sub(r"\D", "", account)
    if len(code) != 6:
        raise ValueError(f"'{sort_code}' is not a six-digit sort code.")
    if not 6 <= len(number) <= 10:
        raise ValueError(f"'{account}' is not an account number.")
    return f"{code}-{number.zfill(8)}"


def company_number(value: str) -> str:
    """Companies House number: 8 characters, zero-padded: '123456' -> '00123456'."""
    compact = re.sub(r"\s+", "", value).upper()
    if not re.match(r"^([A-Z]{2}[0-9]{1,6}|[0-9]{1,8})$", compact):
        raise ValueError(f"'{value}' is not a Companies House number.")
    prefix = compact[:2] if compact[:2].isalpha() else ""
    return prefix + compact[len(prefix) :].zfill(8 - len(prefix))
