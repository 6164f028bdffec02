"""Background tasks: starting one for a person, reporting how far it has got, and what
operators see of the queue (`concord tasks`, /metrics, the task pages)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django_tasks import TaskContext, TaskResultStatus
from django_tasks.base import Task
from django_tasks.signals import task_finished, task_started

from concord.core.choices import TaskState
from concord.core.models import TaskProgress


def start(task: Task[Any, Any], *, actor: Any, message: str = "", **kwargs: Any) -> str:
    """Enqueue `task` with `kwargs` for `actor` and keep its progress for them; returns its id.

    The queued row is written in the caller's transaction (the database backend), so a task
    enqueued by a change that rolls back never runs.
    """
    result = task.enqueue(**kwargs)
    task_id = str(result.id)
    # The immediate backend has run it already (its own report may have made the row).
    state = {
        TaskResultStatus.SUCCEEDED: TaskState.SUCCEEDED,
        TaskResultStatus.FAILED: TaskState.FAILED,
    }.get(result.status, TaskState.QUEUED)
    progress, created = TaskProgress.objects.get_or_create(
        task_id=task_id,
        defaults={
            "task_name": task.name,
            "started_by": actor,
            "message": message,
            "state": state,
            "done": int(state == TaskState.SUCCEEDED),
            "total": int(state == TaskState.SUCCEEDED),
        },
    )
    if not created:
        TaskProgress.objects.filter(pk=progress.pk).update(started_by=actor)
    return task_id


def report(context: TaskContext, *, done: int, total: int, message: str = "") -> None:
    """Record a running task's progress (done of total, what it is doing), in a transaction of
    its own so the page that started it sees it at once."""
    task_result = context.task_result
    with transaction.atomic():
        TaskProgress.objects.update_or_create(
            task_id=str(task_result.id),
            defaults={
                "task_name": task_result.task.name,
                "done": max(0, done),
                "total": max(0, total),
                "message": message[:200],
                "state": TaskState.RUNNING,
                "updated_at": timezone.now(),
            },
        )


def progress_for(user: Any, task_id: str) -> TaskProgress | None:
    """The progress of a task `user` started (None for anyone else's, or an unknown id)."""
    if not getattr(user, "is_authenticated", False) or len(task_id) > 64:
        return None
    return TaskProgress.objects.filter(task_id=task_id, started_by=user).first()


@dataclass(frozen=True)
class QueueState:
    """How many tasks wait, how long the oldest has waited, how many run and have failed."""

    queued: int
    oldest_seconds: float
    running: int
    failed: int


def queue_state(now: dt.datetime | None = None) -> QueueState:
    """The database queue as operators and /metrics see it."""
    from django_tasks.backends.database.models import DBTaskResult

    now = now or timezone.now()
    ready = DBTaskResult.objects.ready()
    oldest = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
    return QueueState(
        queued=ready.count(),
        oldest_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        running=DBTaskResult.objects.running().count(),
        failed=DBTaskResult.objects.failed().count(),
    )


def _mark_running(sender: Any, task_result: Any, **kwargs: Any) -> None:
    TaskProgress.objects.filter(task_id=str(task_result.id)).update(
        state=TaskState.RUNNING, updated_at=timezone.now()
    )


def _mark_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """A task that succeeded is complete; one that failed keeps where it stopped."""
    rows = TaskProgress.objects.filter(task_id=str(task_result.id))
    if task_result.status == TaskResultStatus.SUCCEEDED:
        for progress in rows:
            total = progress.total or 1
            rows.filter(pk=progress.pk).update(
                done=total, total=total, state=TaskState.SUCCEEDED, updated_at=timezone.now()
            )
    else:
        rows.update(state=TaskState.FAILED, updated_at=timezone.now())


def connect_signals() -> None:
    """Keep progress rows in step with the task backend's own started and finished signals."""
    task_started.connect(_mark_running, dispatch_uid="concord-task-started")
    task_finished.connect(_mark_finished, dispatch_uid="concord-task-finished")
