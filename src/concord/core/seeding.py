"""The demo world's registry: each app adds the steps that seed its own synthetic data.

`concord seed_demo` runs the registered steps in order with one shared `DemoWorld`, so a later
app extends the world without the command knowing about it (layers still point one way).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from faker import Faker
from tqdm import tqdm

T = TypeVar("T")

DEMO_PASSWORD = "concord-demo"  # noqa: S105  # documented demo sign-in; demo mode only


@dataclass(frozen=True)
class Scale:
    """Volumes for one size of world (DOMAIN.md, "Scale", for national)."""

    name: str
    staff_per_force: int
    staff_per_rocu: int
    staff_per_national: int
    staff_per_partner: int
    ocgs: int
    nominals: int
    priority_individuals: int
    intelligence_reports: int


SCALES = {
    "demo": Scale(
        "demo",
        4,
        4,
        6,
        2,
        ocgs=60,
        nominals=600,
        priority_individuals=40,
        intelligence_reports=2_000,
    ),
    "region": Scale(
        "region",
        25,
        40,
        60,
        5,
        ocgs=600,
        nominals=6_000,
        priority_individuals=240,
        intelligence_reports=100_000,
    ),
    # 43 forces x 50 + 9 ROCUs x 60 + national 2 x 100 + partners: about 3,000 people.
    "national": Scale(
        "national",
        50,
        60,
        100,
        12,
        ocgs=5_000,
        nominals=50_000,
        priority_individuals=2_000,
        intelligence_reports=1_000_000,
    ),
}


@dataclass
class DemoWorld:
    """Shared state of one seeding run: deterministic randomness, progress, and what was made."""

    scale: Scale
    seed: int
    progress: bool = True
    rng: random.Random = field(init=False)
    fake: Faker = field(init=False)
    # Things earlier steps made that later steps need (personas by username, organisations...).
    refs: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311  # synthetic data, not security
        self.fake = Faker("en_GB")
        self.fake.seed_instance(self.seed)

    def track(self, items: Iterable[T], *, total: int | None, desc: str) -> Iterator[T]:
        """Iterate with a progress bar on standard error (silent when progress is off)."""
        return iter(
            tqdm(
                items,
                total=total,
                desc=desc,
                unit="",
                disable=not self.progress,
                leave=True,
                dynamic_ncols=True,
            )
        )

    def count(self, what: str, n: int) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


@dataclass(frozen=True)
class SeedStep:
    name: str
    order: int
    run: Callable[[DemoWorld], None]
    reset: Callable[[], None]
    # True when this step's data is already in the database.
    loaded: Callable[[], bool] = lambda: False


_STEPS: dict[str, SeedStep] = {}


def register(step: SeedStep) -> None:
    """Add an app's seeding step (keyed by name, so a reload replaces rather than repeats)."""
    _STEPS[step.name] = step


def steps() -> list[SeedStep]:
    return sorted(_STEPS.values(), key=lambda s: s.order)


def is_loaded() -> bool:
    """True when any step finds its demo data already in the database."""
    return any(step.loaded() for step in steps())
