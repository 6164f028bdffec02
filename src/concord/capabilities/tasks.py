"""The national allocation run as a background task, with its progress for the chair who
started it (the solver can take a while on the national world)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_noop
from django_tasks import TaskContext, task

from concord.core import tasks


@task(takes_context=True)
def run_allocation(context: TaskContext, *, actor_id: int, starts: str, weeks: int) -> int:
    """Solve and keep the national allocation for `actor_id` (`demand.run_allocation`);
    returns the run's id."""
    from concord.capabilities import demand
    from concord.organisations.models import User

    actor = User.objects.get(pk=actor_id)
    tasks.report(context, done=0, total=2, message=gettext_noop("Solving the allocation"))
    run = demand.run_allocation(actor=actor, starts=dt.date.fromisoformat(starts), weeks=weeks)
    tasks.report(context, done=2, total=2, message=gettext_noop("The allocation has been run."))
    return int(run.pk)
