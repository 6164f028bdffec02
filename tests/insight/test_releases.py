"""Public statistics from outside: a quarter prepared by nca.tasking is protected by
disclosure control, approved by a second person, and only then shown on the public page (no
sign-in) with CSV and JSON; no withheld cell can be worked out from what is published."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from concord.core.models import AuditEntry
from concord.insight import disclosure, services, statistics
from concord.insight.choices import ReleaseStatus
from concord.insight.models import StatisticsRelease
from concord.plans.models import Disruption, DisruptionImpact
from tests.access.registry import make_ocg
from tests.access.test_matrix import client_for
from tests.factories import UserFactory, organisation, persona

pytestmark = pytest.mark.django_db


def _last_quarter() -> tuple[int, int]:
    year, quarter = statistics.quarter_of(timezone.localdate())
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


@pytest.fixture
def quarter(cast):
    """A finished quarter's validated disruptions: many in the North West, a few in Wales (small
    counts to withhold), one claimed but never validated (never counted)."""
    year, q = _last_quarter()
    first, _last = statistics.quarter_dates(year, q)
    impact = DisruptionImpact.objects.order_by("rank").first()
    made = []
    for code, strand, n, arrests in [
        ("GMP", "pursue", 24, 2),
        ("GMP", "prevent", 12, 0),
        ("NWROCU", "protect", 15, 1),
        ("DYP", "pursue", 3, 1),
        ("TARIAN", "prepare", 1, 0),
        ("NCA", "pursue", 11, 1),
    ]:
        # What counts is who it was claimed for, not who owns the group.
        ocg = make_ocg("GMP" if code in ("GMP", "NWROCU") else "DYP", "OFFICIAL", False)
        for i in range(n):
            made.append(
                Disruption(
                    ocg=ocg,
                    strand=strand,
                    impact=impact,
                    occurred_on=first + dt.timedelta(days=i % 80),
                    narrative="Warrant executed",
                    claimed_by=ocg.created_by,
                    claimed_for=organisation(code),
                    claimed_at=timezone.now(),
                    status="validated",
                    validated_by=persona("nca.tasking"),
                    validated_at=timezone.now(),
                    arrests=arrests,
                    charges=arrests,
                    firearms=1 if i == 0 else 0,
                )
            )
    Disruption.objects.bulk_create(made)
    Disruption.objects.create(
        ocg=make_ocg("DYP", "OFFICIAL", False),
        strand="pursue",
        impact=impact,
        occurred_on=first,
        narrative="Claimed only",
        claimed_by=persona("dp.sio"),
        claimed_for=organisation("DYP"),
        claimed_at=timezone.now(),
        arrests=50,
    )
    return year, q


@pytest.fixture
def approver():
    return UserFactory(
        username="nca.statistics",
        organisation=organisation("NCA"),
        roles=["analyst"],
        vetting_level="SC",
    )


def _values(release: StatisticsRelease, code: str) -> dict[tuple, int | None]:
    table = next(t for t in release.tables if t["code"] == code)["data"]
    dims = [d["name"] for d in table["dimensions"]]
    return {tuple(cell[d] for d in dims): cell["value"] for cell in table["cells"]}


def test_a_quarter_is_counted_from_validated_disruptions_by_region(quarter):
    counts = statistics.count(*quarter)
    rows = counts["disruptions"]["labels"]
    north_west = counts["disruptions"]["counts"][rows.index("North West")]
    assert north_west == [24, 12, 15, 0]
    wales = counts["disruptions"]["counts"][rows.index("Southern Wales")]
    assert wales == [3, 0, 0, 1]
    national = counts["disruptions"]["counts"][rows.index(statistics.NATIONAL)]
    assert national == [11, 0, 0, 0]
    # The claimed-only disruption's 50 arrests are not counted.
    assert sum(counts["arrests"]["counts"]) == 24 * 2 + 15 + 3 + 11


def test_prepared_then_approved_by_another_it_appears_on_the_public_page(quarter, cast, approver):
    anonymous = Client()
    release = services.prepare_release(
        actor=cast("nca.tasking"), year=quarter[0], quarter=quarter[1]
    )
    assert release.status == ReleaseStatus.DRAFT
    assert release.label not in anonymous.get("/statistics/").content.decode()
    assert anonymous.get(f"/statistics/{release.slug}/").status_code == 404
    # The preparer may not approve their own draft.
    with pytest.raises(PermissionDenied):
        services.approve_release(actor=cast("nca.tasking"), release=release)
    # Nor may anyone outside the national function.
    with pytest.raises(PermissionDenied):
        services.approve_release(actor=cast("tarian.chair"), release=release)
    services.approve_release(actor=approver, release=release)
    release.refresh_from_db()
    assert (release.status, release.approved_by) == (ReleaseStatus.PUBLISHED, approver)
    listing = anonymous.get("/statistics/").content.decode()
    assert release.label in listing
    page = anonymous.get(f"/statistics/{release.slug}/").content.decode()
    assert "Validated disruptions by region and 4P strand" in page
    assert "[c]" in page
    values = _values(release, "disruptions")
    # Wales's 3 and 1 are below the threshold of 10: withheld; the North West's 24 is shown,
    # rounded to 5.
    assert values["Southern Wales", "Pursue"] is None
    assert values["Southern Wales", "Prepare"] is None
    assert values["North West", "Pursue"] == 25
    rows = list(
        csv.reader(
            io.StringIO(anonymous.get(f"/statistics/{release.slug}/?format=csv").content.decode())
        )
    )
    assert ["disruptions", "Southern Wales", "Pursue", "[c]"] in rows
    data = json.loads(anonymous.get(f"/statistics/{release.slug}/?format=json").content)
    assert {t["code"] for t in data["tables"]} >= {"disruptions", "arrests", "firearms"}
    assert AuditEntry.objects.filter(
        object_type="insight.statisticsrelease", detail__release="published"
    ).exists()


def test_no_withheld_cell_can_be_recovered_from_the_published_margins(quarter, cast, approver):
    release = services.prepare_release(
        actor=cast("nca.tasking"), year=quarter[0], quarter=quarter[1]
    )
    services.approve_release(actor=approver, release=release)
    release.refresh_from_db()
    for table in release.tables:
        data = table["data"]
        dimensions = tuple(
            disclosure.Dimension(d["name"], tuple(d["labels"])) for d in data["dimensions"]
        )
        names = [d.name for d in dimensions]
        published = {tuple(cell[n] for n in names): cell["value"] for cell in data["cells"]}
        intervals = disclosure.audit(dimensions, published, rounding_base=data["rounding_base"])
        for key, interval in intervals.items():
            # Every withheld figure can take more than one value given everything published.
            assert interval.upper - interval.lower >= 1, (table["code"], key, interval)
    # …and by brute force on the Southern Wales row of the strand table: every whole-number
    # completion consistent with the published (exact) row total leaves each withheld cell free.
    counts = release.counts["disruptions"]
    rows = counts["labels"]
    wales = counts["counts"][rows.index("Southern Wales")]
    withheld = [
        i
        for i, strand in enumerate(statistics.STRANDS)
        if _values(release, "disruptions")["Southern Wales", strand] is None
    ]
    total = sum(wales)
    shown = sum(v for i, v in enumerate(wales) if i not in withheld)
    for i in withheld:
        possible = {
            combo[withheld.index(i)]
            for combo in itertools.product(range(total + 1), repeat=len(withheld))
            if sum(combo) + shown == total
        }
        assert len(possible) > 1


def test_bad_requests_are_refused_by_name_and_store_nothing(quarter, cast):
    chair = cast("nca.tasking")
    year, q = statistics.quarter_of(timezone.localdate())
    with pytest.raises(ValidationError) as current:
        services.prepare_release(actor=chair, year=year, quarter=q)
    assert "quarter" in current.value.message_dict
    with pytest.raises(ValidationError) as threshold:
        services.prepare_release(actor=chair, year=quarter[0], quarter=quarter[1], threshold=1)
    assert "threshold" in threshold.value.message_dict
    with pytest.raises(ValidationError) as rounding:
        services.prepare_release(actor=chair, year=quarter[0], quarter=quarter[1], rounding_base=3)
    assert "rounding_base" in rounding.value.message_dict
    with pytest.raises(PermissionDenied):
        services.prepare_release(actor=cast("dp.analyst"), year=quarter[0], quarter=quarter[1])
    assert not StatisticsRelease.objects.exists()


def test_the_national_page_prepares_approves_and_withdraws(quarter, cast, approver):
    url = "/insight/releases/"
    assert client_for(cast("gmp.sio")).get(url).status_code == 404
    assert client_for(cast("bf.partner")).get(url).status_code == 404
    preparer = client_for(cast("nca.tasking"))
    form = {"step": "prepare", "year": str(quarter[0]), "quarter": str(quarter[1])}
    page = preparer.post(url, form, follow=True).content.decode()
    assert "is prepared" in page
    assert "You prepared this draft: someone else approves it." in page
    release = StatisticsRelease.objects.get()
    other = client_for(approver)
    assert (
        "is published"
        in other.post(url, {"step": "approve", "release": release.pk}, follow=True).content.decode()
    )
    refused = other.post(
        url, {"step": "withdraw", "release": release.pk, "reason": "no"}, follow=True
    ).content.decode()
    assert "Say why it is withdrawn (at least ten characters)." in refused
    other.post(
        url,
        {"step": "withdraw", "release": release.pk, "reason": "A force corrected its figures."},
    )
    release.refresh_from_db()
    assert release.status == ReleaseStatus.WITHDRAWN
    public = Client().get(f"/statistics/{release.slug}/").content.decode()
    assert "A force corrected its figures." in public
    assert "[c]" not in public
