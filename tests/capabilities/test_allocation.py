"""The allocation engine: optimal against brute force, deterministic, explained, and strict."""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import replace

import pytest
from django.utils import translation

from concord.capabilities.allocation import (
    VETTING_LEVELS,
    AllocationError,
    Capability,
    Flex,
    Need,
    Plan,
    Pool,
    Post,
    Problem,
    Reason,
    Status,
    Unit,
    capacity_of,
    compare,
    gaps,
    greedy,
    highs,
    solve,
    with_added_capacity,
    with_loan,
    with_pool,
    without_pools,
)

Q1 = "2027-Q1"
CAPS = (Capability("FIN"), Capability("SURV", Unit.TEAMS))


def pool(pid, region="NW", capacity=10, capability="FIN", vetting="SC", team_size=None, period=Q1):
    if capability == "SURV" and team_size is None:
        team_size = 8
    return Pool(pid, capability, f"ORG-{region}", region, {period: capacity}, vetting, team_size)


def need(nid, threat="T1", weight=5.0, amount=5, capability="FIN", region="NW", **kw):
    kw.setdefault("period", Q1)
    return Need(
        nid, threat, weight, capability, amount, organisation=f"F-{region}", region=region, **kw
    )


def problem(pools, needs, flex=None, **kw):
    return Problem(CAPS, tuple(pools), tuple(needs), flex or Flex(outside_region_cost=1.0), **kw)


# Brute force: every integer allocation of a tiny instance, straight from the definitions.


def brute(p: Problem) -> float:
    arcs = []
    for n in p.needs:
        for q in p.pools:
            held = q.capacity.get(n.period, 0)
            cost = p.flex.cost(q.region, n.region)
            if (
                q.capability == n.capability
                and held > 0
                and cost is not None
                and p.vetting_rank(q.vetting) >= p.vetting_rank(n.vetting)
            ):
                arcs.append((n, q, cost, min(held, n.amount)))
    best = math.inf
    for xs in itertools.product(*(range(u + 1) for *_, u in arcs)):
        served: dict[str, int] = {}
        used: dict[str, int] = {}
        cost = 0.0
        ok = True
        for (n, q, c, _), x in zip(arcs, xs, strict=True):
            if x and n.min_team_size and x * q.team_size < n.min_team_size:
                ok = False
                break
            served[n.id] = served.get(n.id, 0) + x
            used[q.id] = used.get(q.id, 0) + x
            cost += c * x
        if not ok or any(used[q.id] > q.capacity[Q1] for q in p.pools if q.id in used):
            continue
        if any(served.get(n.id, 0) > n.amount for n in p.needs):
            continue
        groups: dict[str, list[Need]] = {}
        for n in p.needs:
            if n.joint:
                groups.setdefault(n.joint, []).append(n)
        if any(
            len({served.get(n.id, 0) == n.amount for n in members}) > 1
            or any(0 < served.get(n.id, 0) < n.amount for n in members)
            for members in groups.values()
        ):
            continue
        unmet = sum(n.weight * (n.amount - served.get(n.id, 0)) for n in p.needs)
        best = min(best, unmet + cost)
    return round(best, 6)


def tiny(rng: random.Random, *, joint: bool) -> Problem:
    regions = ["NW", "NE"]
    pools = []
    for i in range(rng.randint(1, 3)):
        capability = rng.choice(["FIN", "SURV"])
        pools.append(
            pool(
                f"P{i}",
                region=rng.choice(regions),
                capacity=rng.randint(0, 3),
                capability=capability,
                vetting=rng.choice(VETTING_LEVELS),
                team_size=rng.choice([4, 6]) if capability == "SURV" else None,
            )
        )
    needs = []
    for i in range(rng.randint(1, 3)):
        capability = rng.choice(["FIN", "SURV"])
        needs.append(
            need(
                f"N{i}",
                threat=f"T{i % 2}",
                weight=rng.choice([1.0, 2.5, 4.0, 7.5]),
                amount=rng.randint(1, 3),
                capability=capability,
                region=rng.choice(regions),
                vetting=rng.choice([None, *VETTING_LEVELS]),
                joint=f"J{i % 2}" if joint and rng.random() < 0.6 else None,
                min_team_size=rng.choice([None, 8, 12]) if joint and capability == "SURV" else None,
            )
        )
    flex = Flex(
        outside_region_cost=rng.choice([0.0, 1.5, 3.0, 8.0]),
        outside_region_allowed=rng.random() < 0.7,
        between={("NE", "NW"): 2.0} if rng.random() < 0.3 else {},
    )
    return Problem(CAPS, tuple(pools), tuple(needs), flex, periods=(Q1,))


@pytest.mark.parametrize("joint", [False, True], ids=["flow", "joint"])
def test_every_solver_matches_brute_force_on_small_instances(joint):
    rng = random.Random(13 if joint else 7)
    paths = set()
    for _ in range(60):
        p = tiny(rng, joint=joint)
        expected = brute(p)
        plan = solve(p)
        paths.add(plan.solver)
        assert plan.objective == pytest.approx(expected, abs=1e-6), p
        assert plan.status is Status.OPTIMAL
        assert highs(p).objective == pytest.approx(expected, abs=1e-6), p
        assert greedy(p).objective >= expected - 1e-6
    assert paths == ({"CP-SAT", "min-cost flow"} if joint else {"min-cost flow"})


def national(seed: int, *, joint: bool) -> Problem:
    rng = random.Random(seed)
    regions = ["NW", "NE", "YH", "EM"]
    pools = [
        pool(
            f"{c}-{r}",
            region=r,
            capacity=rng.randint(5, 40),
            capability=c,
            vetting=rng.choice(VETTING_LEVELS),
        )
        for c in ("FIN", "SURV")
        for r in regions
    ]
    needs = []
    for t in range(60):
        for c in rng.sample(["FIN", "SURV"], rng.randint(1, 2)):
            needs.append(
                need(
                    f"N{t:02d}{c}",
                    threat=f"T{t:02d}",
                    weight=rng.choice([3.0, 10.0, 40.0, 100.0]),
                    amount=rng.randint(1, 4) if c == "SURV" else rng.randint(5, 30),
                    capability=c,
                    region=rng.choice(regions),
                    joint=f"J{t}" if joint and rng.random() < 0.2 else None,
                    min_team_size=16 if joint and c == "SURV" and rng.random() < 0.3 else None,
                )
            )
    return problem(pools, needs, Flex(outside_region_cost=6.0))


@pytest.mark.parametrize("joint", [False, True], ids=["flow", "cp-sat"])
def test_the_same_input_gives_a_byte_identical_plan_in_any_order(joint):
    p = national(3, joint=joint)
    first = solve(p)
    assert first.solver == ("CP-SAT" if joint else "min-cost flow")
    assert solve(p).canonical() == first.canonical()
    rng = random.Random(1)
    pools, needs = list(p.pools), list(p.needs)
    rng.shuffle(pools)
    rng.shuffle(needs)
    shuffled = Problem(tuple(reversed(p.capabilities)), tuple(pools), tuple(needs), p.flex)
    assert solve(shuffled).canonical() == first.canonical()
    assert first.unmet  # the instance is contested: the order could matter


def test_joint_needs_are_met_together_or_not_at_all():
    p = problem(
        [pool("fin", capacity=100), pool("surv", capability="SURV", capacity=5, vetting="NPPV3")],
        [
            need("fin-1", amount=20, joint="op"),
            need("surv-1", amount=2, capability="SURV", vetting="SC", joint="op"),
        ],
    )
    plan = solve(p)
    assert plan.assignments == ()
    reasons = {u.need: u for u in plan.unmet}
    assert reasons["surv-1"].reason is Reason.NO_VETTING
    assert reasons["fin-1"].reason is Reason.JOINT_PARTNER
    assert reasons["fin-1"].partners == ("surv-1",)
    vetted = with_pool(p, pool("surv-dv", capability="SURV", capacity=2, vetting="DV"))
    plan = solve(vetted)
    assert {(a.need, a.pool, a.amount) for a in plan.assignments} == {
        ("fin-1", "fin", 20),
        ("surv-1", "surv-dv", 2),
    }
    assert plan.unmet == ()


def test_a_minimum_team_size_means_enough_teams_from_one_pool_or_none():
    # Teams of 6: a minimum of 10 officers is two teams from one pool.
    p = problem(
        [
            pool("a", capability="SURV", capacity=1, team_size=6),
            pool("b", capability="SURV", capacity=1, team_size=6),
        ],
        [need("op", capability="SURV", amount=2, min_team_size=10)],
    )
    plan = solve(p)
    assert plan.assignments == ()
    assert plan.unmet[0].reason is Reason.TEAM_TOO_SMALL
    roomy = with_added_capacity(p, "a", 1)
    plan = solve(roomy)
    assert [(a.pool, a.amount) for a in plan.assignments] == [("a", 2)]
    # Without the minimum the two single teams serve it.
    free = problem(p.pools, [need("op", capability="SURV", amount=2)])
    assert sorted(a.pool for a in solve(free).assignments) == ["a", "b"]


def test_vetting_is_respected():
    p = problem(
        [pool("low", vetting="NPPV3", capacity=10), pool("high", vetting="DV", capacity=3)],
        [need("n", amount=5, vetting="SC")],
    )
    plan = solve(p)
    assert [(a.pool, a.amount) for a in plan.assignments] == [("high", 3)]
    assert plan.unmet[0].amount == 2
    assert plan.unmet[0].reason is Reason.CAPACITY_TAKEN or plan.unmet[0].amount == 2


@pytest.mark.parametrize(
    ("flex", "served_outside", "reason"),
    [
        (Flex(outside_region_cost=3.0), 4, None),
        (Flex(outside_region_cost=6.0), 0, Reason.FLEX_TOO_COSTLY),
        (Flex(outside_region_cost=1.0, outside_region_allowed=False), 0, Reason.OUT_OF_REGION),
        (
            Flex(
                outside_region_cost=1.0, outside_region_allowed=False, between={("NE", "NW"): 2.0}
            ),
            4,
            None,
        ),
    ],
    ids=["cheap-flex", "dear-flex", "no-flex", "mutual-aid"],
)
def test_flex_is_used_while_it_costs_less_than_the_weight(flex, served_outside, reason):
    p = problem(
        [pool("own", region="NW", capacity=6), pool("far", region="NE", capacity=10)],
        [need("n", weight=5.0, amount=10, region="NW")],
        flex,
    )
    plan = solve(p)
    outside = sum(a.amount for a in plan.assignments if a.region == "NE")
    assert outside == served_outside
    assert plan.served("n") == 6 + served_outside
    if reason is None:
        assert plan.unmet == ()
    else:
        assert plan.unmet[0].reason is reason


def test_capacity_goes_to_the_higher_priority_and_the_reason_names_who_has_it():
    p = problem(
        [pool("own", capacity=10)],
        [
            need("low", threat="T-low", weight=2.0, amount=8),
            need("high", threat="T-high", weight=9.0, amount=8),
        ],
        Flex(outside_region_allowed=False),
    )
    plan = solve(p)
    assert plan.served("high") == 8
    assert plan.served("low") == 2
    (unmet,) = plan.unmet
    assert unmet.reason is Reason.CAPACITY_TAKEN
    assert [h.threat for h in unmet.holders] == ["T-high"]
    assert "T-high" in unmet.message(p)


def test_explain_says_who_serves_what_is_unmet_and_what_flex_would_close_it():
    p = problem(
        [pool("own", region="NW", capacity=4), pool("far", region="NE", capacity=10)],
        [need("n", threat="OCG-1", weight=5.0, amount=10, region="NW")],
        Flex(outside_region_cost=2.0, outside_region_allowed=False),
    )
    plan = solve(p)
    e = plan.explain("OCG-1")
    assert [(a.pool, a.amount) for a in e.served] == [("own", 4)]
    assert e.unmet[0].reason is Reason.OUT_OF_REGION
    assert e.closing is not None
    assert e.closing.closes == 6
    assert e.closing.remaining == 0
    assert [(f.pool, f.amount, f.cost) for f in e.closing.flex] == [("far", 6, 12.0)]
    # 6 units at weight 5 served, at flex cost 2 each: the objective falls by 18.
    assert e.closing.cost == pytest.approx(-18.0)
    assert e.closing.displaced == ()
    with translation.override("en"):
        lines = e.lines(p)
    assert lines[0] == "own serves 4 of FIN in 2027-Q1."
    assert "6 of FIN in 2027-Q1 is unmet" in lines[1]
    assert "Flex would close 6" in lines[2]


def test_explain_prices_what_closing_a_gap_displaces():
    p = problem(
        [pool("own", capacity=5)],
        [need("a", threat="A", weight=3.0, amount=5), need("b", threat="B", weight=8.0, amount=5)],
    )
    plan = solve(p)
    e = plan.explain("A")
    assert e.closing is not None
    assert e.closing.closes == 5
    assert e.closing.displaced == (("B", 5),)
    assert e.closing.cost == pytest.approx(25.0)  # B loses 5 x 8, A gains 5 x 3
    assert plan.explain("B").unmet == ()
    with pytest.raises(KeyError):
        plan.explain("nobody")


def test_explain_with_joint_needs_replans_only_the_competition_and_never_costs_less():
    from concord.capabilities.allocation import SCALE, solvers
    from concord.capabilities.allocation.model import build

    p = national(5, joint=True)
    plan = solve(p)
    threats = sorted({u.threat for u in plan.unmet})[:3]
    assert threats
    for threat in threats:
        e = plan.explain(threat)
        assert e.closing is not None
        assert e.closing.status is Status.OPTIMAL
        ids = frozenset(n.id for n in p.needs if n.threat == threat)
        forced = build(p, lifted=ids, must=ids)
        full = solvers.cpsat(forced, time_limit=30, relative_gap=0)
        full_cost = build(p, lifted=ids).objective(full.flows, full.served) / SCALE - plan.objective
        served_before = sum(plan.served(i) for i in ids)
        assert (
            e.closing.closes
            == sum(full.served[i] for i, n in enumerate(p.needs) if n.id in ids) - served_before
        )
        assert e.closing.cost >= full_cost - 1e-6


def test_scenarios_make_new_problems_and_compare_with_the_live_plan():
    p = problem(
        [pool("nw", region="NW", capacity=10), pool("ne", region="NE", capacity=10)],
        [
            need("a", threat="A", weight=9.0, amount=8, region="NW"),
            need("b", threat="B", weight=4.0, amount=8, region="NW"),
            need("c", threat="C", weight=6.0, amount=6, region="NE"),
        ],
        Flex(outside_region_allowed=False),
    )
    before = dict(p.pool("nw").capacity)
    base = solve(p)
    assert base.served("b") == 2
    grant_ends = without_pools(p, ["nw"])
    diff = compare(base, solve(grant_ends))
    assert diff.newly_unmet == ("A", "B")
    assert diff.objective_change == pytest.approx(8 * 9 + 2 * 4)
    more = compare(base, solve(with_added_capacity(p, "nw", 6)))
    assert more.newly_served == ("B",)
    assert [(d.capability, d.unmet_before, d.unmet_after) for d in more.capabilities] == [
        ("FIN", 6, 0)
    ]
    lent = with_loan(p, "NE", "NW", "FIN", 4)
    assert lent.pool("ne").capacity[Q1] == 6
    assert lent.pool("ne@NW").region == "NW"
    loan = compare(base, solve(lent))
    assert loan.newly_served == ("B",)
    assert loan.newly_unmet == ()
    # The live problem is untouched by all of it.
    assert dict(p.pool("nw").capacity) == before
    assert [q.id for q in p.pools] == ["ne", "nw"]
    with pytest.raises(AllocationError) as err:
        with_loan(p, "NE", "NW", "FIN", 11)
    assert err.value.path == "amount"
    with pytest.raises(AllocationError) as err:
        without_pools(p, ["nw", "nowhere"])
    assert err.value.path == "pools[1]"


def test_a_grant_ending_from_a_period_keeps_the_periods_before():
    q2 = "2027-Q2"
    p = Problem(
        CAPS,
        (Pool("nw", "FIN", "ORG", "NW", {Q1: 10, q2: 10}, "SC"),),
        (need("a", amount=5), need("b", amount=5, period=q2)),
        Flex(),
    )
    ended = without_pools(p, ["nw"], from_period=q2)
    assert dict(ended.pool("nw").capacity) == {Q1: 10, q2: 0}
    plan = solve(ended)
    assert plan.served("a") == 5
    assert plan.unmet[0].need == "b"
    assert plan.unmet[0].reason is Reason.NO_POOL


def test_gaps_by_capability_region_and_period_rank_threats_and_show_the_trend():
    q2 = "2027-Q2"
    p = Problem(
        CAPS,
        (Pool("nw", "FIN", "ORG", "NW", {Q1: 4, q2: 2}, "SC"),),
        (
            need("a1", threat="A", weight=2.0, amount=4),
            need("b1", threat="B", weight=7.0, amount=4),
            need("a2", threat="A", weight=2.0, amount=4, period=q2),
            need("b2", threat="B", weight=7.0, amount=4, period=q2),
        ),
        Flex(),
    )
    found = gaps(p, solve(p))
    assert [(g.period, g.amount, g.trend) for g in found] == [(q2, 6, 2), (Q1, 4, None)]
    assert [t.threat for t in found[0].threats] == ["B", "A"]
    assert found[0].weighted == pytest.approx(2 * 7 + 4 * 2)


def test_plans_carry_their_figures():
    p = national(5, joint=True)
    plan = solve(p)
    assert isinstance(plan, Plan)
    assert plan.best_bound is not None
    assert plan.best_bound <= plan.objective
    assert plan.gap == pytest.approx(0.0, abs=1e-9)
    assert 0 < plan.coverage < 1
    base = greedy(p)
    assert base.status is Status.HEURISTIC
    assert base.best_bound is None
    assert base.objective >= plan.objective


BAD = [
    (
        lambda: problem([pool("p")], [need("n", amount=-3)]),
        "needs[0].amount",
        "must not be negative",
    ),
    (
        lambda: problem([pool("p", capacity=-1)], [need("n")]),
        "pools[0].capacity['2027-Q1']",
        "must not be negative",
    ),
    (lambda: problem([pool("p")], [need("n", weight=math.nan)]), "needs[0].weight", "finite"),
    (
        lambda: problem([pool("p", capacity=math.inf)], [need("n")]),
        "pools[0].capacity['2027-Q1']",
        "finite",
    ),
    (
        lambda: problem([pool("p", capability="XYZ")], [need("n")]),
        "pools[0].capability",
        "unknown capability 'XYZ'",
    ),
    (
        lambda: problem([pool("p")], [need("n", capability="XYZ")]),
        "needs[0].capability",
        "unknown capability 'XYZ'",
    ),
    (lambda: problem([pool("p"), pool("p")], [need("n")]), "pools[1].id", "duplicate 'p'"),
    (lambda: problem([pool("p")], [need("n"), need("n")]), "needs[1].id", "duplicate 'n'"),
    (lambda: problem([pool("p")], [need("n", weight=0)]), "needs[0].weight", "between"),
    (lambda: problem([pool("p")], [need("n", weight=5000)]), "needs[0].weight", "between"),
    (lambda: problem([pool("p")], [need("n", amount=2.5)]), "needs[0].amount", "whole number"),
    (lambda: problem([pool("p")], [need("n", amount=True)]), "needs[0].amount", "must be a number"),
    (
        lambda: problem([pool("p")], [need("n", period="2031-Q4")]),
        "needs[0].period",
        "no pool has capacity",
    ),
    (
        lambda: problem([pool("p", vetting="TOP")], [need("n")]),
        "pools[0].vetting",
        "unknown vetting level 'TOP'",
    ),
    (
        lambda: problem([pool("p")], [need("n", vetting="XX")]),
        "needs[0].vetting",
        "unknown vetting level",
    ),
    (
        lambda: problem([pool("p", team_size=6)], [need("n")]),
        "pools[0].team_size",
        "counted in teams",
    ),
    (
        lambda: problem([pool("p")], [need("n", min_team_size=6)]),
        "needs[0].min_team_size",
        "counted in teams",
    ),
    (
        lambda: problem(
            [pool("p")], [need("a", threat="T1", joint="j"), need("b", threat="T2", joint="j")]
        ),
        "needs[1].joint",
        "joins threats",
    ),
    (lambda: problem([pool("p")], [need("n", region="")]), "needs[0].region", "non-empty"),
    (
        lambda: problem([pool("p")], [need("n")], Flex(outside_region_cost=-1)),
        "flex.outside_region_cost",
        "negative",
    ),
    (
        lambda: problem([pool("p")], [need("n")], Flex(between={("NE",): 1.0})),
        "flex.between[('NE',)]",
        "pair of region codes",
    ),
    (
        lambda: problem([pool("p")], [need("n")], periods=("2027-Q2",)),
        "pools[0].capacity['2027-Q1']",
        "unknown period",
    ),
    (
        lambda: problem([pool("p")], [need("n", period="2027-Q2")], periods=("2027-Q1", "2027-Q2")),
        "needs[0].period",
        "no pool has capacity in period '2027-Q2'",
    ),
    (
        lambda: problem([pool("p")], [need("n", period="2031")], periods=("2027-Q1",)),
        "needs[0].period",
        "unknown period",
    ),
    (
        lambda: capacity_of([Post("a", 1.0, 1.0), Post("b", 1.0, 1.3)], 1600),
        "posts[1].funded",
        "130%",
    ),
    (lambda: capacity_of([Post("a", -1.0, 1.0)], 1600), "posts[0].fte", "must not be negative"),
]


@pytest.mark.parametrize(("make", "path", "message"), BAD, ids=[b[1] + ":" + b[2] for b in BAD])
def test_bad_input_is_refused_naming_the_field(make, path, message):
    with pytest.raises(AllocationError) as err:
        make()
    assert err.value.path == path
    assert message in err.value.message
    assert str(err.value).startswith(f"{path}: ")


def test_refused_input_changes_nothing():
    pools = [pool("p")]
    needs = [need("a"), need("b", amount=-1)]
    with pytest.raises(AllocationError):
        problem(pools, needs)
    assert pools == [pool("p")]
    assert needs[1].amount == -1
    p = problem(pools, needs[:1])
    with pytest.raises(AllocationError):
        with_added_capacity(p, "p", -5)
    assert p.pool("p").capacity[Q1] == 10


def test_capacity_comes_from_funded_posts():
    assert capacity_of([Post("a", 1.0, 1.0), Post("b", 0.5, 0.8)], 1500) == 2100


def test_vetting_order_is_the_projects():
    from concord.core.choices import VettingLevel

    assert tuple(VettingLevel.values) == VETTING_LEVELS


def test_messages_are_in_welsh_under_welsh():
    with translation.override("cy"):
        with pytest.raises(AllocationError) as err:
            problem([pool("p")], [need("n", amount=-3)])
        p = problem(
            [pool("p", capacity=2)], [need("n", amount=5)], Flex(outside_region_allowed=False)
        )
        plan = solve(p)
        e = plan.explain("T1")
        lines = e.lines(p)
        reason = plan.unmet[0].message(p)
    assert err.value.message == "rhaid iddo beidio â bod yn negatif"
    assert reason == "Nid oes capasiti ar ôl yn y cronfeydd y gall eu cyrraedd."
    assert lines[0].startswith("Mae p yn darparu 2")


def test_input_types_normalise_and_floats_that_are_whole_are_accepted():
    p = problem([pool("p", capacity=10.0)], [need("n", amount=4.0, weight=5)])
    assert p.needs[0].amount == 4
    assert isinstance(p.needs[0].amount, int)
    assert p.pool("p").capacity[Q1] == 10
    assert solve(p).served("n") == 4
    assert replace(p, flex=Flex(outside_region_cost=2)).flex.outside_region_cost == 2.0
