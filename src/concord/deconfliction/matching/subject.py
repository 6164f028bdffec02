"""A subject to match (a person and what identifies them), validated on construction, and its
prepared form: every field normalised once, with the codes the comparators and blocking read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from . import normalise
from ._text import _
from .comparators import nickname_groups, phonetic

# The identifier kinds a subject may hold, each with its normaliser.
IDENTIFIERS: tuple[str, ...] = ("phone", "email", "vrm", "vin", "imei", "account", "handle")
MAX_TEXT = 500
MAX_VALUES = 50


class MatchingError(ValueError):
    """Bad input: `path` names the field (``subjects[3].dob``), `message` says what is wrong."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True)
class Subject:
    """A person to match: names, date of birth, address and identifiers as written.

    `id` is the caller's own reference (a row's id, a register key); identifiers are tuples of
    values of each kind, as written (phones in any format, VRMs with or without spaces).
    """

    id: str
    given_name: str = ""
    surname: str = ""
    dob: date | None = None
    address: str = ""
    postcode: str = ""
    town: str = ""
    phone: tuple[str, ...] = ()
    email: tuple[str, ...] = ()
    vrm: tuple[str, ...] = ()
    vin: tuple[str, ...] = ()
    imei: tuple[str, ...] = ()
    account: tuple[str, ...] = ()
    handle: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_text("id", self.id, required=True)
        for name in ("given_name", "surname", "address", "postcode", "town"):
            _check_text(name, getattr(self, name))
        if self.dob is not None and (type(self.dob) is not date):
            raise MatchingError("dob", _("must be a date"))
        for kind in IDENTIFIERS:
            values = getattr(self, kind)
            if not isinstance(values, tuple):
                raise MatchingError(kind, _("must be a tuple of texts"))
            if len(values) > MAX_VALUES:
                raise MatchingError(kind, _("must hold at most %(n)s values") % {"n": MAX_VALUES})
            for i, value in enumerate(values):
                _check_text(f"{kind}[{i}]", value)


def _check_text(path: str, value: Any, *, required: bool = False) -> None:
    if not isinstance(value, str):
        raise MatchingError(path, _("must be a text"))
    if required and not value.strip():
        raise MatchingError(path, _("must not be empty"))
    if len(value) > MAX_TEXT:
        raise MatchingError(path, _("must be at most %(n)s characters") % {"n": MAX_TEXT})


def _normalised(values: Iterable[str], normaliser: Any) -> frozenset[str]:
    return frozenset(v for v in (normaliser(value) for value in values) if v)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A subject normalised once: what comparison and blocking read, never the raw text."""

    id: str
    given: str
    surname: str
    given_groups: frozenset[str]
    given_code: str
    surname_code: str
    dob: date | None
    address: str
    postcode: str
    town: str
    phone: frozenset[str] = field(default_factory=frozenset)
    email: frozenset[str] = field(default_factory=frozenset)
    vrm: frozenset[str] = field(default_factory=frozenset)
    vrm_folded: frozenset[str] = field(default_factory=frozenset)
    vin: frozenset[str] = field(default_factory=frozenset)
    imei: frozenset[str] = field(default_factory=frozenset)
    account: frozenset[str] = field(default_factory=frozenset)
    handle: frozenset[str] = field(default_factory=frozenset)


def prepare(subject: Subject, *, region: str = normalise.DEFAULT_REGION) -> Prepared:
    """Normalise every field of a subject (phones read as in `region` where they lack a code)."""
    given = normalise.name(subject.given_name)
    surname = normalise.name(subject.surname)
    # The first word of a given name is the one people use (Mary Ann -> mary); nicknames and
    # phonetic codes are of it, and of the surname's last word for double-barrelled names.
    first = given.split(" ", 1)[0]
    postcode = normalise.postcode(subject.postcode)
    return Prepared(
        id=subject.id,
        given=first,
        surname=surname,
        given_groups=nickname_groups(first),
        given_code=phonetic(first),
        surname_code=phonetic(surname.replace(" ", "")),
        dob=subject.dob,
        address=normalise.address(subject.address) or "",
        postcode=postcode.text if postcode else "",
        town=normalise.address(subject.town) or "",
        phone=_normalised(subject.phone, lambda v: normalise.phone(v, region)),
        email=_normalised(subject.email, normalise.email),
        vrm=_normalised(subject.vrm, normalise.vrm),
        vrm_folded=_normalised(subject.vrm, normalise.vrm_folded),
        vin=_normalised(subject.vin, normalise.vin),
        imei=_normalised(subject.imei, normalise.imei),
        account=_normalised(subject.account, normalise.bank_account),
        handle=_normalised(subject.handle, normalise.handle),
    )
