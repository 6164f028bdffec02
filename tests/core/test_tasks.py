"""Background tasks: progress for the person who started one, retries, a failed task shown to
operators with its error, and the task of a worker that died handed back to the queue."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.backends.database.models import DBTaskResult

from concord.core import tasks
from concord.core.choices import TaskState
from concord.core.models import TaskProgress, WorkerBeat
from concord.core.worker import ConcordWorker, reclaim_stale
from tests.core import tasks_for_tests

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {
    "default": {
        "BACKEND": "django_tasks.backends.database.DatabaseBackend",
        "QUEUES": ["default"],
    }
}


@pytest.fixture
def queue(settings: Any) -> None:
    """The database backend, as in production (the suite's default runs tasks inline)."""
    settings.TASKS = DATABASE_QUEUE
    settings.TASK_BACKEND = "database"
    settings.TASK_ATTEMPTS = 3
    settings.TASK_RETRY_SECONDS = 0


def worker() -> ConcordWorker:
    return ConcordWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
    )


def claim_and_run(task_id: str) -> DBTaskResult[Any, Any]:
    row = DBTaskResult.objects.get(pk=task_id)
    row.claim("test-worker")
    worker().run_task(row)
    return DBTaskResult.objects.get(pk=task_id)


def test_a_task_run_inline_reports_its_progress_to_whoever_started_it(cast):
    chair = cast("tarian.chair")
    task_id = tasks.start(tasks_for_tests.slow, actor=chair, steps=3, seconds=0)
    progress = TaskProgress.objects.get(task_id=task_id)
    assert progress.started_by == chair
    assert progress.state == TaskState.SUCCEEDED
    assert (progress.done, progress.total, progress.percent) == (3, 3, 100)


def test_the_progress_bar_is_shown_only_to_the_person_who_started_the_task(cast, queue):
    chair = cast("tarian.chair")
    task_id = tasks.start(tasks_for_tests.slow, actor=chair, steps=4, seconds=0)
    TaskProgress.objects.filter(task_id=task_id).update(
        done=1, total=4, state=TaskState.RUNNING, message="step 2"
    )
    client = Client()
    client.force_login(chair)
    answer = client.get(f"/tasks/{task_id}/progress")
    assert answer.status_code == 200  # still running: the page asks again
    page = answer.content.decode()
    assert 'role="progressbar"' in page
    assert 'aria-valuenow="25"' in page
    assert "1 of 4" in page
    other = Client()
    other.force_login(cast("dp.lro"))
    assert other.get(f"/tasks/{task_id}/progress").status_code == 404
    assert client.get("/tasks/no-such-task/progress").status_code == 404


def test_a_finished_task_stops_asking_and_leads_back_to_the_page(cast):
    chair = cast("tarian.chair")
    task_id = tasks.start(tasks_for_tests.slow, actor=chair, steps=2, seconds=0)
    client = Client()
    client.force_login(chair)
    answer = client.get(
        f"/tasks/{task_id}/progress", HTTP_HX_CURRENT_URL="http://testserver/capabilities/"
    )
    assert answer.status_code == 286  # htmx's "stop polling"
    page = answer.content.decode()
    assert 'href="/capabilities/"' in page
    hostile = client.get(
        f"/tasks/{task_id}/progress", HTTP_HX_CURRENT_URL="http://testserver//evil.example/"
    ).content.decode()
    assert "evil.example" not in hostile


def test_a_failing_task_is_retried_until_it_succeeds(cast, queue):
    task_id = tasks.start(tasks_for_tests.flaky, actor=cast("tarian.chair"), fail_times=2)
    first = claim_and_run(task_id)
    assert first.status == TaskResultStatus.READY  # back in the queue, with its error kept
    assert "attempt 1 failed" in first.traceback
    claim_and_run(task_id)
    done = claim_and_run(task_id)
    assert done.status == TaskResultStatus.SUCCEEDED
    assert done.return_value == "succeeded on attempt 3"
    assert TaskProgress.objects.get(task_id=task_id).state == TaskState.SUCCEEDED


def test_a_task_past_its_retries_is_failed_and_listed_for_operators_with_its_error(cast, queue):
    task_id = tasks.start(tasks_for_tests.broken, actor=cast("tarian.chair"))
    for _attempt in range(3):
        row = claim_and_run(task_id)
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 3
    assert TaskProgress.objects.get(task_id=task_id).state == TaskState.FAILED
    out = StringIO()
    call_command("tasks", "list", stdout=out)
    listing = out.getvalue()
    assert task_id in listing
    assert "attempts 3" in listing
    assert "RuntimeError: the disk is full" in listing
    assert "1 failed" in listing
    with pytest.raises(CommandError, match="the disk is full"):
        call_command("tasks", "follow", task_id, stdout=StringIO())
    call_command("tasks", "retry", task_id, stdout=StringIO())
    assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.READY


def test_a_retry_waits_longer_after_each_attempt(cast, queue, settings):
    settings.TASK_RETRY_SECONDS = 30
    task_id = tasks.start(tasks_for_tests.broken, actor=cast("tarian.chair"))
    before = timezone.now()
    row = claim_and_run(task_id)
    assert row.run_after >= before + dt.timedelta(seconds=30)
    assert not DBTaskResult.objects.ready().filter(pk=task_id).exists()


def test_a_task_held_by_a_silent_worker_goes_back_to_the_queue_then_fails_when_spent(
    cast, queue, settings
):
    settings.TASK_STALE_SECONDS = 60
    task_id = tasks.start(tasks_for_tests.slow, actor=cast("tarian.chair"), steps=1, seconds=0)
    row = DBTaskResult.objects.get(pk=task_id)
    row.claim("dead-worker")
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    DBTaskResult.objects.filter(pk=task_id).update(started_at=long_ago)
    WorkerBeat.objects.create(worker_id="live-worker", beat_at=timezone.now())
    assert reclaim_stale() == 1
    assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.READY
    # A task held by a worker that still beats is left alone.
    row = DBTaskResult.objects.get(pk=task_id)
    row.claim("live-worker")
    DBTaskResult.objects.filter(pk=task_id).update(started_at=long_ago)
    assert reclaim_stale() == 0
    # Its last attempt lost too: failed, with why, rather than tried for ever.
    DBTaskResult.objects.filter(pk=task_id).update(worker_ids=["a", "b", "dead-worker"])
    WorkerBeat.objects.filter(worker_id="live-worker").delete()
    assert reclaim_stale() == 1
    lost = DBTaskResult.objects.get(pk=task_id)
    assert lost.status == TaskResultStatus.FAILED
    assert "WorkerLostError" in lost.traceback


def test_the_queue_state_counts_waiting_and_failed_tasks(cast, queue):
    chair = cast("tarian.chair")
    tasks.start(tasks_for_tests.slow, actor=chair, steps=1, seconds=0)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(seconds=90))
    state = tasks.queue_state()
    assert state.queued == 1
    assert state.oldest_seconds >= 90
    assert state.failed == 0


def test_operators_find_a_failed_task_and_its_error_in_the_admin(cast, queue):
    admin_client = Client()
    admin_client.force_login(cast("admin"))
    task_id = tasks.start(tasks_for_tests.broken, actor=cast("tarian.chair"))
    for _attempt in range(3):
        claim_and_run(task_id)
    listing = admin_client.get(
        "/django-admin/django_tasks_database/dbtaskresult/?status__exact=FAILED"
    ).content.decode()
    assert task_id in listing
    detail = admin_client.get(
        f"/django-admin/django_tasks_database/dbtaskresult/{task_id}/change/"
    ).content.decode()
    assert "RuntimeError: the disk is full" in detail
