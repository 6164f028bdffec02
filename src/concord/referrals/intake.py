"""Reading referrals as a partner sends them: one row (a form, an API call, a line of a file)
into checked details, with every problem named by its column.

Columns of an upload (headers matched case-insensitively, in any order; lists split by ";"):

  sender_reference  required; the sender's own reference, once per sender (sending it again
                    changes nothing)
  found_on          required; YYYY-MM-DD (or an Excel date), not in the future
  category          required; a code of `Category` (imitation_firearm, drugs…)
  items             required; what was found ("Imitation pistol; 2 magazines")
  place             where it was found or was going ("Coventry parcel hub")
  postcode          required; the postcode it was found at or addressed to (routes it)
  people            "Given Surname 1990-04-01; Other Person"; a date of birth is optional
  addresses, phones, emails, accounts   identifiers linked to it
  handling_code     required; P or C
  handling_conditions  required for C
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from concord.intelligence.choices import HandlingCode
from concord.referrals.choices import Category
from concord.threats import identifiers

COLUMNS = (
    "sender_reference",
    "found_on",
    "category",
    "items",
    "place",
    "postcode",
    "people",
    "addresses",
    "phones",
    "emails",
    "accounts",
    "handling_code",
    "handling_conditions",
)
REQUIRED = ("sender_reference", "found_on", "category", "items", "postcode", "handling_code")
MAX_LIST = 20
_DOB = re.compile(r"\s*\(?(\d{4}-\d{2}-\d{2})\)?\s*$")


@dataclass
class Details:
    """One referral's content, checked (identifiers in canonical form)."""

    sender_reference: str
    found_on: dt.date
    category: str
    items: list[str]
    postcode: str
    handling_code: str
    place: str = ""
    handling_conditions: str = ""
    people: list[dict[str, str]] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)

    @property
    def postcode_area(self) -> str:
        match = re.match(r"^[A-Z]{1,2}", self.postcode)
        return match.group(0) if match else ""


def split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _person(text: str) -> dict[str, str]:
    """'Jo Bloggs 1990-04-01' -> {"name": "Jo Bloggs", "dob": "1990-04-01"}."""
    match = _DOB.search(text)
    dob = ""
    if match:
        dob = dt.date.fromisoformat(match.group(1)).isoformat()
        text = text[: match.start()]
    name = " ".join(text.split())
    if not name:
        raise ValueError(_("Give each person's name."))
    return {"name": name[:200], "dob": dob}


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value.strip()[:10])


def read_row(raw: dict[str, Any]) -> tuple[Details | None, dict[str, str]]:
    """Check one row; the details, or the errors by column (never both)."""
    row = {key: str(value if value is not None else "").strip() for key, value in raw.items()}
    errors: dict[str, str] = {}
    for column in REQUIRED:
        if not row.get(column):
            errors[column] = _("This is required.")
    reference = row.get("sender_reference", "")
    if len(reference) > 60:
        errors["sender_reference"] = _("Keep the reference to 60 characters.")
    found_on: dt.date | None = None
    if row.get("found_on"):
        try:
            found_on = _date(row["found_on"])
        except ValueError:
            errors["found_on"] = _("Write the date as YYYY-MM-DD.")
        else:
            if found_on > timezone.localdate():
                errors["found_on"] = _("The date cannot be in the future.")
    category = row.get("category", "").lower()
    if category and category not in Category.values:
        errors["category"] = _("Not a category: use one of %(codes)s.") % {
            "codes": ", ".join(Category.values)
        }
    postcode = ""
    if row.get("postcode"):
        try:
            postcode = identifiers.postcode(row["postcode"])
        except ValueError:
            errors["postcode"] = _("Not a UK postcode.")
    handling = row.get("handling_code", "").upper()
    if handling and handling not in HandlingCode.values:
        errors["handling_code"] = _("Use P or C.")
    elif handling == HandlingCode.CONDITIONS and not row.get("handling_conditions"):
        errors["handling_conditions"] = _("A C code needs its handling conditions.")
    lists: dict[str, list[str]] = {}
    for column, normaliser in (
        ("phones", identifiers.phone),
        ("emails", identifiers.email),
        ("accounts", _account),
        ("addresses", _address),
    ):
        values: list[str] = []
        for part in split(row.get(column, "")):
            try:
                values.append(normaliser(part))
            except ValueError as exc:
                errors[column] = str(exc)
                break
        if len(values) > MAX_LIST:
            errors[column] = _("At most %(n)s in one referral.") % {"n": MAX_LIST}
        lists[column] = list(dict.fromkeys(values))
    people: list[dict[str, str]] = []
    for part in split(row.get("people", "")):
        try:
            people.append(_person(part))
        except ValueError:
            errors["people"] = _("Write each person as a name, then a date of birth if known.")
            break
    items = split(row.get("items", ""))
    if errors:
        return None, errors
    assert found_on is not None
    return (
        Details(
            sender_reference=reference,
            found_on=found_on,
            category=category,
            items=[i[:200] for i in items[:MAX_LIST]],
            postcode=postcode,
            handling_code=handling,
            place=row.get("place", "")[:200],
            handling_conditions=row.get("handling_conditions", "")[:1000],
            people=people[:MAX_LIST],
            addresses=lists["addresses"],
            phones=lists["phones"],
            emails=lists["emails"],
            accounts=lists["accounts"],
        ),
        {},
    )


def _account(value: str) -> str:
    """'20-00-00 12345678' (a sort code and account number together)."""
    digits = re.sub(r"\D", "", value)
    if len(digits) < 12:
        raise ValueError(_("'%(value)s' is not a sort code and account number.") % {"value": value})
    return identifiers.sort_code_and_account(digits[:6], digits[6:])


def _address(value: str) -> str:
    text = " ".join(value.split())
    if len(text) > 300:
        raise ValueError(_("Keep each address to 300 characters."))
    return text
