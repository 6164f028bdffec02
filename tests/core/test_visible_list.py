"""VisibleList (core/visible_list.py) reads a list of intelligence a page at a time from two
arms (the reader's own reports, and those shared with them): every page, count and filter
must be exactly what the plain policy queryset gives, for every kind of reader, including a
report that is both owned and shared, a need-to-know report shared by name, a revoked or
lapsed share, and a classification the reader is not cleared for."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from concord.core import policy
from concord.core.choices import Classification
from concord.core.models import Share
from concord.core.visible_list import VisibleList
from concord.intelligence.choices import ReportStatus
from concord.intelligence.models import IntelReport
from tests.factories import organisation, persona

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ORDER = ("-information_date", "-id")


def _report(n: int, owner: str, **extra: object) -> IntelReport:
    author = {"DYP": "dp.analyst", "TARIAN": "tarian.chair", "WIL": "wilts.analyst"}[owner]
    return IntelReport.objects.create(
        owner=organisation(owner),
        originator=persona(author),
        reference=f"T-{owner}-{n:04d}",
        title=f"Report {n}",
        text="Seen near the docks.",
        # Several share a date, so the id breaks ties.
        information_date=TODAY - dt.timedelta(days=n % 7),
        source_evaluation="2",
        intelligence_assessment="B",
        handling_code="P",
        status=extra.pop("status", ReportStatus.RELEASED),
        **extra,
    )


def _share(report: IntelReport, *, to: str | None = None, person: str | None = None, **extra):
    return Share.objects.create(
        content_type=ContentType.objects.get_for_model(IntelReport),
        object_id=report.pk,
        to_organisation=organisation(to) if to else None,
        to_person=persona(person) if person else None,
        created_by=report.originator,
        purpose="Tasking",
        **extra,
    )


@pytest.fixture
def reports():
    """Dyfed-Powys, Tarian and Wiltshire reports, some shared each way."""
    made = []
    for n, owner in zip(range(60), itertools.cycle(["DYP", "TARIAN", "WIL"]), strict=False):
        classification = Classification.SECRET if n % 11 == 0 else Classification.OFFICIAL
        made.append(
            _report(
                n,
                owner,
                classification=classification,
                need_to_know_only=n % 13 == 0,
                status=ReportStatus.DRAFT if n % 5 == 0 else ReportStatus.RELEASED,
            )
        )
    for report in made:
        if report.owner.code != "DYP" and report.pk % 2 == 0:
            _share(report, to="DYP")
        if report.owner.code == "DYP" and report.pk % 3 == 0:
            _share(report, to="TARIAN")
    # Owned by Dyfed-Powys and shared back to it; need-to-know shared to one person; a
    # revoked share and a lapsed one.
    own_and_shared = next(r for r in made if r.owner.code == "DYP" and not r.need_to_know_only)
    _share(own_and_shared, to="DYP")
    secret = next(r for r in made if r.owner.code == "WIL" and r.need_to_know_only)
    _share(secret, person="dp.analyst")
    revoked = next(r for r in made if r.owner.code == "WIL" and r.pk % 2 == 1)
    _share(revoked, to="DYP", revoked_at=timezone.now())
    lapsed = next(r for r in made if r.owner.code == "TARIAN" and r.pk % 2 == 1)
    _share(lapsed, to="DYP", until=TODAY - dt.timedelta(days=1))
    return made


@pytest.mark.parametrize("username", ["dp.analyst", "dp.lro", "tarian.chair", "nca.tasking"])
@pytest.mark.parametrize(
    "where", [Q(), Q(status=ReportStatus.RELEASED), Q(handling_code="C")], ids=str
)
def test_every_page_and_the_count_are_the_plain_querysets(reports, username, where):
    reader = persona(username)
    plain = list(
        IntelReport.objects.visible_to(reader).filter(where).order_by(*ORDER).values_list("pk")
    )
    plain = [pk for (pk,) in plain]
    if username in ("dp.analyst", "tarian.chair") and where != Q(handling_code="C"):
        assert len(plain) > 10  # own and shared reports, over several pages
    listed = VisibleList(reader, IntelReport, where=where, order_by=ORDER)
    assert listed.count() == len(plain)
    for size in (1, 7, 25):
        for start in range(0, len(plain) + size, size):
            page = listed[start : start + size]
            assert [r.pk for r in page] == plain[start : start + size], (size, start)
    assert [r.pk for r in listed] == plain
    assert [r.pk for r in listed.iterator(chunk_size=5)] == plain


def test_it_reads_by_arms_for_a_reader_of_own_and_shared_rows(reports):
    reader = persona("dp.analyst")
    arms = policy.visible_arms(reader, IntelReport)
    assert arms is not None
    listed = VisibleList(reader, IntelReport, order_by=ORDER)
    assert listed.arms is not None
    # The report owned by Dyfed-Powys and shared back to it is counted once.
    union = set(arms.own.values_list("pk", flat=True)) | set(
        arms.shared.values_list("pk", flat=True)
    )
    assert listed.count() == len(union) == arms.own.count() + arms.shared_only.count()
    # The need-to-know report shared by name is in; the revoked and lapsed shares are not.
    assert IntelReport.objects.filter(pk__in=union, owner__code="WIL", need_to_know_only=True)
    for pk in Share.objects.filter(Q(revoked_at__isnull=False) | Q(until__lt=TODAY)).values_list(
        "object_id", flat=True
    ):
        assert pk not in union


def test_a_mixed_order_is_the_plain_queryset(reports):
    reader = persona("dp.analyst")
    listed = VisibleList(reader, IntelReport, order_by=("information_date", "-id"))
    assert listed.arms is None
    plain = IntelReport.objects.visible_to(reader).order_by("information_date", "-id")
    assert [r.pk for r in listed[3:9]] == [r.pk for r in plain[3:9]]


def test_a_page_costs_a_fixed_number_of_queries(reports, django_assert_num_queries):
    reader = persona("dp.analyst")
    listed = VisibleList(reader, IntelReport, order_by=ORDER, select_related=("owner",))
    policy.viewer_for(reader)  # the viewer's roles and teams, read once per request
    with django_assert_num_queries(3):  # the two arms' heads, then the page's rows by id
        page = listed[5:30]
    with django_assert_num_queries(0):
        assert all(report.owner.code for report in page)
