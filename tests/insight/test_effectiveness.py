"""Effectiveness for an organisation, a region or the nation against the period before, from
the reader's visible records only; beyond their reach, approved published aggregates only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concord.insight import effectiveness, statistics
from concord.insight.choices import AggregateLevel
from concord.insight.models import ApprovedAggregate
from concord.plans.models import Disruption, DisruptionImpact
from tests.access.registry import make_ocg
from tests.access.test_matrix import body, client_for
from tests.factories import organisation, persona

pytestmark = pytest.mark.django_db


def _quarter() -> tuple[int, int]:
    year, quarter = statistics.quarter_of(timezone.localdate())
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def _disruptions(owner: str, claimed_for: str, strand: str, n: int, day: dt.date, **outcomes):
    ocg = make_ocg(owner, "OFFICIAL", False)
    impact = DisruptionImpact.objects.order_by("rank").first()
    Disruption.objects.bulk_create(
        [
            Disruption(
                ocg=ocg,
                strand=strand,
                impact=impact,
                occurred_on=day,
                narrative="Warrant executed",
                claimed_by=ocg.created_by,
                claimed_for=organisation(claimed_for),
                claimed_at=timezone.now(),
                status="validated",
                validated_by=persona("nca.tasking"),
                validated_at=timezone.now(),
                **outcomes,
            )
            for _ in range(n)
        ]
    )
    return ocg


@pytest.fixture
def period():
    year, quarter = _quarter()
    return effectiveness.Period(*statistics.quarter_dates(year, quarter))


@pytest.fixture
def world(period):
    """Dyfed-Powys: 3 Pursue and 1 Prevent this quarter, 2 Pursue the quarter before; Greater
    Manchester: 7 Protect with 4 children safeguarded each."""
    _disruptions("DYP", "DYP", "pursue", 3, period.first, arrests=2)
    _disruptions("DYP", "DYP", "prevent", 1, period.last)
    _disruptions("DYP", "DYP", "pursue", 2, period.previous().first, arrests=1)
    _disruptions("GMP", "GMP", "protect", 7, period.first, children_safeguarded=4)


def test_an_organisation_against_the_quarter_before(world, period):
    analyst = persona("dp.analyst")
    scope = effectiveness.Scope(AggregateLevel.ORGANISATION, organisation=organisation("DYP"))
    now = effectiveness.compute(analyst, scope, period)
    before = effectiveness.compute(analyst, scope, period.previous())
    assert now.by_strand == {"pursue": 3, "prevent": 1, "protect": 0, "prepare": 0}
    assert now.disruptions == 4
    assert before.disruptions == 2
    assert now.outcomes["arrests"] == 6
    assert before.outcomes["arrests"] == 2
    assert now.balance == {"pursue": 75, "prevent": 25, "protect": 0, "prepare": 0}
    assert effectiveness.change(now.disruptions, before.disruptions) == "+2"


def test_a_comparison_read_together_gives_each_periods_own_figures(world, period):
    """`compare` reads both periods in the same queries; each period's figures are what that
    period alone gives."""
    for username, scope in (
        ("dp.analyst", effectiveness.Scope(AggregateLevel.ORGANISATION, organisation("DYP"))),
        ("nca.tasking", effectiveness.Scope(AggregateLevel.NATION)),
    ):
        reader = persona(username)
        now, before = effectiveness.compare(reader, scope, period)
        assert now == effectiveness.compute(reader, scope, period)
        assert before == effectiveness.compute(reader, scope, period.previous())
        assert now.disruptions > before.disruptions > 0


def test_the_nation_for_the_national_function_counts_every_force(world, period):
    nca = persona("nca.tasking")
    scope = effectiveness.Scope(AggregateLevel.NATION)
    now = effectiveness.compute(nca, scope, period)
    assert now.disruptions == 11
    assert now.outcomes["children_safeguarded"] == 28
    assert effectiveness.within_reach(nca, scope)


def test_a_force_analyst_sees_no_figure_from_another_forces_records(world, period, client):
    """The leak test: the nation, for Dyfed-Powys's analyst, counts Dyfed-Powys only, the page
    says so, and its CSV holds no figure from Greater Manchester's records."""
    analyst = persona("dp.analyst")
    nation = effectiveness.Scope(AggregateLevel.NATION)
    now = effectiveness.compute(analyst, nation, period)
    assert now.disruptions == 4
    assert now.outcomes["children_safeguarded"] == 0
    assert now.by_strand["protect"] == 0
    assert not effectiveness.within_reach(analyst, nation)
    gmp = effectiveness.Scope(AggregateLevel.ORGANISATION, organisation=organisation("GMP"))
    assert effectiveness.compute(analyst, gmp, period).disruptions == 0
    year, quarter = _quarter()
    page = client_for(analyst).get(
        "/insight/effectiveness/", {"scope": "nation", "year": year, "quarter": quarter}
    )
    assert page.status_code == 200
    assert 'data-testid="partial"' in page.content.decode()
    exported = body(
        client_for(analyst).get(
            "/insight/effectiveness/",
            {"scope": "org:GMP", "year": year, "quarter": quarter, "export": "csv"},
        )
    )
    lines = exported.replace('"', "").splitlines()
    assert "Outcomes,children safeguarded,0,0,0" in lines
    assert "Validated disruptions,Protect,0,0,0" in lines


def test_beyond_reach_only_approved_published_aggregates_are_shown(world, period):
    """A region's figures for someone outside it come from the published release, and only
    while the national function approves that figure at that level."""
    from concord.insight import services

    year, quarter = _quarter()
    release = services.prepare_release(actor=persona("nca.tasking"), year=year, quarter=quarter)
    from tests.factories import UserFactory

    approver = UserFactory(
        username="nca.approver",
        organisation=organisation("NCA"),
        roles=["analyst"],
        vetting_level="SC",
    )
    services.approve_release(actor=approver, release=release)
    nation = effectiveness.Scope(AggregateLevel.NATION)
    shown = effectiveness.approved_aggregates(nation, period)
    disruptions = next(p for p in shown if p.table == "disruptions")
    # Every published figure is the release's own (rounded, withheld where small), not a count.
    published = dict(disruptions.columns)
    assert set(published) == {"Pursue", "Prevent", "Protect", "Prepare", "England and Wales"}
    ApprovedAggregate.objects.filter(level=AggregateLevel.NATION).delete()
    assert effectiveness.approved_aggregates(nation, period) == []


def test_the_period_picker(period):
    assert effectiveness.period_from("year", "2025", "", "", "") == effectiveness.Period(
        dt.date(2025, 4, 1), dt.date(2026, 3, 31)
    )
    custom = effectiveness.period_from("custom", "", "", "2026-01-01", "2026-01-10")
    assert custom.days == 10
    assert custom.previous() == effectiveness.Period(dt.date(2025, 12, 22), dt.date(2025, 12, 31))
    # Nonsense falls back to the current quarter rather than failing.
    assert effectiveness.period_from("custom", "", "", "x", "y").days >= 90


def test_the_page_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    client = client_for(persona("nca.tasking"))
    client.get("/insight/effectiveness/?scope=nation")
    _disruptions("WIL", "WIL", "prepare", 5, timezone.localdate())
    with django_assert_max_num_queries(30):
        response = client.get("/insight/effectiveness/?scope=nation")
    assert response.status_code == 200
