"""The solvers: OR-Tools min-cost flow and CP-SAT, HiGHS, and a greedy baseline.

Each takes a Model and returns the flow on every arc with the objective and the best bound it
proved, all in the model's scaled integers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

import highspy
import numpy as np
from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]  # .pyi, no py.typed
from ortools.sat.python import cp_model

from .model import Model

REPAIR_ROUNDS = 4


class Status(StrEnum):
    """How far a solver got: proven optimal, within the gap asked for, or stopped by the limit."""

    OPTIMAL = "optimal"
    WITHIN_GAP = "within_gap"
    TIME_LIMIT = "time_limit"
    HEURISTIC = "heuristic"  # the greedy baseline: no bound of its own


@dataclass(frozen=True)
class Result:
    flows: tuple[int, ...]  # per arc
    served: tuple[int, ...]  # per need
    objective: int
    bound: int | None
    status: Status
    solver: str


def _i32(values: tuple[int, ...] | list[int]) -> np.ndarray[tuple[int], np.dtype[np.int32]]:
    return np.asarray(values, dtype=np.int32).reshape(-1)


def _i64(values: tuple[int, ...] | list[int]) -> np.ndarray[tuple[int], np.dtype[np.int64]]:
    return np.asarray(values, dtype=np.int64).reshape(-1)


def flow(model: Model, *, limit: list[int] | None = None) -> Result:
    """Min-cost flow: source -> need (its amount) -> sink at the need's weight (unmet), or
    need -> its class -> pool slot (flex cost) -> sink (the slot's capacity). Optimal and
    integral by construction."""
    if not model.is_flow:
        raise ValueError("min-cost flow needs a model without joint needs or team minimums")
    needs, classes, slots = len(model.amount), len(model.classes), len(model.slot_capacity)
    source, sink = 0, 1
    need_node = np.arange(2, 2 + needs, dtype=np.int32)
    class_node = np.arange(2 + needs, 2 + needs + classes, dtype=np.int32)
    slot_node = np.arange(2 + needs + classes, 2 + needs + classes + slots, dtype=np.int32)
    amount = _i64(model.amount)
    tails = np.concatenate(
        [
            np.full(needs, source, dtype=np.int32),
            need_node,
            need_node,
            class_node[_i32(model.arc_class)],
            slot_node,
        ]
    )
    heads = np.concatenate(
        [
            need_node,
            np.full(needs, sink, dtype=np.int32),
            class_node[_i32(model.need_class)],
            slot_node[_i32(model.arc_slot)],
            np.full(slots, sink, dtype=np.int32),
        ]
    )
    served_limit = amount if limit is None else _i64(limit)
    capacities = np.concatenate(
        [amount, amount, served_limit, _i64(model.arc_upper), _i64(model.slot_capacity)]
    )
    costs = np.concatenate(
        [
            np.zeros(needs, dtype=np.int64),
            _i64(model.weight),
            np.zeros(needs, dtype=np.int64),
            _i64(model.arc_cost),
            np.zeros(slots, dtype=np.int64),
        ]
    )
    graph = min_cost_flow.SimpleMinCostFlow()
    graph.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    total = int(amount.sum())
    graph.set_node_supply(source, total)
    graph.set_node_supply(sink, -total)
    status = graph.solve()
    if status != graph.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    arcs = len(model.arc_class)
    served = np.asarray(graph.flows(np.arange(2 * needs, 3 * needs, dtype=np.int32)))
    flows = np.asarray(graph.flows(np.arange(3 * needs, 3 * needs + arcs, dtype=np.int32)))
    cost = int(graph.optimal_cost())
    return Result(
        tuple(flows.tolist()), tuple(served.tolist()), cost, cost, Status.OPTIMAL, "min-cost flow"
    )


def _incidence(model: Model) -> tuple[list[list[int]], list[list[int]]]:
    by_class: list[list[int]] = [[] for _ in model.classes]
    by_slot: list[list[int]] = [[] for _ in model.slot_capacity]
    for a, (c, s) in enumerate(zip(model.arc_class, model.arc_slot, strict=True)):
        by_class[c].append(a)
        by_slot[s].append(a)
    return by_class, by_slot


def cpsat(
    model: Model,
    *,
    time_limit: float,
    relative_gap: float,
    hint: Result | None = None,
    fixed: dict[int, int] | None = None,
) -> Result:
    """CP-SAT: an integer flow per arc and an amount served per need, balanced per class; a 0/1
    per joint group (each of its needs met in full or not at all) and per arc with a team
    minimum (0 or at least k teams). Needs in `fixed` are held at the amount it gives.

    Deterministic: one worker, whose search does not depend on the clock, so a plan is the same
    for the same input unless the time limit (a safety net; status TIME_LIMIT) stops it.
    """
    cp = cp_model.CpModel()
    xs = [cp.new_int_var(0, u, f"x{a}") for a, u in enumerate(model.arc_upper)]
    ys = [cp.new_bool_var(f"y{g}") for g in range(len(model.groups))]
    served: list[cp_model.LinearExprT] = []
    for n, amount in enumerate(model.amount):
        g = model.group[n]
        served.append(amount * ys[g] if g >= 0 else cp.new_int_var(0, amount, f"s{n}"))
    for n, value in (fixed or {}).items():
        cp.add(served[n] == value)
    by_class, by_slot = _incidence(model)
    for a, least in enumerate(model.arc_least):
        if least > 1:
            used = cp.new_bool_var(f"b{a}")
            cp.add(xs[a] >= least).only_enforce_if(used)
            cp.add(xs[a] == 0).only_enforce_if(~used)
    for c, members in enumerate(model.classes):
        cp.add(sum(served[n] for n in members) == sum(xs[a] for a in by_class[c]))
    for s, arcs in enumerate(by_slot):
        if sum(model.arc_upper[a] for a in arcs) > model.slot_capacity[s]:
            cp.add(sum(xs[a] for a in arcs) <= model.slot_capacity[s])
    constant = sum(w * m for w, m in zip(model.weight, model.amount, strict=True))
    cp.minimize(
        constant
        + cp_model.LinearExpr.weighted_sum(xs, list(model.arc_cost))
        - cp_model.LinearExpr.weighted_sum(served, list(model.weight))
    )
    if hint is not None:
        for x, value in zip(xs, hint.flows, strict=True):
            cp.add_hint(x, value)
        for n, value in enumerate(hint.served):
            if model.group[n] < 0:
                cp.add_hint(served[n], value)  # type: ignore[arg-type]  # an IntVar where not joint
        for g, group_members in enumerate(model.groups):
            cp.add_hint(ys[g], hint.served[group_members[0]] > 0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.relative_gap_limit = relative_gap
    code = solver.solve(cp)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"CP-SAT found no plan: {solver.status_name(code)}")
    flows = tuple(int(solver.value(x)) for x in xs)
    got = tuple(int(solver.value(s)) for s in served)
    objective = model.objective(flows, got)
    bound = min(objective, math.ceil(solver.best_objective_bound - 1e-6))
    status = _status(code == cp_model.OPTIMAL, objective, bound, relative_gap)
    return Result(flows, got, objective, bound, status, "CP-SAT")


def highs(model: Model, *, time_limit: float, relative_gap: float) -> Result:
    """The same model as a MIP for HiGHS: columns x per arc, s per need not joint, y per joint
    group and b per arc with a team minimum; rows per class, slot and team minimum."""
    arcs, needs = len(model.arc_class), len(model.amount)
    single = [n for n in range(needs) if model.group[n] < 0]
    s_col = {n: arcs + i for i, n in enumerate(single)}
    y0 = arcs + len(single)
    least_arcs = [a for a in range(arcs) if model.arc_least[a] > 1]
    b0 = y0 + len(model.groups)
    columns = b0 + len(least_arcs)
    cost = np.zeros(columns)
    upper = np.ones(columns)
    cost[:arcs] = model.arc_cost
    upper[:arcs] = model.arc_upper
    for n, col in s_col.items():
        cost[col] = -model.weight[n]
        upper[col] = model.amount[n]
    for g, group_members in enumerate(model.groups):
        cost[y0 + g] = -sum(model.weight[n] * model.amount[n] for n in group_members)
    rows_lower: list[float] = []
    rows_upper: list[float] = []
    entries: list[tuple[int, int, float]] = []  # (column, row, value)

    def row(low: float, high: float, terms: list[tuple[int, float]]) -> None:
        r = len(rows_lower)
        rows_lower.append(low)
        rows_upper.append(high)
        entries.extend((col, r, v) for col, v in terms)

    by_class, by_slot = _incidence(model)
    for c, members in enumerate(model.classes):
        terms = [(a, 1.0) for a in by_class[c]]
        for n in members:
            g = model.group[n]
            terms.append((s_col[n], -1.0) if g < 0 else (y0 + g, -float(model.amount[n])))
        row(0, 0, terms)
    for s, slot_arcs in enumerate(by_slot):
        if slot_arcs:
            row(-np.inf, model.slot_capacity[s], [(a, 1.0) for a in slot_arcs])
    for i, a in enumerate(least_arcs):
        row(0, np.inf, [(a, 1.0), (b0 + i, -float(model.arc_least[a]))])
        row(-np.inf, 0, [(a, 1.0), (b0 + i, -float(model.arc_upper[a]))])
    entries.sort()
    counts = np.bincount(np.asarray([e[0] for e in entries], dtype=np.int64), minlength=columns)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
    index = np.asarray([e[1] for e in entries], dtype=np.int32)
    value = np.asarray([e[2] for e in entries], dtype=np.float64)
    constant = float(sum(w * m for w, m in zip(model.weight, model.amount, strict=True)))
    h = highspy.Highs()  # type: ignore[no-untyped-call]  # its __init__ has no annotations
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(relative_gap))
    h.passModel(
        columns,
        len(rows_lower),
        len(entries),
        1,  # column-wise
        1,  # minimise
        constant,
        cost,
        np.zeros(columns),
        upper,
        np.asarray(rows_lower, dtype=np.float64),
        np.asarray(rows_upper, dtype=np.float64),
        start,
        index,
        value,
        np.ones(columns, dtype=np.int32),  # all integer
    )
    h.run()
    state = h.getModelStatus()
    solution = h.getSolution()
    if not solution.value_valid:
        raise RuntimeError(f"HiGHS found no plan: {h.modelStatusToString(state)}")
    values = np.rint(np.asarray(solution.col_value)).astype(np.int64)
    flows = tuple(values[:arcs].tolist())
    got = tuple(
        int(values[s_col[n]])
        if model.group[n] < 0
        else model.amount[n] * int(values[y0 + model.group[n]])
        for n in range(needs)
    )
    objective = model.objective(flows, got)
    bound = h.getInfo().mip_dual_bound
    best = objective if not math.isfinite(bound) else min(objective, math.ceil(bound - 1e-6))
    optimal = state == highspy.HighsModelStatus.kOptimal and best == objective
    return Result(
        flows, got, objective, best, _status(optimal, objective, best, relative_gap), "HiGHS"
    )


def greedy(model: Model, start: Result | None = None) -> Result:
    """Priority order: the highest weight first (a joint group as one, at its highest weight),
    each from its own region first, then the cheapest flex, skipping flex that costs as much as
    the need's weight; a joint group that cannot be met in full gives back what it took.

    From `start` (a feasible plan) it only adds to what that plan serves."""
    flows = [0] * len(model.arc_class) if start is None else list(start.flows)
    served = [0] * len(model.amount) if start is None else list(start.served)
    spare = list(model.slot_capacity)
    for a, x in enumerate(flows):
        spare[model.arc_slot[a]] -= x
    by_class, _ = _incidence(model)
    pools = model.problem.pools
    for arcs in by_class:
        arcs.sort(key=lambda a: (model.arc_cost[a], pools[model.slot_pool[model.arc_slot[a]]].id))
    units: list[tuple[int, tuple[int, ...]]] = [
        (model.weight[n], (n,)) for n in range(len(model.amount)) if model.group[n] < 0
    ]
    units += [(max(model.weight[n] for n in members), members) for members in model.groups]
    needs = model.problem.needs
    units.sort(key=lambda u: (-u[0], needs[u[1][0]].id))
    for _, members in units:
        joint = model.group[members[0]] >= 0
        taken: list[tuple[int, int, int]] = []  # (need, arc, amount)
        complete = True
        for n in members:
            left = model.amount[n] - served[n]
            for a in by_class[model.need_class[n]]:
                if left == 0:
                    break
                if not joint and model.arc_cost[a] >= model.weight[n]:
                    continue
                give = min(left, spare[model.arc_slot[a]], model.arc_upper[a] - flows[a])
                if give < max(1, model.arc_least[a]) or (model.arc_least[a] > 1 and flows[a]):
                    continue
                spare[model.arc_slot[a]] -= give
                flows[a] += give
                served[n] += give
                taken.append((n, a, give))
                left -= give
            complete = complete and left == 0
        if joint and taken:
            gain = sum((model.weight[n] - model.arc_cost[a]) * x for n, a, x in taken)
            if not complete or gain <= 0:
                for n, a, x in taken:
                    flows[a] -= x
                    served[n] -= x
                    spare[model.arc_slot[a]] += x
    return Result(
        tuple(flows),
        tuple(served),
        model.objective(flows, served),
        None,
        Status.HEURISTIC,
        "greedy",
    )


def repaired_flow(model: Model) -> Result:
    """A good feasible plan fast, as CP-SAT's hint: min-cost flow with joint groups and team
    minimums relaxed, then every joint group not met in full and every arc below its team
    minimum given back, then the freed capacity filled in priority order (greedy)."""
    relaxed = replace(
        model,
        group=(-1,) * len(model.amount),
        groups=(),
        arc_least=tuple(min(1, least) for least in model.arc_least),
    )
    # Solve again without the groups the last round left short and the team arcs it left
    # below their minimum, a few rounds (each only shuts out more), then repair what is left.
    limit = list(model.amount)
    upper = list(model.arc_upper)
    for _ in range(REPAIR_ROUNDS):
        got = flow(replace(relaxed, arc_upper=tuple(upper)), limit=limit)
        changed = False
        for a, least in enumerate(model.arc_least):
            if least > 1 and 0 < got.flows[a] < least:
                upper[a] = 0
                changed = True
        for members in model.groups:
            if any(got.served[n] < model.amount[n] for n in members) and any(
                limit[n] for n in members
            ):
                for n in members:
                    limit[n] = 0
                changed = True
        if not changed:
            break
    flows, served = list(got.flows), list(got.served)
    by_class, _ = _incidence(model)
    for a, least in enumerate(model.arc_least):
        if least > 1 and 0 < flows[a] < least:
            (n,) = model.classes[model.arc_class[a]]
            served[n] -= flows[a]
            flows[a] = 0
    for members in model.groups:
        if all(served[n] == model.amount[n] for n in members):
            continue
        for n in members:
            # Give back the need's share of its class, from the dearest arcs first.
            arcs = sorted(by_class[model.need_class[n]], key=lambda a: -model.arc_cost[a])
            for a in arcs:
                if served[n] == 0:
                    break
                back = min(served[n], flows[a])
                if model.arc_least[a] > 1:
                    back = flows[a]  # a team-minimum arc is the need's own: all of it
                flows[a] -= back
                served[n] -= back
    start = Result(tuple(flows), tuple(served), 0, None, Status.HEURISTIC, "repaired flow")
    filled = greedy(model, start)
    return replace(filled, solver="repaired flow")


def _status(optimal: bool, objective: int, bound: int, relative_gap: float) -> Status:
    if objective == bound:
        return Status.OPTIMAL
    if objective - bound <= relative_gap * max(abs(objective), 1):
        return Status.WITHIN_GAP
    return Status.TIME_LIMIT
