"""`concord worker`: run background tasks from the database queue (run as many as you like,
on any machine that reaches the database; docs/operations.md, "Workers")."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks.backends.database.management.commands.db_worker import (
    Command as DbWorkerCommand,
)

from concord.core.worker import ConcordWorker


class Command(DbWorkerCommand):
    help = (
        "Run background tasks: django-tasks' database worker, with retries (CONCORD_TASK_ATTEMPTS) "
        "and the tasks of a worker that died put back in the queue (CONCORD_TASK_STALE_SECONDS)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        if settings.TASK_BACKEND != "database":
            raise CommandError(
                "concord worker runs the database queue: set CONCORD_TASK_BACKEND=database."
            )
        self.configure_logging(options["verbosity"])
        worker = ConcordWorker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        if options["reload"] and not options["batch"]:
            # Development only (default: CONCORD_DEBUG): restart on code changes.
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
            return
        worker.configure_signals()
        worker.run()
