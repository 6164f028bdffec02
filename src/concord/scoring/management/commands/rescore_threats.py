"""Re-score every OCG's latest assessment under a published model version, with progress."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from concord.organisations.models import User
from concord.scoring import services
from concord.scoring.models import ScoringModel, published_model


class Command(BaseCommand):
    help = "Re-score all OCGs under a published scoring model (default: the newest)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", type=int, help="Scoring model id (default: newest).")
        parser.add_argument(
            "--as",
            dest="actor",
            required=True,
            help="Username recorded as the assessor and in the audit trail.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            actor = User.objects.get(username=options["actor"])
        except User.DoesNotExist:
            raise CommandError(f"No person has the username {options['actor']!r}.") from None
        try:
            model = (
                ScoringModel.objects.get(pk=options["model"])
                if options["model"]
                else published_model()
            )
        except ScoringModel.DoesNotExist:
            raise CommandError("No such published scoring model.") from None
        bar = tqdm(
            total=0,
            desc=f"re-scoring under {model}",
            unit=" OCGs",
            disable=options["no_progress"] or options["verbosity"] == 0,
        )

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            count = services.rescore_all(actor=actor, model=model, progress=progress)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(f"Re-scored {count:,} OCGs under {model}."))
