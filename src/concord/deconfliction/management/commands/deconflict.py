"""`concord deconflict`: batch linking of files of people for analysts (issue 14)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from concord.deconfliction.matching import MATCH, MatchingError, Prepared, dedupe, link, prepare
from concord.deconfliction.matching.tabular import Mapping_, parse_map, read_subjects, write_pairs


class Command(BaseCommand):
    help = (
        "Link two CSV files of people (`link LEFT RIGHT`) or find the duplicates in one "
        "(`dedupe FILE`); writes the scored pairs as CSV. `federate` sends the checks still "
        "pending to peer instances and shows their state; `federate --reindex` re-makes the "
        "keyed hashes after the federation secret changed. `postcodes FILE` loads where postcodes "
        "are from a copy of the postcode directory."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        linking = sub.add_parser("link", help="Pairs of a record in LEFT and one in RIGHT.")
        linking.add_argument("left", type=Path)
        linking.add_argument("right", type=Path)
        linking.add_argument(
            "--right-map",
            default=None,
            help="the mapping for RIGHT where its columns are named otherwise (default: --map)",
        )
        deduping = sub.add_parser("dedupe", help="Pairs of records within FILE.")
        deduping.add_argument("file", type=Path)
        deduping.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="processes to share the scoring among (default: one per CPU)",
        )
        postcodes = sub.add_parser(
            "postcodes",
            help="Load where postcodes are from a copy of the postcode directory (CSV).",
        )
        postcodes.add_argument("file", type=Path)
        postcodes.add_argument("--postcode-column", default="pcds")
        postcodes.add_argument("--latitude-column", default="lat")
        postcodes.add_argument("--longitude-column", default="long")
        postcodes.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")
        federate = sub.add_parser(
            "federate", help="Send pending checks to peer instances; show their state."
        )
        federate.add_argument("--peer", default="", help="Only this peer (its name).")
        federate.add_argument(
            "--status", action="store_true", help="Only show the state; send nothing."
        )
        federate.add_argument(
            "--reindex",
            action="store_true",
            help="Re-make every subject's keyed hashes (after the federation secret changed).",
        )
        for each in (linking, deduping):
            each.add_argument(
                "--map",
                default="",
                help="field=column,... for id, given_name, surname, dob, address, postcode, town "
                "and the identifiers phone, email, vrm, vin, imei, account, handle (an "
                "identifier may name several columns); unmapped fields are read from columns "
                "of their own name",
            )
            each.add_argument(
                "--threshold",
                type=float,
                default=MATCH,
                help=f"least score in bits for a pair to be written (default {MATCH:g})",
            )
            each.add_argument("--out", type=Path, help="write the pairs here (default: stdout)")
            each.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "postcodes":
            self._postcodes(options)
            return
        if options["what"] == "federate":
            self._federate(options)
            return
        try:
            mapping = parse_map(options["map"])
        except MatchingError as error:
            raise CommandError(str(error)) from None
        threshold: float = options["threshold"]
        quiet = options["no_progress"] or options["verbosity"] == 0
        if options["what"] == "link":
            left = self._read(options["left"], mapping)
            right_map = mapping
            if options["right_map"] is not None:
                try:
                    right_map = parse_map(options["right_map"])
                except MatchingError as error:
                    raise CommandError(f"--right-map: {error}") from None
            right = self._read(options["right"], right_map)
            with tqdm(total=len(left), unit=" records", disable=quiet, file=sys.stderr) as bar:
                pairs = link(left, right, threshold=threshold, progress=bar.update)
                written = self._write(options["out"], pairs)
        else:
            subjects = self._read(options["file"], mapping)
            with tqdm(total=len(subjects), unit=" records", disable=quiet, file=sys.stderr) as bar:
                workers = max(1, options["workers"])
                pairs = dedupe(subjects, threshold=threshold, progress=bar.update, workers=workers)
                written = self._write(options["out"], pairs)
        if not quiet:
            self.stderr.write(f"{written} pairs at or above {threshold:g}.")

    def _postcodes(self, options: dict[str, Any]) -> None:
        from concord.deconfliction.places import PostcodeFileError, load_points

        path: Path = options["file"]
        quiet = options["no_progress"] or options["verbosity"] == 0
        try:
            with (
                path.open(newline="", encoding="utf-8-sig") as stream,
                tqdm(unit=" postcodes", disable=quiet, file=sys.stderr) as bar,
            ):
                loaded = load_points(
                    stream,
                    source=path.name,
                    postcode_column=options["postcode_column"],
                    latitude_column=options["latitude_column"],
                    longitude_column=options["longitude_column"],
                    progress=bar.update,
                )
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: is not UTF-8 text") from None
        except PostcodeFileError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{loaded.units} postcodes and {loaded.districts} district centres loaded; "
            f"{loaded.without_point} rows without a grid reference left out."
        )

    def _federate(self, options: dict[str, Any]) -> None:
        from concord.deconfliction import encoding, federation
        from concord.deconfliction.models import FederatedCheck
        from concord.intelligence.models import Peer

        if not encoding.configured():
            raise CommandError(
                "No deconfliction federation secret: set CONCORD_DECONFLICTION_SECRET or "
                "CONCORD_DECONFLICTION_SECRET_FILE (docs/operations.md)."
            )
        if options["reindex"]:
            count = federation.reindex()
            self.stdout.write(f"Keyed hashes re-made for {count} subjects.")
            return
        peer = None
        if options["peer"]:
            peer = Peer.objects.filter(name=options["peer"]).first()
            if peer is None:
                raise CommandError(f"No peer is called {options['peer']!r}.")
        if not options["status"]:
            answered, failed = federation.send_pending(peer)
            self.stdout.write(f"{answered} checks answered, {failed} still pending.")
        rows = FederatedCheck.objects.select_related("peer")
        if peer is not None:
            rows = rows.filter(peer=peer)
        for row in rows.filter(status=FederatedCheck.PENDING).order_by("pk")[:200]:
            tried = f"{row.last_attempt_at:%Y-%m-%d %H:%M}" if row.last_attempt_at else "never"
            self.stdout.write(
                f"pending\t{row.direction}\t{row.peer.name}\t{row.check_id}\t"
                f"{row.attempts} attempts, last {tried}\t{row.last_error}"
            )
        for peer_row in Peer.objects.filter(deconflicts=True).order_by("name"):
            mine = rows.filter(peer=peer_row)
            self.stdout.write(
                f"{peer_row.name}\t{'active' if peer_row.active else 'inactive'}\t"
                f"sent {mine.filter(direction=FederatedCheck.OUT).count()}\t"
                f"received {mine.filter(direction=FederatedCheck.IN).count()}\t"
                f"pending {mine.filter(status=FederatedCheck.PENDING).count()}"
            )

    def _read(self, path: Path, mapping: Mapping_) -> list[Prepared]:
        try:
            with path.open(newline="", encoding="utf-8-sig") as stream:
                return [prepare(s) for s in read_subjects(stream, mapping, source=path.name)]
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: is not UTF-8 text") from None
        except MatchingError as error:
            raise CommandError(str(error)) from None

    def _write(self, out: Path | None, pairs: Any) -> int:
        if out is None:
            return write_pairs(self.stdout, pairs)
        try:
            with out.open("w", newline="", encoding="utf-8") as stream:
                return write_pairs(stream, pairs)
        except OSError as error:
            raise CommandError(f"{out}: {error.strerror}") from None
