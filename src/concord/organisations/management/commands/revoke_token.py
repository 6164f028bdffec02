"""Revoke API tokens by prefix, or all of a person's tokens."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from concord.core import context
from concord.organisations import services
from concord.organisations.models import ApiToken, digest_token


class Command(BaseCommand):
    help = "Revoke a token (give the token itself or its prefix), or --all-for USERNAME."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("token", nargs="?", help="The token, or the prefix shown at issue.")
        parser.add_argument("--all-for", metavar="USERNAME", help="Revoke every token of a person.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all_for"]:
            tokens = list(ApiToken.objects.usable().filter(user__username=options["all_for"]))
        elif options["token"]:
            value = options["token"].rstrip("…")
            tokens = list(ApiToken.objects.filter(digest=digest_token(value)))
            tokens = tokens or list(ApiToken.objects.filter(prefix=value))
            if len(tokens) > 1:
                raise CommandError("That prefix matches several tokens; give the whole token.")
        else:
            raise CommandError("Give a token or its prefix, or --all-for USERNAME.")
        if not tokens:
            raise CommandError("No matching token.")
        for token in tokens:
            with context.acting(source="cli"):
                services.revoke_api_token(actor=token.user, token=token)
            self.stdout.write(f"Revoked {token.prefix}… ({token.name}) of {token.user.username}.")
