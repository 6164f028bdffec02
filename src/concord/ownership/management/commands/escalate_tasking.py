"""Escalate overdue tasking requests to the receiving organisation's chief officers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from concord.ownership.tasking import escalate_overdue


class Command(BaseCommand):
    help = "Tell chief officers of tasking requests still undecided after their response date."

    def handle(self, *args: Any, **options: Any) -> None:
        escalated = escalate_overdue()
        for tasking in escalated:
            self.stdout.write(f"escalated {tasking.reference} to {tasking.to_organisation.code}")
        self.stdout.write(f"{len(escalated)} overdue request(s) escalated.")
