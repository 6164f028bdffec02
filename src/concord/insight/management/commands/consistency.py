"""`concord consistency run`: the national consistency rules over every ROCU and force (cron
runs it nightly); `--verify-audit` first verifies the audit trail and keeps the result;
`--queue` hands the run to the worker instead."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the national consistency rules over every ROCU and force."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        run = sub.add_parser("run", help="Check every enabled rule and keep the exceptions.")
        run.add_argument("--verify-audit", action="store_true", help="Verify the audit first.")
        run.add_argument("--queue", action="store_true", help="Queue it for the worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        from concord.insight import consistency
        from concord.insight.tasks import run_consistency

        if options["verify_audit"]:
            verification = consistency.verify_audit()
            self.stdout.write(
                f"Audit trail {'intact' if verification.ok else 'BROKEN'}: "
                f"{verification.entries:,} entries."
            )
        if options["queue"]:
            result = run_consistency.enqueue()
            self.stdout.write(f"Queued consistency run {result.id}.")
            return
        started = time.perf_counter()
        found = consistency.run()
        self.stdout.write(
            self.style.SUCCESS(
                f"Consistency run {found.pk}: {found.found:,} exceptions in "
                f"{time.perf_counter() - started:.2f} s."
            )
        )
