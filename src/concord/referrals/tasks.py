"""A large file of referrals taken in as a background task, with its progress for the person
who uploaded it (checked whole in the request first, so the task meets only good rows)."""

from __future__ import annotations

import base64

from django.utils.translation import gettext_noop
from django_tasks import TaskContext, task

from concord.core import tasks


@task(takes_context=True)
def take_in_upload(context: TaskContext, *, actor_id: int, filename: str, content: str) -> int:
    """Take in the file (`services.upload_referrals`) for `actor_id`; returns how many
    referrals it made."""
    from concord.organisations.models import User
    from concord.referrals import services

    actor = User.objects.get(pk=actor_id)

    def progress(done: int, total: int) -> None:
        tasks.report(
            context, done=done, total=total, message=gettext_noop("Checking the referrals")
        )

    tasks.report(context, done=0, total=1, message=gettext_noop("Checking the referrals"))
    result = services.upload_referrals(
        actor=actor,
        filename=filename,
        content=base64.b64decode(content),
        progress=progress,
    )
    if not result.ok:
        raise ValueError(f"{len(result.errors)} rows refused")
    return result.created
