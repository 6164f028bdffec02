"""A large file is checked whole in the request, then taken in by a worker with its progress
for the person who uploaded it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks import TaskResultStatus
from django_tasks.backends.database.models import DBTaskResult

from concord.core.choices import TaskState
from concord.core.models import TaskProgress
from concord.referrals import services
from concord.referrals.models import Referral
from tests.core.test_tasks import claim_and_run, queue  # noqa: F401  # the queue fixture
from tests.referrals.test_upload import as_csv, parcels

pytestmark = pytest.mark.django_db


def test_a_large_file_is_taken_in_by_a_worker(client, sender, monkeypatch, queue):  # noqa: F811
    monkeypatch.setattr(services, "TASK_ROWS", 2)
    client.force_login(sender)
    upload = SimpleUploadedFile("p.csv", as_csv(parcels(3)), content_type="text/csv")
    response = client.post("/referrals/upload/", {"file": upload, "step": "import"})
    assert response.status_code == 302
    task_id = response.url.split("?task=", 1)[1]
    assert not Referral.objects.exists()  # the request only queued it
    assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.READY
    waiting = client.get(response.url).content.decode()
    assert 'role="progressbar"' in waiting

    claim_and_run(task_id)  # what `concord worker` does

    assert Referral.objects.count() == 3
    assert DBTaskResult.objects.get(pk=task_id).return_value == 3
    progress = TaskProgress.objects.get(task_id=task_id)
    assert progress.state == TaskState.SUCCEEDED
    assert progress.started_by == sender


def test_a_bad_large_file_is_refused_in_the_request(client, sender, monkeypatch, queue):  # noqa: F811
    monkeypatch.setattr(services, "TASK_ROWS", 2)
    client.force_login(sender)
    rows = parcels(3)
    rows[2]["found_on"] = "2999-01-01"
    upload = SimpleUploadedFile("p.csv", as_csv(rows), content_type="text/csv")
    response = client.post("/referrals/upload/", {"file": upload, "step": "import"})
    assert response.status_code == 200
    assert "Row 4" in response.content.decode()
    assert not DBTaskResult.objects.exists()
