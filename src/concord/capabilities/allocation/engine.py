"""The entry points: solve a Problem into a Plan, and explain one threat's part in it."""

from __future__ import annotations

import time

from . import solvers
from .model import Model, build
from .plan import Closing, Explanation, Plan, make_plan
from .problem import SCALE, Problem

TIME_LIMIT = 30.0
RELATIVE_GAP = 0.0


def solve(
    problem: Problem, *, time_limit: float = TIME_LIMIT, relative_gap: float = RELATIVE_GAP
) -> Plan:
    """The best plan: min-cost flow where every need stands alone (optimal, fast), else CP-SAT
    with the greedy plan as its hint, stopped at `relative_gap` to the best bound or the limit.

    CP-SAT rather than a MIP solver: joint needs and team minimums are 0/1 choices that it
    handles natively, it runs deterministically on one worker, and it ships in the same
    OR-Tools wheel as the flow solver. HiGHS is measured beside it (`highs`).
    """
    started = time.perf_counter()
    model = build(problem)
    result = _solve(model, time_limit=time_limit, relative_gap=relative_gap)
    return make_plan(model, result, time.perf_counter() - started)


def greedy(problem: Problem) -> Plan:
    """The priority-order baseline: highest weight first, own region first, then cheapest flex."""
    started = time.perf_counter()
    model = build(problem)
    return make_plan(model, solvers.greedy(model), time.perf_counter() - started)


def highs(
    problem: Problem, *, time_limit: float = TIME_LIMIT, relative_gap: float = RELATIVE_GAP
) -> Plan:
    """The same model solved by HiGHS as a MIP, for comparison."""
    started = time.perf_counter()
    model = build(problem)
    result = solvers.highs(model, time_limit=time_limit, relative_gap=relative_gap)
    return make_plan(model, result, time.perf_counter() - started)


def _solve(model: Model, *, time_limit: float, relative_gap: float) -> solvers.Result:
    if model.is_flow:
        return solvers.flow(model)
    hint = solvers.repaired_flow(model)
    return solvers.cpsat(model, time_limit=time_limit, relative_gap=relative_gap, hint=hint)


def _outside(model: Model, ids: frozenset[str], hint: solvers.Result) -> dict[int, int]:
    """The needs that do not compete with `ids` for a pool, held at what the plan serves."""
    needs = model.problem.needs
    mine = {model.need_class[n] for n, need in enumerate(needs) if need.id in ids}
    slots = {
        s for a, (c, s) in enumerate(zip(model.arc_class, model.arc_slot, strict=True)) if c in mine
    }
    free_classes = {c for c, s in zip(model.arc_class, model.arc_slot, strict=True) if s in slots}
    free = {n for n in range(len(needs)) if model.need_class[n] in free_classes}
    for n in list(free):
        g = model.group[n]
        if g >= 0:
            free.update(model.groups[g])
    return {n: hint.served[n] for n in range(len(needs)) if n not in free}


def _as_hint(plan: Plan, model: Model) -> solvers.Result | None:
    """`plan` as flows of `model` (a model of the same problem that only adds arcs), or None."""
    problem = model.problem
    need_index = {n.id: i for i, n in enumerate(problem.needs)}
    pool_index = {p.id: i for i, p in enumerate(problem.pools)}
    arc_of = {
        (c, model.slot_pool[s], problem.needs[model.classes[c][0]].period): a
        for a, (c, s) in enumerate(zip(model.arc_class, model.arc_slot, strict=True))
    }
    flows = [0] * len(model.arc_class)
    served = [0] * len(model.amount)
    for a in plan.assignments:
        n = need_index[a.need]
        arc = arc_of.get((model.need_class[n], pool_index[a.pool], problem.needs[n].period))
        if arc is None:
            return None
        flows[arc] += a.amount
        served[n] += a.amount
    objective = model.objective(flows, served)
    return solvers.Result(
        tuple(flows), tuple(served), objective, None, solvers.Status.HEURISTIC, "plan"
    )


def explain(
    plan: Plan, threat: str, *, time_limit: float = TIME_LIMIT, relative_gap: float = RELATIVE_GAP
) -> Explanation:
    """`threat`'s part in `plan`. Where some of it is unmet, the plan is solved again with its
    needs free to use any region (at the flex cost) and served before anything else, starting
    from the plan itself: what that closes, the flex it uses and what it displaces, priced on
    the plan's own objective (`closing.status` says whether that re-solve was proven).

    Where needs are joint (CP-SAT), only the needs that compete for the pools the threat could
    use, and their joint partners, are re-planned; the rest stay as the plan has them, so the
    cost is what closing it costs at most (a full re-plan could find it cheaper)."""
    problem = plan.problem
    if problem is None:
        raise ValueError("this plan does not carry its problem")
    needs = [n for n in problem.needs if n.threat == threat]
    if not needs:
        raise KeyError(threat)
    ids = {n.id for n in needs}
    served = tuple(a for a in plan.assignments if a.need in ids)
    unmet = tuple(u for u in plan.unmet if u.need in ids)
    closing = None
    if unmet:
        closing = _closing(problem, plan, frozenset(ids), time_limit, relative_gap)
    return Explanation(
        threat=threat,
        weight=max(n.weight for n in needs),
        served=served,
        unmet=unmet,
        closing=closing,
    )


def _closing(
    problem: Problem, plan: Plan, ids: frozenset[str], time_limit: float, relative_gap: float
) -> Closing:
    forced = build(problem, lifted=ids, must=ids)
    if forced.is_flow:
        result = solvers.flow(forced)
    else:
        # Where needs are joint the whole national plan cannot be re-proven per question:
        # only the needs competing for the pools this threat could use (and their joint
        # partners) move; the rest of the plan stays as it is.
        hint = _as_hint(plan, forced)
        result = solvers.cpsat(
            forced,
            time_limit=time_limit,
            relative_gap=relative_gap,
            hint=hint,
            fixed=None if hint is None else _outside(forced, ids, hint),
        )
    # Price the forced flows with the true weights (the lifted arcs keep their flex cost).
    priced = build(problem, lifted=ids)
    objective = priced.objective(result.flows, result.served) / SCALE
    needs = problem.needs
    before: dict[str, int] = {}
    for a in plan.assignments:
        before[a.threat] = before.get(a.threat, 0) + a.amount
    after: dict[str, int] = {}
    for n, x in enumerate(result.served):
        if x:
            after[needs[n].threat] = after.get(needs[n].threat, 0) + x
    forced_plan = make_plan(forced, result, 0.0)
    flex = [
        a
        for a in forced_plan.assignments
        if a.need in ids and a.region != problem.need(a.need).region
    ]
    threat = problem.need(min(ids)).threat
    demand = sum(n.amount for n in needs if n.id in ids)
    closes = after.get(threat, 0) - before.get(threat, 0)
    displaced = tuple(
        sorted(
            (
                (t, before[t] - after.get(t, 0))
                for t in before
                if t != threat and after.get(t, 0) < before[t]
            ),
            key=lambda d: (-d[1], d[0]),
        )
    )
    return Closing(
        closes=max(closes, 0),
        remaining=demand - after.get(threat, 0),
        cost=round(objective - plan.objective, 6),
        flex=tuple(sorted(flex, key=lambda f: (f.need, f.pool))),
        displaced=displaced,
        status=result.status,
    )
