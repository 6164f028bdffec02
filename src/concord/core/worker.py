"""`concord worker`: django-tasks' database worker, with retries, a heartbeat, and the tasks
of a worker that died handed back to the queue.

django-tasks' own worker marks a task failed at its first exception and leaves a task RUNNING
for ever if its worker is killed. Here a failing task is put back in the queue (after a delay
growing with each attempt) until it has been tried `settings.TASK_ATTEMPTS` times; every
worker writes a `WorkerBeat` row while it lives, and a task held by a worker that has not beaten
for `settings.TASK_STALE_SECONDS` is put back in the queue by any other worker (or failed, with
its error, if its attempts are spent). The attempts are the task's claims (`worker_ids`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.backends.database.management.commands.db_worker import Worker
from django_tasks.backends.database.models import DBTaskResult
from django_tasks.base import TaskContext
from django_tasks.signals import task_finished, task_started
from django_tasks.utils import get_exception_traceback, get_module_path

from concord.core.choices import TaskState
from concord.core.models import TaskProgress, WorkerBeat

logger = logging.getLogger("concord.worker")


class WorkerLostError(Exception):
    """The worker running a task stopped beating (killed, or its machine lost) too often."""


def beat(worker_id: str) -> None:
    """Record that this worker is alive."""
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "beat_at": timezone.now(),
            "host": socket.gethostname()[:200],
            "pid": os.getpid(),
        },
    )


def reclaim_stale(now: dt.datetime | None = None) -> int:
    """Hand back to the queue every task held by a worker that has stopped beating (or fail it
    with `WorkerLostError` once its attempts are spent); returns how many. A conditional update on
    the claim's start time, so two workers reclaiming at once reclaim a task once."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.TASK_STALE_SECONDS)
    alive = set(WorkerBeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    reclaimed = 0
    for held in (
        DBTaskResult.objects.running()
        .filter(started_at__lt=cutoff)
        .only("id", "worker_ids", "started_at")
    ):
        holder = held.worker_ids[-1] if held.worker_ids else ""
        if holder in alive:
            continue
        claim = DBTaskResult.objects.filter(
            pk=held.pk, status=TaskResultStatus.RUNNING, started_at=held.started_at
        )
        if len(held.worker_ids) >= settings.TASK_ATTEMPTS:
            error = WorkerLostError(f"worker {holder} stopped while running the task")
            changed = claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=get_module_path(WorkerLostError),
                traceback=f"{get_module_path(WorkerLostError)}: {error}\n",
            )
            if changed:
                TaskProgress.objects.filter(task_id=str(held.pk)).update(
                    state=TaskState.FAILED, message=str(error)[:200], updated_at=now
                )
        else:
            changed = claim.update(status=TaskResultStatus.READY, started_at=None, run_after=now)
            if changed:
                TaskProgress.objects.filter(task_id=str(held.pk)).update(
                    state=TaskState.QUEUED, updated_at=now
                )
        if changed:
            reclaimed += 1
            logger.warning(
                "task %s reclaimed from worker %s",
                held.pk,
                holder,
                extra={"task_id": str(held.pk), "worker_id": holder},
            )
    WorkerBeat.objects.filter(beat_at__lt=now - dt.timedelta(days=1)).delete()
    return reclaimed


# Refusals that another attempt would only repeat: failed at once, with the refusal as error.
NOT_RETRIED = (ValidationError, PermissionDenied, ObjectDoesNotExist)


def retry_or_fail(row: DBTaskResult[Any, Any], error: BaseException) -> bool:
    """After a failed attempt: back in the queue after a delay growing with each attempt, or
    failed for good once `TASK_ATTEMPTS` are spent (or at once for a refusal, NOT_RETRIED).
    True if it will be tried again."""
    attempts = len(row.worker_ids)
    if attempts < settings.TASK_ATTEMPTS and not isinstance(error, NOT_RETRIED):
        delay = settings.TASK_RETRY_SECONDS * attempts
        DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY,
            started_at=None,
            run_after=timezone.now() + dt.timedelta(seconds=delay),
            exception_class_path=get_module_path(type(error)),
            traceback=get_exception_traceback(error),
        )
        TaskProgress.objects.filter(task_id=str(row.pk)).update(
            state=TaskState.QUEUED, updated_at=timezone.now()
        )
        logger.warning(
            "task %s failed (attempt %s of %s); retrying in %s s",
            row.pk,
            attempts,
            settings.TASK_ATTEMPTS,
            delay,
            extra={"task_id": str(row.pk), "attempt": attempts, "error": repr(error)},
        )
        return True
    row.set_failed(error, None)
    logger.error(
        "task %s failed after %s attempts",
        row.pk,
        attempts,
        extra={"task_id": str(row.pk), "attempt": attempts, "error": repr(error)},
    )
    return False


class ConcordWorker(Worker):
    """django-tasks' worker loop with retries and a heartbeat that also reclaims stale tasks."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._stopped = threading.Event()

    def _heartbeat(self) -> None:
        every = settings.TASK_STALE_SECONDS / 4
        while not self._stopped.wait(every):
            try:
                beat(self.worker_id)
                reclaim_stale()
            except Exception:  # the next beat tries again; the task in hand goes on
                logger.exception("worker %s: heartbeat failed", self.worker_id)
            finally:
                close_old_connections()
        connection.close()

    def run(self) -> None:
        beat(self.worker_id)
        reclaim_stale()
        thread = threading.Thread(target=self._heartbeat, name="concord-heartbeat", daemon=True)
        thread.start()
        try:
            super().run()
        finally:
            self._stopped.set()
            thread.join(timeout=5)
            WorkerBeat.objects.filter(worker_id=self.worker_id).delete()

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        """Run one claimed task: succeeded, retried or (past its attempts) failed."""
        self.running_task = True
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = type(task.get_backend())
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_succeeded(value, task_result.metadata)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except (KeyboardInterrupt, SystemExit):
            # Stopped by the operator mid-task: the task goes back to the queue untried.
            with transaction.atomic():
                DBTaskResult.objects.filter(pk=db_task_result.pk).update(
                    status=TaskResultStatus.READY,
                    started_at=None,
                    worker_ids=db_task_result.worker_ids[:-1],
                )
            raise
        except Exception as error:
            if not retry_or_fail(db_task_result, error):
                try:
                    sender = type(db_task_result.task.get_backend())
                    task_finished.send(sender=sender, task_result=db_task_result.task_result)
                except Exception:
                    logger.exception("task %s failed unexpectedly", db_task_result.pk)
        finally:
            self.running_task = False
            self._run_tasks += 1
