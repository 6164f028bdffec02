"""Lists count towards bulk viewing: paging through a register, or one long API list."""

from __future__ import annotations

import pytest

from concord.core import audit
from concord.core.models import AuditAction
from concord.monitoring import detectors
from concord.monitoring.choices import AlertKind
from concord.monitoring.models import Alert, AlertRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_bulk_threshold(db: None) -> None:
    assert (
        AlertRule.objects.filter(kind=AlertKind.BULK_VIEWING).update(threshold=5, window_minutes=10)
        == 1
    )


def listed(person, *, rows: int, page: int = 1, q: str = ""):
    return audit.record_list(
        person,
        object_type="intelligence.intelreport",
        rows=[type("Row", (), {"pk": page * 1000 + i})() for i in range(rows)],
        filters={"q": q} if q else {},
        page=page,
    )


def view(person, object_id):
    return audit.record(
        AuditAction.VIEW, actor=person, object_type="threats.ocg", object_id=str(object_id)
    )


def test_lists_are_record_access_for_every_detector() -> None:
    assert AuditAction.LIST in detectors.RECORD_ACCESS
    assert AuditAction.LIST in detectors.BULK_VIEWING


def test_paging_through_a_list_is_bulk_viewing(
    cast, low_bulk_threshold, django_capture_on_commit_callbacks
):
    person = cast("dp.analyst")
    with django_capture_on_commit_callbacks(execute=True):
        entries = [listed(person, rows=50, page=n) for n in range(1, 6)]
    alert = Alert.objects.open().get(kind=AlertKind.BULK_VIEWING)
    assert alert.person == person
    assert "5 pages of lists" in alert.explanation
    assert set(alert.evidence) == {e.pk for e in entries}


def test_one_long_list_counts_as_the_pages_it_holds(
    cast, low_bulk_threshold, django_capture_on_commit_callbacks
):
    person = cast("dp.analyst")
    with django_capture_on_commit_callbacks(execute=True):
        listed(person, rows=250)
    assert Alert.objects.open().filter(kind=AlertKind.BULK_VIEWING).count() == 1


def test_views_and_lists_add_up(cast, low_bulk_threshold, django_capture_on_commit_callbacks):
    person = cast("dp.analyst")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            view(person, i)
        listed(person, rows=20, page=1)
        assert not Alert.objects.exists()
        listed(person, rows=20, page=2)
    alert = Alert.objects.open().get(kind=AlertKind.BULK_VIEWING)
    assert "viewed 3 different records and 2 pages of lists" in alert.explanation


def test_showing_the_same_page_again_is_not_more_viewing(
    cast, low_bulk_threshold, django_capture_on_commit_callbacks
):
    person = cast("dp.analyst")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(8):
            listed(person, rows=50, page=1)
        listed(person, rows=10, page=1, q="other")
    assert not Alert.objects.exists()
