"""Scenarios as new Problems (the live one is never touched), their comparison, and gaps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from ._text import _
from .plan import Plan
from .problem import AllocationError, Pool, Problem, _whole


def _periods(
    problem: Problem, periods: Iterable[str] | None, *, path: str = "periods"
) -> tuple[str, ...]:
    if periods is None:
        return problem.periods
    chosen = tuple(periods)
    for i, period in enumerate(chosen):
        if period not in problem.periods:
            raise AllocationError(f"{path}[{i}]", _("unknown period %(value)r") % {"value": period})
    return chosen


def _pool_ids(problem: Problem, pool_ids: Iterable[str]) -> list[str]:
    known = {p.id for p in problem.pools}
    ids = list(pool_ids)
    for i, pool_id in enumerate(ids):
        if pool_id not in known:
            raise AllocationError(f"pools[{i}]", _("unknown pool %(value)r") % {"value": pool_id})
    return ids


def without_pools(
    problem: Problem,
    pool_ids: Iterable[str],
    *,
    from_period: str | None = None,
    amount: int | None = None,
) -> Problem:
    """A grant ends: the pools lose their capacity (or `amount` of it) from `from_period` on
    (every period where None)."""
    ids = set(_pool_ids(problem, pool_ids))
    start = 0 if from_period is None else _index(problem, from_period, "from_period")
    lost = None if amount is None else _whole("amount", amount)
    ending = set(problem.periods[start:])
    pools = []
    for pool in problem.pools:
        if pool.id in ids:
            capacity = {
                period: (0 if lost is None else max(0, held - lost)) if period in ending else held
                for period, held in pool.capacity.items()
            }
            pool = replace(pool, capacity=capacity)
        pools.append(pool)
    return replace(problem, pools=tuple(pools))


def with_added_capacity(
    problem: Problem, pool_id: str, amount: int, *, periods: Iterable[str] | None = None
) -> Problem:
    """New posts: `amount` more capacity for one pool in each of `periods` (all where None)."""
    _pool_ids(problem, [pool_id])
    extra = _whole("amount", amount, minimum=1)
    chosen = _periods(problem, periods)
    pools = []
    for pool in problem.pools:
        if pool.id == pool_id:
            capacity = dict(pool.capacity)
            for period in chosen:
                capacity[period] = capacity.get(period, 0) + extra
            pool = replace(pool, capacity=capacity)
        pools.append(pool)
    return replace(problem, pools=tuple(pools))


def with_pool(problem: Problem, pool: Pool) -> Problem:
    """A new pool (a new unit, a new team), checked like any other."""
    return replace(problem, pools=(*problem.pools, pool))


def with_loan(
    problem: Problem,
    from_region: str,
    to_region: str,
    capability: str,
    amount: int,
    *,
    periods: Iterable[str] | None = None,
) -> Problem:
    """Lend `amount` of a capability from one region's pools to another region in each of
    `periods`: the lender's pools (largest first) give it up, and it becomes a pool of the
    borrowing region (same organisation, vetting and team size; id "<pool>@<region>")."""
    if from_region == to_region:
        raise AllocationError("to_region", _("must differ from from_region"))
    if capability not in {c.code for c in problem.capabilities}:
        raise AllocationError(
            "capability", _("unknown capability %(value)r") % {"value": capability}
        )
    lent = _whole("amount", amount, minimum=1)
    chosen = _periods(problem, periods)
    lenders = [p for p in problem.pools if p.region == from_region and p.capability == capability]
    capacity = {p.id: dict(p.capacity) for p in problem.pools}
    borrowed: dict[str, dict[str, int]] = {}
    for period in chosen:
        held = sum(capacity[p.id].get(period, 0) for p in lenders)
        if held < lent:
            raise AllocationError(
                "amount",
                _("%(region)s holds only %(held)s of %(capability)s in %(period)s")
                % {"region": from_region, "held": held, "capability": capability, "period": period},
            )
        left = lent
        for pool in sorted(lenders, key=lambda p: (-capacity[p.id].get(period, 0), p.id)):
            give = min(left, capacity[pool.id].get(period, 0))
            if give:
                capacity[pool.id][period] -= give
                borrowed.setdefault(pool.id, {})[period] = give
                left -= give
    pools = [replace(p, capacity=capacity[p.id]) for p in problem.pools]
    existing = {p.id: i for i, p in enumerate(pools)}
    for source_id, gift in sorted(borrowed.items()):
        source = problem.pool(source_id)
        loan_id = f"{source_id}@{to_region}"
        if loan_id in existing:
            merged = dict(pools[existing[loan_id]].capacity)
            for period, give in gift.items():
                merged[period] = merged.get(period, 0) + give
            pools[existing[loan_id]] = replace(pools[existing[loan_id]], capacity=merged)
        else:
            pools.append(replace(source, id=loan_id, region=to_region, capacity=gift))
    return replace(problem, pools=tuple(pools))


def _index(problem: Problem, period: str, path: str) -> int:
    if period not in problem.periods:
        raise AllocationError(path, _("unknown period %(value)r") % {"value": period})
    return problem.periods.index(period)


@dataclass(frozen=True)
class ThreatDelta:
    """One threat's change from the base plan to the scenario's (only threats that change)."""

    threat: str
    weight: float
    served_before: int
    served_after: int
    unmet_before: int
    unmet_after: int


@dataclass(frozen=True)
class CapabilityDelta:
    capability: str
    served_before: int
    served_after: int
    unmet_before: int
    unmet_after: int


@dataclass(frozen=True)
class Comparison:
    """A scenario against the base plan; newly_unmet and newly_served are threats, by weight."""

    objective_change: float
    coverage_change: float
    threats: tuple[ThreatDelta, ...]
    capabilities: tuple[CapabilityDelta, ...]
    newly_unmet: tuple[str, ...]
    newly_served: tuple[str, ...]


def _totals(plan: Plan) -> tuple[dict[str, tuple[float, int, int]], dict[str, tuple[int, int]]]:
    problem = plan.problem
    if problem is None:
        raise ValueError("this plan does not carry its problem")
    threats: dict[str, tuple[float, int, int]] = {}
    capabilities: dict[str, tuple[int, int]] = {}
    unmet = {u.need: u.amount for u in plan.unmet}
    for need in problem.needs:
        left = unmet.get(need.id, 0)
        weight, served, missing = threats.get(need.threat, (0.0, 0, 0))
        threats[need.threat] = (
            max(weight, need.weight),
            served + need.amount - left,
            missing + left,
        )
        served_c, missing_c = capabilities.get(need.capability, (0, 0))
        capabilities[need.capability] = (served_c + need.amount - left, missing_c + left)
    return threats, capabilities


def compare(base: Plan, scenario: Plan) -> Comparison:
    """What the scenario changes: per threat and per capability, and on the objective."""
    threats_a, caps_a = _totals(base)
    threats_b, caps_b = _totals(scenario)
    deltas = []
    for threat in sorted(set(threats_a) | set(threats_b)):
        wa, sa, ua = threats_a.get(threat, (0.0, 0, 0))
        wb, sb, ub = threats_b.get(threat, (0.0, 0, 0))
        if (sa, ua) != (sb, ub):
            deltas.append(ThreatDelta(threat, max(wa, wb), sa, sb, ua, ub))
    deltas.sort(key=lambda d: (-d.weight, d.threat))
    capabilities = []
    for code in sorted(set(caps_a) | set(caps_b)):
        sa, ua = caps_a.get(code, (0, 0))
        sb, ub = caps_b.get(code, (0, 0))
        if (sa, ua) != (sb, ub):
            capabilities.append(CapabilityDelta(code, sa, sb, ua, ub))
    return Comparison(
        objective_change=round(scenario.objective - base.objective, 6),
        coverage_change=round(scenario.coverage - base.coverage, 9),
        threats=tuple(deltas),
        capabilities=tuple(capabilities),
        newly_unmet=tuple(d.threat for d in deltas if d.unmet_after > d.unmet_before),
        newly_served=tuple(d.threat for d in deltas if d.served_after > d.served_before),
    )


@dataclass(frozen=True)
class UnservedThreat:
    threat: str
    weight: float
    amount: int


@dataclass(frozen=True)
class Gap:
    """Unmet demand of one capability in one region and period, with the threats it leaves
    unserved (highest weight first) and the change since the previous period (None for the
    first period)."""

    capability: str
    region: str
    period: str
    amount: int
    weighted: float
    threats: tuple[UnservedThreat, ...]
    trend: int | None


def gaps(problem: Problem, plan: Plan) -> list[Gap]:
    """Unmet demand by capability, region and period, the heaviest (weight x amount) first."""
    cells: dict[tuple[str, str, str], dict[str, tuple[float, int]]] = {}
    for u in plan.unmet:
        threats = cells.setdefault((u.capability, u.region, u.period), {})
        weight, amount = threats.get(u.threat, (0.0, 0))
        threats[u.threat] = (max(weight, u.weight), amount + u.amount)
    order = {period: i for i, period in enumerate(problem.periods)}
    out = []
    for (capability, region, period), threats in cells.items():
        amount = sum(a for _, a in threats.values())
        i = order[period]
        trend = None
        if i > 0:
            previous = cells.get((capability, region, problem.periods[i - 1]), {})
            trend = amount - sum(a for _, a in previous.values())
        ranked = sorted(
            (UnservedThreat(t, w, a) for t, (w, a) in threats.items()),
            key=lambda t: (-t.weight, t.threat),
        )
        out.append(
            Gap(
                capability=capability,
                region=region,
                period=period,
                amount=amount,
                weighted=sum(t.weight * t.amount for t in ranked),
                threats=tuple(ranked),
                trend=trend,
            )
        )
    out.sort(key=lambda g: (-g.weighted, g.capability, g.region, order[g.period]))
    return out
