"""The nightly consistency run as a background task, with its progress (`concord consistency
run` queues it, or runs it in the command with --now)."""

from __future__ import annotations

from django_tasks import TaskContext, task

from concord.core import tasks


@task(takes_context=True)
def run_consistency(context: TaskContext, *, actor_id: int | None = None) -> int:
    """Check every rule over every ROCU and force; returns the run's id."""
    from concord.insight import consistency
    from concord.organisations.models import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None

    def progress(done: int, total: int, message: str) -> None:
        tasks.report(context, done=done, total=total, message=message)

    return int(consistency.run(actor=actor, progress=progress).pk)
