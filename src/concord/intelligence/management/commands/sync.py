"""`concord sync PEER`: exchange intelligence with a peer over TAXII 2.1."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from concord.core import context
from concord.intelligence.models import Peer
from concord.intelligence.signing import SignatureError
from concord.intelligence.sync import SyncError, sync


class Command(BaseCommand):
    help = (
        "Pull what PEER shares with us and push what we share with it, in signed bundles; "
        "resumes where an interrupted sync stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("peer", help="The peer's name (concord federation list).")
        direction = parser.add_mutually_exclusive_group()
        direction.add_argument("--pull-only", action="store_true")
        direction.add_argument("--push-only", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            peer = Peer.objects.select_related("organisation", "local_organisation", "account").get(
                name=options["peer"]
            )
        except Peer.DoesNotExist:
            raise CommandError(f"No peer is called {options['peer']!r}.") from None
        bar = tqdm(unit=" objects", disable=options["verbosity"] == 0, file=self.stderr)

        def progress(direction: str, count: int) -> None:
            bar.set_description(direction)
            bar.update(count)

        try:
            with context.acting(source="federation"):
                result = sync(
                    peer,
                    do_pull=not options["push_only"],
                    do_push=not options["pull_only"],
                    progress=progress,
                )
        except (SyncError, SignatureError) as error:
            raise CommandError(str(error)) from None
        except DatabaseError as error:
            # This instance's database went away (restarted, down, disk full): each page is
            # taken in with its cursor in one transaction, so only the page in flight is lost.
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise CommandError(
                f"The sync with {peer.name} stopped: this instance's database failed "
                f"({reason}). What was taken in before stays; run the sync again."
            ) from None
        finally:
            bar.close()
        self.stdout.write(
            f"{peer.name}: pulled {result.pulled} objects ({len(result.new)} new reports, "
            f"{len(result.updated)} updated, {len(result.recalled)} recalled), pushed "
            f"{result.pushed} objects, {result.pages} pages."
        )
