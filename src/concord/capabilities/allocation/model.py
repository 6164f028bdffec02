"""The allocation as arrays every solver reads: needs, their classes, pool-period slots, arcs.

Needs that no team minimum binds and that share capability, period, region and vetting reach
the same pools at the same costs, so they share one *class*: the arcs go from the class to the
pool slots (a pool's capacity in one period), and each need only says how much of it the class
serves. That keeps a national instance at a few thousand arcs instead of one per need and
pool. A need with a team minimum above one team is a class of its own, whose arcs carry the
minimum (0 or at least k teams from one pool).

An arc exists where the pool has the capability and capacity in the period, its vetting is at
least the need's, it reaches the need's region (its own region at no cost, else the flex cost)
and, for a team minimum, can field enough teams. The objective, in thousandths (problem.SCALE), is

    sum over needs of weight x unmet amount  +  sum over arcs of flex cost x amount carried

so an arc is worth using while its flex cost is below the weight of the need it serves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .problem import MAX_COST, MAX_WEIGHT, Problem, scaled


@dataclass(frozen=True)
class Model:
    """Index-based view of a Problem (needs and pools in id order)."""

    problem: Problem
    weight: tuple[int, ...]  # per need, scaled
    amount: tuple[int, ...]
    need_class: tuple[int, ...]  # per need: its class
    group: tuple[int, ...]  # per need: index into groups, or -1
    groups: tuple[tuple[int, ...], ...]  # joint groups, in key order
    classes: tuple[tuple[int, ...], ...]  # the needs of each class
    slot_pool: tuple[int, ...]  # per slot: pool index
    slot_capacity: tuple[int, ...]
    arc_class: tuple[int, ...]
    arc_slot: tuple[int, ...]
    arc_cost: tuple[int, ...]  # scaled, per unit
    arc_upper: tuple[int, ...]
    arc_least: tuple[int, ...]  # 0 or 1: no minimum; k > 1: 0 or at least k

    @property
    def is_flow(self) -> bool:
        """True where min-cost flow solves it exactly: no joint needs, no team minimum above 1."""
        return not self.groups and all(least <= 1 for least in self.arc_least)

    def objective(
        self, flows: tuple[int, ...] | list[int], served: tuple[int, ...] | list[int]
    ) -> int:
        """The scaled objective: unmet weight plus flex cost."""
        flex = sum(c * x for c, x in zip(self.arc_cost, flows, strict=True) if x)
        unmet = sum(w * (m - s) for w, m, s in zip(self.weight, self.amount, served, strict=True))
        return flex + unmet

    def upper_bound(self) -> int:
        """An objective no plan exceeds: every need unmet plus every arc's flex at its upper."""
        return sum(w * m for w, m in zip(self.weight, self.amount, strict=True)) + sum(
            c * u for c, u in zip(self.arc_cost, self.arc_upper, strict=True)
        )


def build(
    problem: Problem,
    *,
    lifted: frozenset[str] = frozenset(),
    must: frozenset[str] = frozenset(),
) -> Model:
    """The model of `problem`. Needs in `lifted` may use any region (at the flex cost); needs in
    `must` get a weight above any plan's objective, so a solver serves them whatever it costs."""
    pools = problem.pools
    needs = problem.needs
    flex = problem.flex
    slot_of: dict[tuple[int, str], int] = {}
    slot_pool: list[int] = []
    slot_capacity: list[int] = []
    by_capability: dict[tuple[str, str], list[int]] = {}
    for p, pool in enumerate(pools):
        for period, capacity in pool.capacity.items():
            if capacity > 0:
                slot_of[p, period] = len(slot_pool)
                slot_pool.append(p)
                slot_capacity.append(capacity)
                by_capability.setdefault((pool.capability, period), []).append(p)
    rank = {level: i + 1 for i, level in enumerate(problem.vetting_levels)}
    keys = sorted({n.joint for n in needs if n.joint is not None})
    key_index = {key: g for g, key in enumerate(keys)}
    members: list[list[int]] = [[] for _ in keys]
    class_of: dict[tuple[object, ...], int] = {}
    classes: list[list[int]] = []
    need_class: list[int] = []
    weight: list[int] = []
    group: list[int] = []
    for n, need in enumerate(needs):
        weight.append(scaled("weight", need.weight, maximum=MAX_WEIGHT, positive=True))
        g = -1 if need.joint is None else key_index[need.joint]
        group.append(g)
        if g >= 0:
            members[g].append(n)
        key: tuple[object, ...] = (
            need.capability,
            need.period,
            need.region,
            0 if need.vetting is None else rank[need.vetting],
            need.id in lifted,
        )
        if need.min_team_size is not None and any(
            math.ceil(need.min_team_size / (pools[p].team_size or 1)) > 1
            for p in by_capability.get((need.capability, need.period), ())
        ):
            key = (*key, need.id)
        c = class_of.setdefault(key, len(classes))
        if c == len(classes):
            classes.append([])
        classes[c].append(n)
        need_class.append(c)
    cost_of: dict[tuple[str, str, bool], int | None] = {}
    arc_class: list[int] = []
    arc_slot: list[int] = []
    arc_cost: list[int] = []
    arc_upper: list[int] = []
    arc_least: list[int] = []
    for c, class_needs in enumerate(classes):
        first = needs[class_needs[0]]
        is_lifted = first.id in lifted
        wanted = sum(needs[n].amount for n in class_needs)
        least_rank = 0 if first.vetting is None else rank[first.vetting]
        for p in by_capability.get((first.capability, first.period), ()):
            pool = pools[p]
            if rank[pool.vetting] < least_rank:
                continue
            reach = (pool.region, first.region, is_lifted)
            if reach not in cost_of:
                cost = flex.cost(pool.region, first.region, lifted=is_lifted)
                cost_of[reach] = (
                    None if cost is None else scaled("cost", cost, maximum=MAX_COST, positive=False)
                )
            unit_cost = cost_of[reach]
            if unit_cost is None:
                continue
            s = slot_of[p, first.period]
            upper = min(wanted, slot_capacity[s])
            least = 0
            if first.min_team_size is not None and pool.team_size is not None:
                least = math.ceil(first.min_team_size / pool.team_size)
                if least > upper:
                    continue
            arc_class.append(c)
            arc_slot.append(s)
            arc_cost.append(unit_cost)
            arc_upper.append(upper)
            arc_least.append(least)
    model = Model(
        problem=problem,
        weight=tuple(weight),
        amount=tuple(n.amount for n in needs),
        need_class=tuple(need_class),
        group=tuple(group),
        groups=tuple(tuple(m) for m in members),
        classes=tuple(tuple(c) for c in classes),
        slot_pool=tuple(slot_pool),
        slot_capacity=tuple(slot_capacity),
        arc_class=tuple(arc_class),
        arc_slot=tuple(arc_slot),
        arc_cost=tuple(arc_cost),
        arc_upper=tuple(arc_upper),
        arc_least=tuple(arc_least),
    )
    if must:
        # Above any objective a plan can have, per unit: serving one more unit of a must-need
        # always beats whatever it displaces.
        big = model.upper_bound() + 1
        forced = tuple(big if need.id in must else w for need, w in zip(needs, weight, strict=True))
        model = replace(model, weight=forced)
    return model
