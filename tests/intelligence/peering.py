"""Helpers for federation tests: a peer's own key, and bundles as a peer would send them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from concord.intelligence import signing, stix
from concord.intelligence.models import IntelReport
from tests.factories import organisation


class PeerKey:
    def __init__(self) -> None:
        self.private = Ed25519PrivateKey.generate()
        self.public = signing.encode_public(self.private.public_key())

    def sign(self, envelope: dict[str, Any]) -> dict[str, Any]:
        return signing.sign(envelope, self.private)


def their_report(code: str = "TARIAN", number: int = 1, **fields: Any) -> IntelReport:
    """An unsaved report as the peer organisation holds it (what it would export)."""
    now = fields.pop("at", timezone.now())
    values: dict[str, Any] = {
        "owner": organisation(code),
        "reference": f"INT-{code}-{number:06d}",
        "title": "Cash couriers on the M4",
        "text": "Couriers move cash east on Thursdays in hire cars from Swansea.",
        "information_date": timezone.localdate() - dt.timedelta(days=3),
        "place": "Swansea",
        "classification": "OFFICIAL",
        "sensitive": True,
        "source_evaluation": "2",
        "intelligence_assessment": "B",
        "handling_code": "C",
        "handling_conditions": "Law enforcement only; consult Tarian before any action.",
        "created_at": now,
        "updated_at": now,
        "released_at": now,
    }
    values.update(fields)
    return IntelReport(**values)


def objects_of(*reports: IntelReport) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for report in reports:
        for obj in stix.report_objects(report, []):
            seen[obj.id] = json.loads(obj.serialize())
    return list(seen.values())


def envelope(
    objects: list[dict[str, Any]], *, sender: str = "TARIAN", to: str = "DYP"
) -> dict[str, Any]:
    return {"objects": objects, "x_concord_from": sender, "x_concord_to": to}
