"""Issue an API bearer token for a person and print it (shown once)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from concord.core import context
from concord.organisations import services
from concord.organisations.models import User


class Command(BaseCommand):
    help = "Issue an API token for USERNAME and print it; it is stored only as a digest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")
        parser.add_argument("--days", type=int, default=None, help="Lifetime in days.")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        try:
            person = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No person has the username {options['username']!r}.") from None
        days = options["days"] or settings.API_TOKEN_DAYS
        try:
            # The operator issues it on the person's behalf, so the person is the actor.
            with context.acting(source="cli"):
                token, plaintext = services.issue_api_token(
                    actor=person, person=person, name=options["name"], days=days
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stderr.write(
            f"Token {token.prefix}… for {person.username}, expires {token.expires_at:%Y-%m-%d}."
        )
        self.stdout.write(plaintext)
