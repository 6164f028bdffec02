"""Build the deterministic synthetic demo world (demo mode only)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from concord.core.seeding import SCALES, DemoWorld, is_loaded, steps


class Command(BaseCommand):
    help = "Load the synthetic demo world. The same --seed always gives the same data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=2021, help="Random seed (default 2021).")
        parser.add_argument(
            "--reset", action="store_true", help="Delete the existing demo world first."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (successfully) when a demo world is already loaded.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo runs only in demo mode (CONCORD_DEMO=true): it creates sign-ins with "
                "a published password, which a real install must never have."
            )
        loaded = is_loaded()
        if loaded and options["if_empty"]:
            self.stdout.write("The demo world is already loaded.")
            return
        if loaded and not options["reset"]:
            raise CommandError("A demo world is already loaded; add --reset to replace it.")
        world = DemoWorld(
            scale=SCALES[options["scale"]],
            seed=options["seed"],
            progress=not options["no_progress"] and options["verbosity"] > 0,
        )
        started = time.perf_counter()
        with transaction.atomic():
            if options["reset"]:
                for step in reversed(steps()):
                    step.reset()
            for step in steps():
                step.run(world)
        # A bulk load leaves the planner's statistics (and PostgreSQL's visibility map, which
        # index-only scans read) as they were before it: refresh them now rather than wait
        # for autovacuum, so the first pages read the world as it is.
        # (VACUUM cannot run inside a transaction: a caller's, such as a test's, gets ANALYZE.)
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{n:,} {what}" for what, n in world.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded the {world.scale.name} world (seed {world.seed}) "
                f"in {elapsed:.1f} s: {summary}."
            )
        )
