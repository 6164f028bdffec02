"""Against fishing: deconfliction checks are audited, and bulk checks on operations outside a
person's work, or one subject checked again and again, raise a monitoring alert."""

from __future__ import annotations

import pytest

from concord.deconfliction import services
from concord.deconfliction.choices import SubjectKind
from concord.monitoring.choices import AlertKind
from concord.monitoring.models import Alert, AlertRule
from tests.deconfliction.helpers import operation
from tests.factories import persona

pytestmark = pytest.mark.django_db


def check(actor, op, value: str) -> None:
    services.register_subject(
        actor=actor,
        operation=op,
        details=services.SubjectDetails(kind=SubjectKind.PHONE, value=value),
    )


def fishing(person):
    return Alert.objects.filter(kind=AlertKind.DECONFLICTION_FISHING, person=person)


def test_checks_on_operations_outside_ones_work_raise_an_alert(django_capture_on_commit_callbacks):
    AlertRule.objects.filter(kind=AlertKind.DECONFLICTION_FISHING).update(threshold=3)
    op = operation("gmp.sio")  # gmp.sio's work, not gmp.lro's
    lro = persona("gmp.lro")
    with django_capture_on_commit_callbacks(execute=True):
        check(lro, op, "07700 900201")
        check(lro, op, "07700 900202")
    assert not fishing(lro).exists()
    with django_capture_on_commit_callbacks(execute=True):
        check(lro, op, "07700 900203")
    alert = fishing(lro).get()
    assert "not their own work" in alert.explanation
    assert len(alert.evidence) == 3
    assert "900203" not in alert.explanation


def test_one_subject_checked_again_and_again_raises_an_alert(django_capture_on_commit_callbacks):
    op = operation("gmp.sio")
    sio = op.created_by
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            check(sio, op, "07700 900300")
    assert "the same subject 3 times" in fishing(sio).get().explanation


def test_many_checks_in_ones_own_work_raise_none(django_capture_on_commit_callbacks):
    AlertRule.objects.filter(kind=AlertKind.DECONFLICTION_FISHING).update(threshold=3)
    op = operation("gmp.sio")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(6):
            check(op.created_by, op, f"07700 9004{i:02d}")
    assert not fishing(op.created_by).exists()
