"""`concord federation`: this instance's public key, and its peers."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from concord.core import files
from concord.core.choices import Classification
from concord.intelligence import signing
from concord.intelligence.federation import register_peer
from concord.intelligence.models import Peer


class Command(BaseCommand):
    help = "Federation: `key` prints this instance's public key; `add-peer`, `token`, `list`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("key", help="Print this instance's Ed25519 public key (made if absent).")
        add = sub.add_parser("add-peer", help="Register or update a peer; prints its token.")
        add.add_argument("name")
        add.add_argument("--organisation", required=True, help="Code of the org it speaks for.")
        add.add_argument(
            "--local-organisation", required=True, help="Code of the org we act for with it."
        )
        add.add_argument("--url", required=True, help="The peer's TAXII API root.")
        add.add_argument("--public-key", required=True, help="The peer's public key (base64).")
        add.add_argument(
            "--max-classification", default=Classification.OFFICIAL, choices=Classification.values
        )
        add.add_argument("--token", default="", help="Our token on the peer, if already issued.")
        add.add_argument(
            "--no-deconfliction",
            action="store_true",
            help="Exchange no deconfliction checks with this peer (they are on by default).",
        )
        token = sub.add_parser("token", help="Set the token the peer issued to us.")
        token.add_argument("name")
        token.add_argument("token")
        sub.add_parser("list", help="The peers and when each last synchronised.")
        secret = sub.add_parser(
            "deconfliction-secret",
            help="Write a new deconfliction federation secret (or --set one given by the "
            "federation's coordinator) to CONCORD_DECONFLICTION_SECRET_FILE, and print it.",
        )
        secret.add_argument("--set", default="", help="The federation's agreed secret.")
        secret.add_argument("--force", action="store_true", help="Replace an existing secret.")

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what == "key":
            try:
                self.stdout.write(signing.public_key_text())
            except signing.SignatureError as error:
                raise CommandError(str(error)) from None
        elif what == "add-peer":
            try:
                peer, plaintext = register_peer(
                    name=options["name"],
                    organisation=options["organisation"],
                    local_organisation=options["local_organisation"],
                    url=options["url"],
                    public_key=options["public_key"],
                    max_classification=options["max_classification"],
                    token=options["token"],
                    deconflicts=not options["no_deconfliction"],
                )
            except ValidationError as error:
                raise CommandError(
                    "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
                ) from None
            self.stderr.write(
                f"Peer {peer.name} ({peer.organisation.code}) registered; give its operator "
                "this token and our public key (concord federation key):"
            )
            self.stdout.write(plaintext)
        elif what == "token":
            updated = Peer.objects.filter(name=options["name"]).update(token=options["token"])
            if not updated:
                raise CommandError(f"No peer is called {options['name']!r}.")
            self.stdout.write(f"Token set for {options['name']}.")
        elif what == "deconfliction-secret":
            self._secret(options["set"], force=options["force"])
        else:
            for peer in Peer.objects.select_related("organisation", "local_organisation"):
                synced = f"{peer.last_synced_at:%Y-%m-%d %H:%M}" if peer.last_synced_at else "never"
                self.stdout.write(
                    f"{peer.name}\t{peer.organisation.code}\t{peer.local_organisation.code}\t"
                    f"{peer.url}\t{'active' if peer.active else 'inactive'}\tlast sync {synced}"
                    f"\tdeconfliction {'on' if peer.deconflicts else 'off'}"
                )

    def _secret(self, given: str, *, force: bool) -> None:
        """Write the secret file (mode 0600); the same secret goes to every instance of the
        federation, by a channel other than this one."""
        path = Path(settings.DECONFLICTION_SECRET_FILE)
        if path.exists() and not force:
            raise CommandError(f"{path} exists; --force replaces it (then reindex).")
        value = given.strip() or secrets.token_urlsafe(48)
        if len(value) < 32:
            raise CommandError("A federation secret is at least 32 characters.")
        # Whole or not at all: on a full disk the old secret (if any) stays as it was.
        try:
            written = files.write_whole(path, (value + "\n").encode(), replace=force)
        except OSError as error:
            raise CommandError(
                f"Could not write {path}: {error.strerror}. Nothing was changed."
            ) from None
        if not written:
            raise CommandError(f"{path} exists; --force replaces it (then reindex).")
        self.stderr.write(
            f"Written to {path}. Give it to every instance of the federation; then "
            "`concord deconflict federate --reindex` there and here."
        )
        self.stdout.write(value)
