"""Print the demo sign-ins (demo mode only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from concord.core.seeding import DEMO_PASSWORD
from concord.organisations.models import User
from concord.organisations.seed import PERSONA_USERNAMES


class Command(BaseCommand):
    help = "List the demo sign-ins and what each person is."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Demo sign-ins exist only in demo mode (CONCORD_DEMO=true).")
        people = {
            u.username: u
            for u in User.objects.filter(username__in=PERSONA_USERNAMES).prefetch_related("roles")
        }
        self.stdout.write("")
        self.stdout.write("Concord demo: http://127.0.0.1:8000/  (synthetic data only)")
        self.stdout.write(f"Every demo sign-in has the password: {DEMO_PASSWORD}")
        self.stdout.write("")
        for username in PERSONA_USERNAMES:
            person = people.get(username)
            if person is None:
                continue
            roles = ", ".join(r.name for r in person.roles.all())
            self.stdout.write(f"  {username:<15} {person.organisation.name:<42} {roles}")
        self.stdout.write("")
