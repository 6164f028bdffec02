"""Detached Ed25519 signatures over a canonical JSON form, for bundles exchanged with peers.

The canonical form is JSON with keys sorted, no insignificant whitespace and UTF-8 text (what
RFC 8785 gives for the values STIX and TAXII use here: strings, integers, booleans, lists and
objects, never floating point). A signed envelope carries the signature as its own member
`x_concord_signature`, which is left out of what is signed:

    {"objects": [...], "x_concord_from": "DYP", "x_concord_to": "TARIAN",
     "x_concord_signature": {"alg": "Ed25519", "key": "<key id>", "value": "<base64>"}}

This instance's private key lives in a PEM file outside the database
(`CONCORD_FEDERATION_KEY_FILE`), made on first use with mode 0600.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from concord.core import files

SIGNATURE = "x_concord_signature"


class SignatureError(Exception):
    """A bundle is unsigned, signed by another key, or does not verify."""


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _load_or_make(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Whole or not at all (a full disk leaves no key, never half of one); of two
        # processes starting together, the first key written is kept.
        try:
            files.write_whole(path, pem)
        except OSError as error:
            raise SignatureError(
                f"Could not write this instance's federation key to {path}: {error.strerror}. "
                "Nothing was written; free the space and try again."
            ) from None
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError:
        raise SignatureError(
            f"{path} does not hold a private key: restore it from the backup (or, if it is "
            "lost, remove it to make a new one and give peers the new public key)."
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureError(f"{path} does not hold an Ed25519 private key.")
    return key


@lru_cache(maxsize=4)
def _private_key(path: str) -> Ed25519PrivateKey:
    return _load_or_make(Path(path))


def private_key() -> Ed25519PrivateKey:
    return _private_key(str(settings.FEDERATION_KEY_FILE))


def encode_public(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def public_key_text() -> str:
    """This instance's public key, as given to peers (base64 of the 32 raw bytes)."""
    return encode_public(private_key().public_key())


def parse_public(text: str) -> Ed25519PublicKey:
    """A peer's public key from its base64 text; ValueError names what is wrong."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("The public key is not base64.") from None
    if len(raw) != 32:
        raise ValueError("An Ed25519 public key is 32 bytes (44 characters of base64).")
    return Ed25519PublicKey.from_public_bytes(raw)


def key_id(public_text: str) -> str:
    return hashlib.sha256(base64.b64decode(public_text)).hexdigest()[:16]


def signature_for(unsigned: bytes, key: Ed25519PrivateKey | None = None) -> dict[str, str]:
    """The signature member for an envelope whose canonical form (without it) is `unsigned`
    (by this instance's key unless another is given)."""
    key = key or private_key()
    return {
        "alg": "Ed25519",
        "key": key_id(encode_public(key.public_key())),
        "value": base64.b64encode(key.sign(unsigned)).decode(),
    }


def sign(envelope: dict[str, Any], key: Ed25519PrivateKey | None = None) -> dict[str, Any]:
    unsigned = {k: v for k, v in envelope.items() if k != SIGNATURE}
    return {**unsigned, SIGNATURE: signature_for(canonical(unsigned), key)}


def signed_text(unsigned_canonical: str) -> str:
    """Append the signature to an envelope already in canonical form (a JSON object whose last
    key sorts before `x_concord_signature`), without parsing it again: how pages are served."""
    signature = json.dumps(signature_for(unsigned_canonical.encode()), separators=(",", ":"))
    return f'{unsigned_canonical[:-1]},"{SIGNATURE}":{signature}}}'


def verify(envelope: Any, public_text: str) -> None:
    """Raise SignatureError unless the envelope is signed by the holder of this public key."""
    if not isinstance(envelope, dict):
        raise SignatureError("The bundle is not a JSON object.")
    signature = envelope.get(SIGNATURE)
    if not isinstance(signature, dict) or not isinstance(signature.get("value"), str):
        raise SignatureError("The bundle is not signed.")
    if signature.get("alg") != "Ed25519":
        raise SignatureError("The bundle is signed with an algorithm other than Ed25519.")
    try:
        value = base64.b64decode(signature["value"], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("The bundle's signature is not base64.") from None
    unsigned = {k: v for k, v in envelope.items() if k != SIGNATURE}
    try:
        parse_public(public_text).verify(value, canonical(unsigned))
    except InvalidSignature:
        raise SignatureError(
            "The bundle's signature does not verify: it was changed after signing or signed "
            "by another key."
        ) from None
