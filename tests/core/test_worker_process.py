"""Real `concord worker` processes on the database queue: a worker killed mid-task loses
nothing (another takes the task over and finishes it), and a detector's task queued by a page
view is run by a worker, not by the request."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks.backends.database.models import DBTaskResult

from concord.core import tasks
from concord.core.models import TaskProgress
from tests.core import tasks_for_tests
from tests.core.test_tasks import DATABASE_QUEUE
from tests.core.workers import concord

pytestmark = pytest.mark.usefixtures("committed_world")


def wait_for(condition: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def stop(process: Any) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    return str(output)


def test_a_task_whose_worker_is_killed_is_finished_by_another_worker(cast, settings):
    settings.TASKS = DATABASE_QUEUE
    task_id = tasks.start(tasks_for_tests.slow, actor=cast("tarian.chair"), steps=8, seconds=0.5)
    stale = {"CONCORD_TASK_STALE_SECONDS": "4", "CONCORD_TASK_RETRY_SECONDS": "0"}
    first = concord("worker", "--interval", "0.2", "--no-startup-delay", **stale)
    second = None
    try:
        wait_for(
            lambda: TaskProgress.objects.filter(task_id=task_id, done__gte=1).exists(),
            60,
            "the first worker to start the task",
        )
        first.send_signal(signal.SIGKILL)  # no chance to hand the task back
        first.wait(timeout=10)
        assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.RUNNING
        second = concord("worker", "--interval", "0.2", "--no-startup-delay", **stale)
        done = wait_for(
            lambda: DBTaskResult.objects.filter(
                pk=task_id, status__in=[TaskResultStatus.SUCCEEDED, TaskResultStatus.FAILED]
            ).first(),
            90,
            "the second worker to finish the task",
        )
    finally:
        if first.poll() is None:
            first.kill()
        log = stop(second) if second is not None else ""
    assert done.status == TaskResultStatus.SUCCEEDED, log
    assert done.return_value == 8
    assert len(done.worker_ids) == 2
    assert done.worker_ids[0] != done.worker_ids[1]
    assert "reclaimed" in log


def test_pages_queue_the_detectors_and_a_worker_raises_the_alert(cast, settings):
    from concord.core.models import AuditAction, AuditEntry
    from concord.monitoring.choices import AlertKind
    from concord.monitoring.models import Alert, AlertRule

    settings.TASKS = DATABASE_QUEUE
    threshold = AlertRule.objects.get(kind=AlertKind.PROBING).threshold
    prober = cast("dp.lro")
    client = Client()
    client.force_login(prober)
    for n in range(threshold):
        assert client.get(f"/ocgs/OCG-NOPE-{n}/").status_code == 404
    misses = AuditEntry.objects.filter(actor_id=prober.pk, action=AuditAction.NOT_FOUND)
    assert misses.count() == threshold
    # The requests only queued the detectors: no alert yet, a task per miss waiting.
    assert not Alert.objects.filter(person=prober).exists()
    queued = DBTaskResult.objects.filter(task_path__endswith="detectors.detect")
    assert queued.filter(status=TaskResultStatus.READY).count() == threshold
    worker = concord("worker", "--batch", "--no-startup-delay")
    output, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, output
    assert set(queued.values_list("status", flat=True)) == {TaskResultStatus.SUCCEEDED}
    alert = Alert.objects.get(person=prober)
    assert alert.kind == AlertKind.PROBING
