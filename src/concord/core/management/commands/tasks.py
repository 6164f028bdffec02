"""`concord tasks list` shows failed (or all unfinished) tasks with their error;
`concord tasks follow ID` follows one task's progress until it ends; `concord tasks retry ID`
puts a failed task back in the queue."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import TaskResultStatus

from concord.core import tasks
from concord.core.choices import TaskState
from concord.core.models import TaskProgress


class Command(BaseCommand):
    help = "Operators' view of background tasks: failed ones with their error, and progress."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        listing = sub.add_parser("list", help="Failed tasks with their error (newest first).")
        listing.add_argument(
            "--all", action="store_true", help="Also tasks waiting or running, with attempts."
        )
        listing.add_argument("--limit", type=int, default=50, help="At most this many.")
        follow = sub.add_parser("follow", help="Show a task's progress until it ends.")
        follow.add_argument("task_id")
        follow.add_argument("--interval", type=float, default=1.0, help="Seconds between looks.")
        follow.add_argument("--timeout", type=float, default=0, help="Give up after (0: never).")
        retry = sub.add_parser("retry", help="Put a failed task back in the queue.")
        retry.add_argument("task_id")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "list":
            self._list(everything=options["all"], limit=options["limit"])
        elif verb == "follow":
            self._follow(options["task_id"], options["interval"], options["timeout"])
        else:
            self._retry(options["task_id"])

    def _row(self, task_id: str) -> Any:
        from django_tasks.backends.database.models import DBTaskResult

        try:
            row = DBTaskResult.objects.filter(pk=task_id).first()
        except ValidationError:
            row = None
        if row is None:
            raise CommandError(f"No task {task_id!r} in the queue.")
        return row

    def _list(self, *, everything: bool, limit: int) -> None:
        from django_tasks.backends.database.models import DBTaskResult

        state = tasks.queue_state()
        self.stdout.write(
            f"{state.queued} waiting (oldest {state.oldest_seconds:.0f} s), "
            f"{state.running} running, {state.failed} failed."
        )
        rows = DBTaskResult.objects.all() if everything else DBTaskResult.objects.failed()
        if everything:
            rows = rows.exclude(status=TaskResultStatus.SUCCEEDED)
        for row in rows.order_by("-enqueued_at")[: max(1, limit)]:
            when = row.finished_at or row.started_at or row.enqueued_at
            self.stdout.write(
                f"{row.pk}  {row.status:<9}  {row.task_path}  attempts {len(row.worker_ids)}  "
                f"{when:%Y-%m-%d %H:%M:%S}"
            )
            if row.traceback:
                self.stdout.write(f"    error: {row.traceback.strip().splitlines()[-1]}")

    def _follow(self, task_id: str, interval: float, timeout: float) -> None:
        started = time.monotonic()
        last = ""
        while True:
            row = self._row(task_id)
            progress = TaskProgress.objects.filter(task_id=str(row.pk)).first()
            line = f"{row.status}"
            if progress is not None and progress.total:
                line += f"  {progress.done}/{progress.total} ({progress.percent}%)"
            if progress is not None and progress.message:
                line += f"  {progress.message}"
            if line != last:
                self.stdout.write(line)
                self.stdout.flush()
                last = line
            if row.status == TaskResultStatus.SUCCEEDED:
                return
            if row.status == TaskResultStatus.FAILED:
                error = row.traceback.strip().splitlines()[-1] if row.traceback else ""
                raise CommandError(f"Task failed: {error}", returncode=1)
            if timeout and time.monotonic() - started > timeout:
                raise CommandError("Still running; stopped following.", returncode=3)
            time.sleep(interval)

    def _retry(self, task_id: str) -> None:
        from django.utils import timezone
        from django_tasks.backends.database.models import DBTaskResult

        row = self._row(task_id)
        changed = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY,
            worker_ids=[],
            started_at=None,
            finished_at=None,
            run_after=timezone.now(),
        )
        if not changed:
            raise CommandError(f"Task {task_id} has not failed ({row.status}).")
        TaskProgress.objects.filter(task_id=str(row.pk)).update(state=TaskState.QUEUED)
        self.stdout.write(self.style.SUCCESS(f"Task {task_id} is back in the queue."))
