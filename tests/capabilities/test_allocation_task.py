"""The allocation runs as a background task: the chair's page shows its progress until it is
done, and the run is made by the task, not by the request."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks.backends.database.models import DBTaskResult

from concord.capabilities.models import AllocationRun
from concord.core.choices import TaskState
from concord.core.models import TaskProgress
from tests.core.test_tasks import claim_and_run, queue  # noqa: F401  # the queue fixture

pytestmark = pytest.mark.django_db


def chair_client(cast: Any) -> Client:
    client = Client()
    client.force_login(cast("tarian.chair"))
    return client


def test_a_chair_starts_the_run_and_the_page_follows_it_to_the_end(cast, queue):  # noqa: F811
    chair = chair_client(cast)
    response = chair.post("/capabilities/allocation/", {"weeks": "6"})
    assert response.status_code == 302
    task_id = response.url.split("?task=", 1)[1]
    assert not AllocationRun.objects.exists()  # the request only queued it
    assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.READY
    waiting = chair.get(response.url).content.decode()
    assert 'role="progressbar"' in waiting
    assert f'hx-get="/tasks/{task_id}/progress"' in waiting
    # The region that polls is the live region, so what changes in it is announced.
    region = waiting.split('role="status"', 1)[1].split(">", 1)[0]
    assert 'aria-live="polite"' in region
    assert "hx-get" in region
    assert chair.get(f"/tasks/{task_id}/progress").status_code == 200  # keep asking
    assert "Waiting to start" in waiting
    # Nobody else follows the chair's task.
    other = Client()
    other.force_login(cast("nca.tasking"))
    assert 'data-testid="task-progress"' not in other.get(response.url).content.decode()
    assert other.get(f"/tasks/{task_id}/progress").status_code == 404

    claim_and_run(task_id)  # what `concord worker` does

    run = AllocationRun.objects.get()
    assert DBTaskResult.objects.get(pk=task_id).return_value == run.pk
    progress = TaskProgress.objects.get(task_id=task_id)
    assert (progress.state, progress.percent) == (TaskState.SUCCEEDED, 100)
    answer = chair.get(f"/tasks/{task_id}/progress")
    assert answer.status_code == 286  # htmx stops polling
    done = answer.content.decode()
    assert "The allocation has been run." in done


def test_the_run_shows_in_welsh_for_a_welsh_reader(cast):
    chair = chair_client(cast)
    response = chair.post("/capabilities/allocation/", {"weeks": "6"})
    chair.post("/i18n/setlang/", {"language": "cy", "next": "/"})
    page = chair.get(response.url).content.decode()
    assert 'data-state="succeeded"' in page
    assert "Running the allocation" not in page
    assert "Show the result" not in page
