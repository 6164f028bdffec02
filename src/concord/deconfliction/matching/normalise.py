"""Normalisers: each identifier to one canonical text, so that what is written differently
compares equal. Each returns None for what cannot be read as its kind (an empty value, a phone
with no digits); none raises on bad text, since a subject is matched on what it has."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from anyascii import anyascii

DEFAULT_REGION = "GB"

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+")

# Characters read for one another on plates and in handwriting (O/0, I/1, S/5, B/8, Z/2): a VRM
# is compared in its folded form, so that "AB12 CDE" and "A812 CDE" meet.
_FOLD = str.maketrans("OISBZ", "01582")


def phone(value: str, region: str = DEFAULT_REGION) -> str | None:
    """A phone number in E.164 (+447700900123), read as in `region` where it has no +code."""
    text = value.strip()
    if not any(c.isdigit() for c in text):
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def vrm(value: str) -> str | None:
    """A vehicle registration mark as written on the plate: upper case, no spaces or dashes."""
    text = _NOT_ALNUM.sub("", anyascii(value).upper())
    return text or None


def vrm_folded(value: str) -> str | None:
    """A VRM with look-alike characters folded (O/0, I/1, S/5, B/8, Z/2) for comparison."""
    text = vrm(value)
    return text.translate(_FOLD) if text else None


_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}


def vin(value: str) -> str | None:
    """A vehicle identification number: 17 characters, upper case, I/O/Q read as 1/0/0 (a VIN
    never holds them), or None where it is not 17 characters long."""
    text = _NOT_ALNUM.sub("", value.upper()).translate(str.maketrans("IOQ", "100"))
    return text if len(text) == 17 else None


def vin_check_digit_ok(value: str) -> bool:
    """Whether a normalised VIN's ninth character is its North American check digit (European
    VINs need not carry one, so this is a hint, never a reason to refuse)."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(value, _VIN_WEIGHTS, strict=True))
    digit = total % 11
    return value[8] == ("X" if digit == 10 else str(digit))


@dataclass(frozen=True)
class Postcode:
    """A UK postcode split as Royal Mail does: outward (SA31) and inward (1AB) codes."""

    outward: str
    inward: str

    @property
    def text(self) -> str:
        """The postcode as written: outward, one space, inward."""
        return f"{self.outward} {self.inward}"

    @property
    def sector(self) -> str:
        """The postcode sector (SA31 1), a few hundred addresses: the blocking unit."""
        return f"{self.outward} {self.inward[0]}"

    @property
    def area(self) -> str:
        """The postcode area, its leading letters (SA)."""
        return re.match(r"[A-Z]+", self.outward).group(0)  # type: ignore[union-attr]  # outward starts with a letter, by _POSTCODE


_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def postcode(value: str) -> Postcode | None:
    """A UK postcode, or None where the text is not shaped like one (GIR 0AA aside)."""
    text = _NOT_ALNUM.sub("", value.upper())
    match = _POSTCODE.match(text)
    if not match:
        return None
    return Postcode(outward=match.group(1), inward=match.group(2))


# Providers that ignore dots in the local part and everything after a "+": the default list;
# the data may pass another (`email(value, dotless=...)`).
GMAIL_LIKE: frozenset[str] = frozenset({"gmail.com", "googlemail.com"})
PLUS_TAGGED: frozenset[str] = frozenset(
    {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.co.uk"}
)


def email(
    value: str,
    *,
    dotless: frozenset[str] = GMAIL_LIKE,
    plus_tagged: frozenset[str] = PLUS_TAGGED,
) -> str | None:
    """An e-mail address in lower case; for providers in `dotless` without dots in the local
    part, and for those in `plus_tagged` without a +tag; googlemail.com read as gmail.com."""
    text = value.strip().lower()
    local, at, domain = text.rpartition("@")
    if not at or not local or "." not in domain:
        return None
    if domain == "googlemail.com":
        domain = "gmail.com"
    if domain in plus_tagged:
        local = local.split("+", 1)[0]
    if domain in dotless:
        local = local.replace(".", "")
    return f"{local}@{domain}" if local else None


def luhn_ok(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check (IMEIs, payment cards)."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def imei(value: str) -> str | None:
    """An IMEI: its 15 digits where they pass the Luhn check; 14 digits (the check digit left
    off) or an IMEISV's 16 give the 14-digit body with its check digit computed; else None."""
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) == 16:  # IMEISV: 14 digits then a two-digit software version
        digits = digits[:14]
    if len(digits) == 14:
        for check in "0123456789":
            if luhn_ok(digits + check):
                return digits + check
    if len(digits) == 15 and luhn_ok(digits):
        return digits
    return None


def bank_account(value: str) -> str | None:
    """A UK bank account as sort code and account number, "401276-41234567": the sort code's
    six digits, then the account number padded to eight (seven-digit numbers take a leading
    zero, as the banks do); None where it is not 6 + 6 to 8 digits."""
    digits = "".join(c for c in value if c.isdigit())
    if not 12 <= len(digits) <= 14:
        return None
    return f"{digits[:6]}-{digits[6:].zfill(8)}"


def handle(value: str) -> str | None:
    """An online handle: lower case, without a leading @ and without the site's address where
    a profile link was given (https://x.com/Some_One -> some_one)."""
    text = value.strip().lower()
    if "/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    text = text.lstrip("@").strip()
    return text or None


# Words that vary in how an address is written and say nothing of which address it is.
_ADDRESS_WORDS = {
    "street": "st",
    "road": "rd",
    "avenue": "ave",
    "lane": "ln",
    "drive": "dr",
    "close": "cl",
    "court": "ct",
    "place": "pl",
    "crescent": "cres",
    "terrace": "ter",
    "gardens": "gdns",
    "square": "sq",
    "flat": "flat",
    "apartment": "flat",
    "apt": "flat",
}


def address(value: str) -> str | None:
    """An address as canonical tokens: ASCII, lower case, words in order with street types
    abbreviated ("12 High Street" -> "12 high st"); None where there are no words."""
    words = [_ADDRESS_WORDS.get(w, w) for w in _WORD.findall(anyascii(value).lower())]
    return " ".join(words) or None


def name(value: str) -> str:
    """A name part as ASCII lower case letters and single spaces (Zoë -> zoe; O'Neil -> oneil)."""
    text = anyascii(value).lower().replace("'", "").replace("-", " ")
    return _SPACES.sub(" ", re.sub(r"[^a-z ]", "", text)).strip()
