"""`concord audit verify` checks the whole chain; `concord audit seal` seals pending entries."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from concord.core import audit


class Command(BaseCommand):
    help = "Verify the tamper-evident audit trail, or seal pending entries into its chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        verify = sub.add_parser(
            "verify", help="Walk every entry and seal; exit 1 at the first break."
        )
        verify.add_argument(
            "--jobs",
            type=int,
            default=None,
            metavar="N",
            help="Walk the trail in N id ranges at once, a process each (PostgreSQL only; "
            "default: one per CPU for a long trail).",
        )
        sub.add_parser("seal", help="Seal committed entries not yet in the chain.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "seal":
            sealed = audit.seal_pending()
            self.stdout.write(f"Sealed {sealed:,} entries.")
            return
        jobs = options["jobs"]
        if jobs is not None and jobs < 1:
            raise CommandError("--jobs must be at least 1.")
        started = time.perf_counter()
        result = audit.verify(ranges=jobs)
        elapsed = time.perf_counter() - started
        if not result.ok:
            raise CommandError(f"Audit trail BROKEN at {result.problem}.", returncode=1)
        rate = result.entries / elapsed if elapsed else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit trail intact: {result.entries:,} entries in {result.seals:,} seals "
                f"({result.unsealed:,} awaiting their seal), checked in {elapsed:.2f} s "
                f"({rate:,.0f} entries/s, {result.processes} "
                f"{'process' if result.processes == 1 else 'processes'})."
            )
        )
