"""Notifications written before message codes keep their words through the migration (as the
sentence they were made with, under the code "legacy"), and going back restores them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

BEFORE = [("organisations", "0007_notification_code")]
AFTER = [("organisations", "0009_notification_drop_text")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


# Transactional: migrations cannot run inside a test transaction. The runner empties every
# table afterwards; FLUSHED has the next database test on this worker put the reference back.
@pytest.mark.django_db(transaction=True)
def test_old_notifications_keep_their_text_as_legacy_and_come_back_on_reversal(committed_world):
    from tests.factories import persona

    person = persona("dp.lro")
    try:
        old = migrate(BEFORE)
        notification = old.get_model("organisations", "Notification")
        notification.objects.create(
            person_id=person.pk,
            subject="OCG-DYP-000001: query answered",
            body="Gwnaed y cais yn Gymraeg",
            code="legacy",
        )
        migrate(AFTER)
        from concord.organisations.models import Notification

        [kept] = Notification.objects.filter(person=person)
        assert kept.code == "legacy"
        assert kept.params == {
            "subject": "OCG-DYP-000001: query answered",
            "body": "Gwnaed y cais yn Gymraeg",
        }
        with translation.override("cy"):
            assert kept.subject == "OCG-DYP-000001: query answered"
            assert kept.body == "Gwnaed y cais yn Gymraeg"
        # And back: the words return to the columns.
        back = migrate(BEFORE)
        [restored] = back.get_model("organisations", "Notification").objects.all()
        assert (restored.subject, restored.body) == (
            "OCG-DYP-000001: query answered",
            "Gwnaed y cais yn Gymraeg",
        )
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        from tests.conftest import FLUSHED

        FLUSHED["reference"] = True
