"""Demo world: a few staff declarations, so auditors have a register to look at, and one alert
waiting for psd.auditor: gmp.sio searched the register for his declared relative Connor Walsh,
a member of the Hollinwood crew (threats.seed.DECLARED_RELATIVE)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from concord.core.seeding import DemoWorld, SeedStep
from concord.monitoring.models import Alert, DeclaredAssociation

# (persona, declared name, years old, relationship)
DECLARATIONS = [
    ("dp.analyst", "Dylan Evans", 31, "relative"),
    ("gmp.sio", "Connor Walsh", 24, "relative"),
    ("tarian.sio", "Bethan Price", 45, "partner"),
    ("wilts.analyst", "Marcus Reed", 38, "friend"),
]


def seed(world: DemoWorld) -> None:
    personas = world.refs.get("personas", {})
    made = []
    for username, name, age, relationship in DECLARATIONS:
        if username in personas:
            made.append(
                DeclaredAssociation(
                    person=personas[username],
                    name=name,
                    relationship=relationship,
                    date_of_birth=dt.date(
                        2026 - age, world.rng.randint(1, 12), world.rng.randint(1, 28)
                    ),
                )
            )
    for declaration in made:
        declaration.save()  # save() keeps the normalised name for matching
    world.count("declarations", len(made))
    if "gmp.sio" in personas:
        _searched_for_a_relative(personas["gmp.sio"])
        world.count("alerts", Alert.objects.count())


def _searched_for_a_relative(person: Any) -> None:
    """The search as the register's search page records it; the detector that watches every
    committed entry raises the alert from it (here at once, so the demo has it when loaded)."""
    from concord.core import audit
    from concord.core.models import AuditAction
    from concord.monitoring.detectors import association_search

    entry = audit.record(
        AuditAction.SEARCH,
        actor=person,
        object_type="threats",
        detail={"query": "Connor Walsh", "ocgs": 0, "nominals": 1, "entities": 0},
    )
    association_search(entry)


def reset() -> None:
    Alert.objects.all().delete()
    DeclaredAssociation.objects.all().delete()


STEP = SeedStep(name="monitoring", order=90, run=seed, reset=reset)
