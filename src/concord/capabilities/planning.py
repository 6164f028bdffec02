"""From the register and the posts to an allocation `Problem`, and back to what each person
may be told of the plan.

The plan is national: every pool (an organisation's capacity of one capability, from its
posts) and every need (each prioritised item's expected needs by band, and the needs actions,
tasking and SIO-support requests named) takes part, so capacity can flex across the country.
What a person is shown of it goes through the access policy: a threat they may not see is
"another threat" with only its band, never its reference.

Weights: a band's weight (defaults.BAND_WEIGHTS, per officer-week) times the officers one unit
of the capability takes, so an unmet team counts as the officers it would have deployed and an
unmet hour as a 37th of an officer-week. Flex outside the owner's region costs a little per
unit, so own capacity comes first and a loan is proposed only where it serves a threat.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from concord.capabilities import allocation, capacity, defaults, gaps
from concord.capabilities.choices import CapacityUnit, CatalogueStatus
from concord.capabilities.models import BandNeed, Capability, Demand, Post
from concord.core import policy
from concord.threats.models import REGISTER_ITEMS

NATIONAL = "national"
# Per unit outside the owner's region where no distance is known (the national pools): own
# capacity first, then the nearest region's (`flex_costs`).
FLEX_COST = 0.02
OFFICER_WEEK = Decimal("37")


def flex_costs() -> dict[tuple[str, str], float]:
    """What a unit lent between two regions costs: a base and a little more per km between
    their middles, so the nearest region with spare capacity is proposed first."""
    costs: dict[tuple[str, str], float] = {}
    for a, (lat_a, lon_a) in defaults.REGION_CENTRES.items():
        for b, (lat_b, lon_b) in defaults.REGION_CENTRES.items():
            if a == b:
                continue
            # The haversine distance on a sphere of the Earth's mean radius.
            p1, p2 = math.radians(lat_a), math.radians(lat_b)
            dp, dl = p2 - p1, math.radians(lon_b - lon_a)
            h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
            km = 2 * 6371 * math.asin(math.sqrt(h))
            costs[a, b] = round(defaults.FLEX_BASE_COST + defaults.FLEX_COST_PER_KM * km, 5)
    return costs


def period_label(starts: dt.date, weeks: int) -> str:
    return f"{starts.isoformat()}+{weeks}w"


def _officers_per_unit(capability: Capability) -> Decimal:
    if capability.unit == CapacityUnit.HOURS:
        return Decimal("1") / OFFICER_WEEK
    return capability.fte_per_unit or Decimal(capability.team_size or 1)


def weight(band: str, capability: Capability) -> float:
    """The priority weight of one unit of a capability for an item of this band."""
    per_officer = defaults.BAND_WEIGHTS.get(band, 0)
    return round(float(per_officer * _officers_per_unit(capability)), 4)


@dataclass
class World:
    """What a problem was built from, to turn the plan back into records."""

    problem: allocation.Problem | None
    starts: dt.date
    weeks: int
    capabilities: dict[str, Capability]
    items: dict[str, Any] = field(default_factory=dict)  # threat reference -> register item
    pools: dict[str, capacity.Pool] = field(default_factory=dict)  # pool id -> capacity
    bands: dict[str, str] = field(default_factory=dict)  # threat reference -> band
    # Agreed loans pinned in this problem: {"gap", "threat", "capability", "pool", "amount"}.
    loans: list[dict[str, Any]] = field(default_factory=list)


def _region(code: str | None) -> str:
    return code or NATIONAL


def build(*, starts: dt.date, weeks: int = 6) -> World:
    """The national problem for the `weeks` from `starts` (one period)."""
    period = period_label(starts, weeks)
    ends = starts + dt.timedelta(weeks=weeks)
    capabilities = {
        c.code: c for c in Capability.objects.filter(catalogue__status=CatalogueStatus.PUBLISHED)
    }
    posts = capacity.posts_for(Post.objects.all()).select_related("unit__organisation__region")
    found = capacity.pools(posts, starts)
    loans = gaps.pinned_loans(starts, ends - dt.timedelta(days=1))
    on_loan: dict[str, int] = defaultdict(int)
    for loan in loans:
        assert loan.lender is not None
        on_loan[f"{loan.lender.code}/{loan.capability.code}"] += loan.lent
    pools: list[allocation.Pool] = []
    by_id: dict[str, capacity.Pool] = {}
    regions: dict[int, str] = {}
    for post in posts:
        org = post.unit.organisation
        regions[org.pk] = _region(org.region.code if org.region is not None else None)
    for pool in found:
        pool_id = f"{pool.organisation_code}/{pool.capability.code}"
        held = int(pool.capacity)
        # An agreed loan comes out of the lender's pool first (up to what the pool holds).
        pinned = min(on_loan.get(pool_id, 0), max(held, 0))
        on_loan[pool_id] = pinned
        amount = held - pinned
        by_id[pool_id] = pool
        # A pool whose capacity is all on loan still takes part (with none to give).
        if (amount <= 0 and not pinned) or not pool.vetting:
            continue
        team = pool.capability.team_size if pool.capability.unit == CapacityUnit.TEAMS else None
        team = team or None
        pools.append(
            allocation.Pool(
                id=pool_id,
                capability=pool.capability.code,
                organisation=pool.organisation_code,
                region=regions[pool.organisation_id],
                capacity={period: amount},
                vetting=max(pool.vetting, key=allocation.VETTING_LEVELS.index),
                team_size=team,
            )
        )
    world = World(
        problem=None,
        starts=starts,
        weeks=weeks,
        capabilities=capabilities,
        pools=by_id,
    )
    world.loans = _pinned(loans, on_loan)
    needs = _needs(world, period, starts, ends)
    world.problem = allocation.Problem(
        capabilities=tuple(
            allocation.Capability(
                code=c.code,
                # Deployments count like hours (any whole number of them); teams are whole
                # teams of the capability's size.
                unit=allocation.Unit.TEAMS
                if c.unit == CapacityUnit.TEAMS and c.team_size
                else allocation.Unit.HOURS,
            )
            for c in sorted(capabilities.values(), key=lambda c: c.code)
        ),
        pools=tuple(sorted(pools, key=lambda p: p.id)),
        needs=tuple(sorted(needs, key=lambda n: n.id)),
        flex=allocation.Flex(outside_region_cost=FLEX_COST, between=flex_costs()),
        periods=(period,),
    )
    return world


def _pinned(loans: list[Any], available: dict[str, int]) -> list[dict[str, Any]]:
    """Each agreed loan with the amount its lender's pool can give it (loans first come,
    first served where a pool has shrunk below what it lent)."""
    pinned: list[dict[str, Any]] = []
    for loan in loans:
        assert loan.lender is not None
        pool_id = f"{loan.lender.code}/{loan.capability.code}"
        amount = min(loan.lent, available.get(pool_id, 0))
        available[pool_id] = available.get(pool_id, 0) - amount
        item = loan.register_item
        pinned.append(
            {
                "gap": loan.pk,
                "threat": item.reference,
                "capability": loan.capability.code,
                "pool": pool_id,
                "region": _region(item.owner.region.code if item.owner.region_id else None),
                "amount": amount,
                "agreed": loan.decided_in,
            }
        )
    return pinned


def _needs(world: World, period: str, starts: dt.date, ends: dt.date) -> list[allocation.Need]:
    by_band: dict[str, list[BandNeed]] = defaultdict(list)
    for need in BandNeed.objects.filter(
        capability__catalogue__status=CatalogueStatus.PUBLISHED
    ).select_related("capability"):
        by_band[need.band].append(need)
    needs: dict[tuple[str, str], allocation.Need] = {}
    for model in REGISTER_ITEMS.values():
        manager: Any = model._base_manager
        items = (
            manager.filter(status="active")
            .exclude(band="")
            .select_related("owner__region")
            .only("reference", "band", "owner__code", "owner__region__code")
        )
        for item in items.iterator(chunk_size=2000):
            world.items[item.reference] = item
            world.bands[item.reference] = item.band
            for expected in by_band.get(item.band, ()):
                c = expected.capability
                needs[item.reference, c.code] = _need(
                    item, c, expected.amount, period, f"{item.reference}/{c.code}", None
                )
    demands = (
        Demand.objects.filter(starts__lt=ends, ends__gte=starts)
        .filter(capability__catalogue__status=CatalogueStatus.PUBLISHED)
        .select_related(
            "capability",
            "ocg__owner__region",
            "priority_individual__owner__region",
            "vulnerability__owner__region",
        )
        .order_by("pk")
    )
    sources: dict[str, int] = defaultdict(int)
    rows = list(demands)
    for d in rows:
        sources[_source_key(d)] += 1
    for d in rows:
        item = d.register_item
        if not item.band or item.status != "active":
            continue
        world.items.setdefault(item.reference, item)
        world.bands.setdefault(item.reference, item.band)
        key = _source_key(d)
        joint = key if sources[key] > 1 else None
        # A need named explicitly replaces the band's expectation of that capability.
        needs[item.reference, d.capability.code] = _need(
            item, d.capability, d.amount, period, f"{item.reference}/{d.capability.code}", joint
        )
    # What an agreed loan gives a threat is served before the solver shares out the rest.
    for loan in world.loans:
        lent = (str(loan["threat"]), str(loan["capability"]))
        if lent in needs:
            left = needs[lent].amount - loan["amount"]
            if left > 0:
                needs[lent] = replace(needs[lent], amount=left)
            else:
                del needs[lent]
    return [n for n in needs.values() if n.amount > 0 and n.weight > 0]


def _source_key(demand: Demand) -> str:
    for name in ("action", "tasking", "transfer"):
        value = getattr(demand, f"{name}_id")
        if value:
            return f"{name}:{value}"
    return f"demand:{demand.pk}"


def _need(
    item: Any, capability: Capability, amount: Decimal, period: str, need_id: str, joint: str | None
) -> allocation.Need:
    owner = item.owner
    return allocation.Need(
        id=need_id,
        threat=item.reference,
        weight=weight(item.band, capability),
        capability=capability.code,
        amount=math.ceil(amount),
        period=period,
        organisation=owner.code,
        region=_region(owner.region.code if owner.region_id else None),
        vetting=capability.vetting,
        joint=joint,
        min_team_size=capability.team_size if capability.unit == CapacityUnit.TEAMS else None,
    )


def problem_of(world: World) -> allocation.Problem:
    assert world.problem is not None
    return world.problem


def plan_to_json(plan: allocation.Plan) -> dict[str, Any]:
    """What a run keeps of a plan: every assignment and every unmet amount with its reason."""
    return {
        "assignments": [dict(a.__dict__) for a in plan.assignments],
        "unmet": [
            {
                "need": u.need,
                "threat": u.threat,
                "capability": u.capability,
                "region": u.region,
                "period": u.period,
                "weight": u.weight,
                "amount": u.amount,
                "reason": str(u.reason),
                "holders": sorted({h.threat for h in u.holders}),
            }
            for u in plan.unmet
        ],
    }


@dataclass
class Shown:
    """What one person is shown of a run: their threats by reference, others only counted."""

    assignments: list[dict[str, Any]]
    flex: list[dict[str, Any]]
    loans: list[dict[str, Any]]
    unmet: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    hidden_threats: int


def shown(user: Any, result: dict[str, Any]) -> Shown:
    """The run as `user` may see it: assignments and unmet needs of threats they may see; flex
    (capacity lent across regions) also where the lending pool is in their capacity scope, with
    the threat as "another threat"; gaps by capability and region with threats named only where
    visible. One query per register model, whatever the size of the run."""
    from concord.capabilities.models import Unit

    threats = {a["threat"] for a in result["assignments"]} | {u["threat"] for u in result["unmet"]}
    loaned = {loan["threat"] for loan in result.get("loans", [])}
    seen_all = visible_references(user, threats | loaned)
    seen = seen_all & threats
    seen_loans = seen_all & loaned
    scope = set(
        Unit.objects.visible_to(user).values_list("organisation__code", flat=True).distinct()
    )
    mine = [a for a in result["assignments"] if a["threat"] in seen]
    flex = [
        {**a, "threat": a["threat"] if a["threat"] in seen else ""}
        for a in result["assignments"]
        if a["cost"] > 0 and (a["threat"] in seen or a["pool"].split("/")[0] in scope)
    ]
    unmet = [u for u in result["unmet"] if u["threat"] in seen]
    # Agreed loans: the borrower's side by threat, the lender's side as "another threat".
    loans = [
        {**loan, "threat": loan["threat"] if loan["threat"] in seen_loans else ""}
        for loan in result.get("loans", [])
        if loan["threat"] in seen_loans or loan["pool"].split("/")[0] in scope
    ]
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for u in result["unmet"]:
        cell = cells.setdefault(
            (u["capability"], u["region"]),
            {
                "capability": u["capability"],
                "region": u["region"],
                "amount": 0,
                "weighted": 0.0,
                "threats": [],
                "others": 0,
            },
        )
        cell["amount"] += u["amount"]
        cell["weighted"] += u["amount"] * u["weight"]
        if u["threat"] in seen:
            cell["threats"].append(u["threat"])
        else:
            cell["others"] += 1
    gaps = sorted(cells.values(), key=lambda c: (-c["weighted"], c["capability"], c["region"]))
    return Shown(
        assignments=mine,
        flex=flex,
        loans=loans,
        unmet=unmet,
        gaps=gaps,
        hidden_threats=len(threats - seen),
    )


def visible_references(user: Any, references: set[str]) -> set[str]:
    seen: set[str] = set()
    viewer = policy.viewer_for(user)
    for model in REGISTER_ITEMS.values():
        manager: Any = model._base_manager
        seen.update(
            manager.filter(policy.visible_q(model, viewer))
            .filter(reference__in=sorted(references))
            .values_list("reference", flat=True)
        )
    return seen


@dataclass
class GrantEnd:
    """A stream's end against the plan on its last day: capacity lost per pool and the threats
    that would then go unserved (by reference; shown through `shown`)."""

    end: capacity.StreamEnd
    base: allocation.Plan
    after: allocation.Plan
    comparison: allocation.Comparison
    lost: dict[str, int]  # pool id -> units lost


def grant_end(stream: Any, ends: dt.date | None = None, *, weeks: int = 6) -> GrantEnd:
    """What the allocation loses when `stream` ends: the national plan for the `weeks` from
    the stream's last day with its posts in place, against the same without what it pays."""
    end = capacity.stream_end(stream, ends)
    last = end.from_day - dt.timedelta(days=1)
    world = build(starts=last, weeks=weeks)
    problem = problem_of(world)
    hours: dict[str, Decimal] = defaultdict(Decimal)
    officers: dict[str, Decimal] = defaultdict(Decimal)
    for loss in end.losses:
        pool_id = f"{loss.post.unit.organisation.code}/{loss.post.unit.capability.code}"
        hours[pool_id] += loss.hours
        officers[pool_id] += loss.officers
    lost: dict[str, int] = {}
    for pool_id in sorted(hours):
        held = world.pools.get(pool_id)
        if held is None:
            continue
        before = int(held.capacity)
        after = int(
            capacity.in_units(
                held.capability,
                max(held.hours - hours[pool_id], Decimal("0")),
                max(held.officers - officers[pool_id], Decimal("0")),
            )
        )
        if before > after:
            lost[pool_id] = before - after
    scenario = problem
    for pool_id, amount in lost.items():
        scenario = allocation.without_pools(scenario, [pool_id], amount=amount)
    base = allocation.solve(problem)
    after_plan = allocation.solve(scenario)
    return GrantEnd(
        end=end,
        base=base,
        after=after_plan,
        comparison=allocation.compare(base, after_plan),
        lost=lost,
    )


@dataclass
class ScenarioResult:
    """A scenario against the live data, as one person may see it."""

    coverage_before: float
    coverage_after: float
    served: list[Any]  # ThreatDeltas of visible threats now served more
    unserved: list[Any]  # ThreatDeltas of visible threats now served less
    others_changed: int
    capabilities: list[Any]


def try_scenario(user: Any, *, starts: dt.date, weeks: int, change: Any) -> ScenarioResult:
    """Solve the national problem as it stands and with `change` (a function from Problem to
    Problem: a loan, added posts, a grant's end) applied, without touching the live plan."""
    world = build(starts=starts, weeks=weeks)
    base_problem = problem_of(world)
    scenario = change(base_problem)
    base = allocation.solve(base_problem)
    after = allocation.solve(scenario)
    comparison = allocation.compare(base, after)
    threats = {d.threat for d in comparison.threats}
    seen = visible_references(user, threats)
    return ScenarioResult(
        coverage_before=base.coverage,
        coverage_after=after.coverage,
        served=[
            d for d in comparison.threats if d.threat in seen and d.served_after > d.served_before
        ],
        unserved=[
            d for d in comparison.threats if d.threat in seen and d.served_after < d.served_before
        ],
        others_changed=len(threats - seen),
        capabilities=list(comparison.capabilities),
    )


def regions_of(world: World) -> list[str]:
    return sorted({p.region for p in problem_of(world).pools})
