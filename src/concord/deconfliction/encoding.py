"""Privacy-preserving encodings for checks across instances: a subject as a set of keyed hashes.

Every instance of one federation holds the same secret (`settings.DECONFLICTION_SECRET` or
the file `settings.DECONFLICTION_SECRET_FILE`). A subject is normalised with the local
engine's own normalisers and comparators, then written as tokens built to survive what the
engine tolerates, and each token is sent only as HMAC-SHA256(secret, token), truncated to 128
bits. A peer that holds a subject giving the same token learns that there is a match and which
fields agreed (by name); without the secret a token cannot be tested against guesses, and it
never holds the value.

The tokens (`TOKENS` below holds, per kind of token, its strength and the fields it says
agreed; a check matches where the strongest token shared reaches `MATCH`):

- identifiers exact after normalisation: phone (E.164), e-mail, VRM (look-alikes folded),
  VIN, IMEI, bank account, handle;
- a person, as combinations that survive the engine's tolerated differences: each
  nickname-canonical form of the given name (bill and william share "william") x the
  surname's phonetic code x the date of birth with day and month in order (so swapped dates
  meet); both names' phonetic codes in order x that date (given and family names swapped);
  name x postcode; surname x exact date of birth (no given name);
- an address as its postcode and canonical words; a postcode alone (a postcode subject
  matches an address or postcode there).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from concord.deconfliction import checking, matching
from concord.deconfliction.choices import SubjectKind
from concord.deconfliction.matching import normalise
from concord.deconfliction.matching.comparators import phonetic
from concord.deconfliction.models import Subject

# Hex characters kept of each HMAC (128 bits: no collision among any number of subjects).
TOKEN_LENGTH = 32
# The most tokens one subject may give (a person with many aliases and nickname groups).
MAX_TOKENS = 200


@dataclass(frozen=True)
class TokenKind:
    """What a shared token of this kind says: how strong a match and which fields agreed."""

    strength: float
    agreed: tuple[str, ...]


# The thresholds, as data: a shared token of strength at least MATCH is a hit.
MATCH = 0.7
TOKENS: dict[str, TokenKind] = {
    # One identifier, the same after normalisation.
    "phone": TokenKind(1.0, ("phone",)),
    "email": TokenKind(1.0, ("email",)),
    "vrm": TokenKind(1.0, ("vrm",)),
    "vin": TokenKind(1.0, ("vin",)),
    "imei": TokenKind(1.0, ("imei",)),
    "account": TokenKind(1.0, ("account",)),
    "handle": TokenKind(1.0, ("handle",)),
    # A person: given name (nickname-canonical) x surname (phonetic) x date of birth.
    "name_dob": TokenKind(0.9, ("given_name", "surname", "dob")),
    # Both names' phonetic codes in either order x date of birth: swapped names.
    "names_dob": TokenKind(0.8, ("given_name", "surname", "dob")),
    # Given name (nickname-canonical) x surname (phonetic) x postcode.
    "name_postcode": TokenKind(0.7, ("given_name", "surname", "postcode")),
    # Surname (phonetic) x the exact date of birth: too weak alone to be a hit.
    "surname_dob": TokenKind(0.5, ("surname", "dob")),
    # Places: an address (postcode and words), a postcode.
    "address": TokenKind(1.0, ("address", "postcode")),
    "postcode": TokenKind(0.0, ("postcode",)),
}
# A postcode token is a hit only where one side registered a postcode (not an address).
POSTCODE_KINDS = {SubjectKind.POSTCODE}


class SecretMissingError(Exception):
    """No federation secret is configured: checks neither leave nor are answered."""


@lru_cache(maxsize=4)
def _read(path: str, text: str, changed: float) -> bytes:
    """The secret (read again when the file changes: `changed` is its modification time)."""
    if text.strip():
        return text.strip().encode()
    file = Path(path)
    if not file.exists():
        raise SecretMissingError(
            f"No deconfliction federation secret: set CONCORD_DECONFLICTION_SECRET or write "
            f"one to {file} (`concord federation deconfliction-secret`)."
        )
    value = file.read_text().strip()
    if len(value) < 32:
        raise SecretMissingError(f"The deconfliction secret in {file} is under 32 characters.")
    return value.encode()


def secret() -> bytes:
    path = Path(settings.DECONFLICTION_SECRET_FILE)
    text = settings.DECONFLICTION_SECRET
    try:
        changed = 0.0 if text.strip() else path.stat().st_mtime
    except OSError:
        changed = -1.0
    return _read(str(path), text, changed)


def configured() -> bool:
    try:
        secret()
    except SecretMissingError:
        return False
    return True


def secret_id() -> str:
    """Names the secret without revealing it, so that peers holding different ones can tell."""
    return hmac.new(secret(), b"concord deconfliction secret id", hashlib.sha256).hexdigest()[:16]


def hashed(token: str) -> str:
    return hmac.new(secret(), token.encode(), hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def _person(prepared: matching.Prepared) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    surname = prepared.surname_code
    if not surname:
        return out
    groups = sorted(phonetic(g) for g in prepared.given_groups if g)
    if prepared.dob is not None:
        dob = prepared.dob
        low, high = sorted((dob.day, dob.month))
        loose = f"{dob.year}:{low:02}{high:02}"
        for given in groups:
            out.add(("name_dob", f"{given}:{surname}:{loose}"))
        if prepared.given_code:
            pair = sorted((prepared.given_code, surname))
            out.add(("names_dob", f"{pair[0]}:{pair[1]}:{loose}"))
        out.add(("surname_dob", f"{surname}:{dob:%Y%m%d}"))
    if prepared.postcode:
        for given in groups:
            out.add(("name_postcode", f"{given}:{surname}:{prepared.postcode}"))
    return out


_IDENTIFIER_FIELDS = {
    "phone": "phone",
    "email": "email",
    "vrm": "vrm_folded",
    "vin": "vin",
    "imei": "imei",
    "account": "account",
    "handle": "handle",
}


def tokens_of(subject: Subject) -> dict[str, str]:
    """A subject's tokens before hashing, each with its kind (keys of TOKENS): the clear text
    never leaves this instance."""
    found: set[tuple[str, str]] = set()
    kind = subject.kind
    if kind in (SubjectKind.ADDRESS, SubjectKind.POSTCODE):
        postcode = normalise.postcode(subject.postcode or subject.value)
        if postcode is None:
            return {}
        found.add(("postcode", postcode.text))
        words = normalise.address(subject.value) if kind == SubjectKind.ADDRESS else None
        if words:
            found.add(("address", f"{postcode.text}:{words}"))
    else:
        for engine in checking.engine_subjects(subject):
            prepared = matching.prepare(engine)
            if kind == SubjectKind.PERSON:
                found |= _person(prepared)
                continue
            for name, attribute in _IDENTIFIER_FIELDS.items():
                found |= {(name, value) for value in getattr(prepared, attribute)}
    # The kind of token is part of what is hashed: a phone never meets an IMEI's digits.
    return {f"{name}|{text}": name for name, text in sorted(found)}


def encode(subject: Subject) -> dict[str, str]:
    """The subject's hashed tokens, each with its kind: what is stored for look-up here
    (`FederatedToken`) and, without the kinds, sent to peers."""
    return {hashed(text): name for text, name in list(tokens_of(subject).items())[:MAX_TOKENS]}


@dataclass(frozen=True)
class Verdict:
    """What one of our subjects and a peer's checked subject share: strength, fields agreed."""

    score: float
    agreed: tuple[str, ...]


def verdict(checked_kind: str, local_kind: str, shared: set[str]) -> Verdict | None:
    """Whether the kinds of token shared (by a peer's subject of `checked_kind` and ours of
    `local_kind`) make a hit, and how strong: the strongest token decides."""
    places = {SubjectKind.ADDRESS, SubjectKind.POSTCODE}
    if {checked_kind, local_kind} <= places:
        if "address" in shared:
            return Verdict(TOKENS["address"].strength, TOKENS["address"].agreed)
        if "postcode" in shared and POSTCODE_KINDS & {checked_kind, local_kind}:
            return Verdict(1.0, TOKENS["postcode"].agreed)
        return None
    if checked_kind != local_kind:
        return None
    best = max((TOKENS[name].strength for name in shared if name in TOKENS), default=0.0)
    if best < MATCH:
        return None
    agreed: list[str] = []
    for name in sorted(shared, key=lambda n: -TOKENS[n].strength):
        if TOKENS[name].strength >= MATCH:
            agreed += [f for f in TOKENS[name].agreed if f not in agreed]
    return Verdict(best, tuple(agreed))
