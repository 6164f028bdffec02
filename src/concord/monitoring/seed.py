"""Demo world: a few staff declarations, so auditors have a register to look at."""

from __future__ import annotations

import datetime as dt

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


def reset() -> None:
    Alert.objects.all().delete()
    DeclaredAssociation.objects.all().delete()


STEP = SeedStep(name="monitoring", order=90, run=seed, reset=reset)
