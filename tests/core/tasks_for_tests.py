"""Tasks the worker tests run (importable by a worker subprocess: PYTHONPATH is the repo)."""

from __future__ import annotations

import time

from django_tasks import TaskContext, task

from concord.core import tasks


@task(takes_context=True)
def flaky(context: TaskContext, *, fail_times: int) -> str:
    """Fails on its first `fail_times` attempts, then succeeds."""
    if context.attempt <= fail_times:
        raise RuntimeError(f"attempt {context.attempt} failed")
    return f"succeeded on attempt {context.attempt}"


@task()
def broken() -> None:
    """Always fails."""
    raise RuntimeError("the disk is full")


@task(takes_context=True)
def slow(context: TaskContext, *, steps: int, seconds: float) -> int:
    """Reports progress step by step, taking `seconds` a step; returns the steps it took."""
    for step in range(steps):
        tasks.report(context, done=step, total=steps, message=f"step {step + 1}")
        time.sleep(seconds)
    return steps
