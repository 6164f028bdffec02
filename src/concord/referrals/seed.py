"""Demo world: a year of Border Force fast-parcel referrals to the South West ROCU at about the
shape of Devon and Cornwall's letter (1,124 researched and 62 investigated in a year, scaled
down by ten at the demo scale), a few to other ROCUs, and one imitation firearm addressed to a
phone that a Dyfed-Powys nominal uses: the South West ROCU's triager sees it only as a pointer
to Dyfed-Powys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.referrals import services
from concord.referrals.choices import Category
from concord.referrals.models import Referral, ReferralMatch, ReferralPointer, ReferralUpload
from concord.threats.choices import EntityKind
from concord.threats.models import EntityLink

# (category, share of the parcels)
PARCELS = [
    (Category.DRUGS, 0.46),
    (Category.WEAPONS, 0.22),
    (Category.IMITATION_FIREARM, 0.12),
    (Category.FIREARMS, 0.04),
    (Category.CHILD_ABUSE, 0.06),
    (Category.FRAUD, 0.10),
]
ITEMS = {
    Category.DRUGS: ["Cannabis vacuum-packed", "MDMA tablets", "Ketamine powder", "Etizolam"],
    Category.WEAPONS: ["Flick knife", "Knuckleduster", "Butterfly knife", "Stun gun disguised"],
    Category.IMITATION_FIREARM: ["Imitation pistol", "Blank-firing revolver"],
    Category.FIREARMS: ["Pistol frame", "Ammunition (9mm)"],
    Category.CHILD_ABUSE: ["Child-like sex doll"],
    Category.FRAUD: ["Counterfeit banknotes", "Blank bank cards"],
}
# South West postcodes the parcels were addressed to, and a few elsewhere.
SOUTH_WEST = ["EX1 1AA", "PL4 6AB", "TR1 2HE", "TQ2 5EQ", "BS1 4ST", "BA1 1SU", "GL1 2EH"]
ELSEWHERE = ["M1 1AE", "CF10 1EP", "B1 1BB", "LS1 4DY"]
# Letter: 1,124 a year researched, 62 investigated; at demo scale a tenth.
PER_YEAR = {"demo": 112, "region": 560, "national": 1124}
INVESTIGATED = 0.055


def _dyfed_powys_phone() -> str:
    found = (
        EntityLink._base_manager.filter(nominal__owner__code="DYP", entity__kind=EntityKind.PHONE)
        .order_by("pk")
        .values_list("entity__value", flat=True)
        .first()
    )
    return found or ""


def seed(world: DemoWorld) -> None:
    personas: dict[str, Any] = world.refs.get("personas", {})
    sender, triager = personas.get("bf.partner"), personas.get("swrocu.triage")
    if sender is None or triager is None:
        return
    rng = world.rng
    today = timezone.localdate()
    categories = [c for c, _w in PARCELS]
    weights = [w for _c, w in PARCELS]
    total = PER_YEAR.get(world.scale.name, 112)
    rows = []
    for n in range(total + total // 10):
        category = rng.choices(categories, weights)[0]
        south_west = n < total
        rows.append(
            {
                "sender_reference": f"BF-FP-{today.year - 1}-{n + 1:05d}",
                "found_on": (today - dt.timedelta(days=rng.randint(2, 364))).isoformat(),
                "category": category.value,
                "items": rng.choice(ITEMS[category]),
                "place": rng.choice(["Coventry parcel hub", "East Midlands Airport", "Heathrow"]),
                "postcode": rng.choice(SOUTH_WEST if south_west else ELSEWHERE),
                "people": world.fake.name() if rng.random() < 0.6 else "",
                "phones": f"01632 960{rng.randint(0, 999):03d}" if rng.random() < 0.3 else "",
                "handling_code": "P",
            }
        )
    phone = _dyfed_powys_phone()
    rows.append(
        {
            "sender_reference": f"BF-FP-{today.year}-DEMO1",
            "found_on": (today - dt.timedelta(days=1)).isoformat(),
            "category": Category.IMITATION_FIREARM.value,
            "items": "Imitation pistol; two magazines",
            "place": "Coventry parcel hub",
            "postcode": "EX4 3SR",
            "people": "Jordan Pascoe",
            "phones": phone,
            "handling_code": "P",
        }
    )
    result = services.upload_referrals(actor=sender, filename="bf-fast-parcels.csv", rows=rows)
    if not result.ok:
        raise RuntimeError(f"referral seed rows refused: {result.errors[:3]}")
    # Spread the year's referrals over the year, and decide most of the older ones in the South
    # West as the letter describes (researched; a few investigated, some recorded as
    # intelligence), leaving the last fortnight's in the queue.
    for referral in result.referrals:
        received = timezone.make_aware(
            dt.datetime.combine(referral.found_on + dt.timedelta(days=1), dt.time(9))
        )
        Referral.objects.filter(pk=referral.pk).update(
            received_at=received, due_at=received + (referral.due_at - referral.received_at)
        )
        referral.received_at = received
    decided = 0
    for referral in result.referrals:
        if referral.receiving_unit.code != "SWROCU" or referral.sender_reference.endswith("DEMO1"):
            continue
        if (today - referral.found_on).days < 14:
            continue
        roll = rng.random()
        if roll < INVESTIGATED:
            services.open_investigation(
                actor=triager, referral=referral, note="Buyer linked to supply in the region."
            )
        elif roll < 0.2:
            services.record_intelligence_from_referral(
                actor=triager,
                referral=referral,
                source_evaluation="1",
                intelligence_assessment="A",
                note="Recorded for the regional picture.",
            )
        else:
            services.close_referral(
                actor=triager, referral=referral, note="Researched: no further lines of enquiry."
            )
        decided += 1
    world.count("referrals", len(result.referrals))
    world.count("referrals decided", decided)


def reset() -> None:
    ReferralMatch.objects.all().delete()
    ReferralPointer.objects.all().delete()
    Referral.objects.all().delete()
    ReferralUpload.objects.all().delete()


STEP = SeedStep(name="referrals", order=34, run=seed, reset=reset)
