"""Upload REFERRALS parcel referrals as Border Force and check them against the register (run
by bench_referrals.py with Django set up). Tops the register up to NOMINALS nominals (each with
a phone) first where it holds fewer, so that a small world is checked against a national-size
register. Prints one JSON line of figures; the referrals it made are deleted afterwards."""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from concord.core.models import AuditEntry  # noqa: E402
from concord.organisations.models import Organisation, User  # noqa: E402
from concord.referrals import checks, services  # noqa: E402
from concord.referrals.models import Referral, ReferralMatch, ReferralPointer  # noqa: E402
from concord.threats.models import Entity, EntityLink, Nominal  # noqa: E402

POSTCODES = ["EX1 1AA", "PL4 6AB", "TR1 2HE", "BS1 4ST", "M1 1AE", "CF10 1EP", "B1 1BB"]
CATEGORIES = ["drugs", "weapons", "imitation_firearm", "firearms", "child_abuse", "fraud"]


def top_up(nominals: int, rng: random.Random) -> int:
    """Add synthetic nominals, each using a phone, until the register holds `nominals`."""
    have = Nominal._base_manager.count()
    missing = max(0, nominals - have)
    if not missing:
        return 0
    owners = list(Organisation.objects.exclude(kind="partner").values_list("pk", flat=True))
    with transaction.atomic():
        people = Nominal._base_manager.bulk_create(
            [
                Nominal(
                    owner_id=rng.choice(owners),
                    reference=f"NOM-BENCH-{n:07d}",
                    forenames=rng.choice(["Alex", "Sam", "Jo", "Chris", "Lee", "Kim"]),
                    surname=f"Bench{n}",
                    name_key=f"bench {n}",
                    date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 15000)),
                )
                for n in range(missing)
            ],
            batch_size=2000,
        )
        phones = Entity._base_manager.bulk_create(
            [
                Entity(
                    owner_id=p.owner_id,
                    kind="phone",
                    value=f"07{n:09d}",
                    canonical=f"+447{n:09d}",
                )
                for n, p in enumerate(people)
            ],
            batch_size=2000,
        )
        EntityLink._base_manager.bulk_create(
            [
                EntityLink(entity=e, nominal=p, link_type="uses")
                for e, p in zip(phones, people, strict=True)
            ],
            batch_size=2000,
        )
    return missing


def main(referrals: int, nominals: int) -> None:
    rng = random.Random(16)  # synthetic data
    added = top_up(nominals, rng)
    sender = User.objects.get(username="bf.partner")
    today = timezone.localdate()
    phones = list(
        Entity._base_manager.filter(kind="phone").values_list("value", flat=True)[:referrals]
    )
    rows = [
        {
            "sender_reference": f"BENCH-{n:06d}",
            "found_on": (today - dt.timedelta(days=rng.randint(1, 364))).isoformat(),
            "category": rng.choice(CATEGORIES),
            "items": "Parcel contents",
            "postcode": rng.choice(POSTCODES),
            "people": f"{rng.choice(['Alex', 'Sam', 'Jo'])} Parcel{n}",
            # One in twenty is addressed to a phone on the register.
            "phones": phones[n % len(phones)] if phones and n % 20 == 0 else "",
            "handling_code": "P",
        }
        for n in range(referrals)
    ]
    started = time.perf_counter()
    register = checks.Register.load()
    indexed = time.perf_counter() - started
    result = services.upload_referrals(
        actor=sender, filename="bench.csv", rows=rows, register=register
    )
    total = time.perf_counter() - started
    assert result.ok, result.errors[:5]
    figures = {
        "referrals": result.created,
        "nominals": len(register.index),
        "added_nominals": added,
        "index_seconds": round(indexed, 2),
        "upload_seconds": round(total - indexed, 2),
        "total_seconds": round(total, 2),
        "checks_per_second": round(result.created / max(total, 1e-9)),
        "matches": ReferralMatch.objects.filter(
            referral__sender_reference__startswith="BENCH-"
        ).count(),
        "strong": result.strong_matches,
    }
    # Leave the world as it was found (the audit trail is append-only and keeps its entries).
    made = Referral.objects.filter(sender_reference__startswith="BENCH-")
    ReferralMatch.objects.filter(referral__in=made).delete()
    ReferralPointer.objects.filter(referral__in=made).delete()
    made.delete()
    figures["audit_entries"] = AuditEntry.objects.count()
    print(json.dumps(figures))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
