"""A plan: who serves which need, how much, what is unmet and why."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum

from ._text import _
from .model import Model
from .problem import SCALE, Need, Pool, Problem
from .solvers import Result, Status

# How many holders an unmet need names (the heaviest): enough to say who has it.
HOLDERS = 5


def _holder_order(h: Holder) -> tuple[float, str, str, str]:
    return (-h.weight, h.threat, h.need, h.pool)


class Reason(StrEnum):
    """Why (part of) a need is unmet, in the order they are tested."""

    NO_POOL = "no_pool"
    NO_VETTING = "no_vetting"
    TEAM_TOO_SMALL = "team_too_small"
    OUT_OF_REGION = "out_of_region"
    JOINT_PARTNER = "joint_partner"
    FLEX_TOO_COSTLY = "flex_too_costly"
    CAPACITY_TAKEN = "capacity_taken"
    SPARE_UNUSED = "spare_unused"


@dataclass(frozen=True)
class Assignment:
    """`amount` of `need` served by `pool` in the need's period, at `cost` (flex) in total."""

    need: str
    threat: str
    pool: str
    region: str
    amount: int
    cost: float


@dataclass(frozen=True)
class Holder:
    """Another need holding capacity an unmet need could use."""

    need: str
    threat: str
    weight: float
    pool: str
    amount: int


@dataclass(frozen=True)
class Unmet:
    """`amount` of `need` not served, and why."""

    need: str
    threat: str
    capability: str
    region: str
    period: str
    weight: float
    amount: int
    reason: Reason
    holders: tuple[Holder, ...] = ()  # CAPACITY_TAKEN: the HOLDERS heaviest holding it
    partners: tuple[str, ...] = ()  # JOINT_PARTNER: the joint needs that cannot be met
    flex_cost: float | None = None  # FLEX_TOO_COSTLY: the cheapest free flex, per unit

    def message(self, problem: Problem) -> str:
        """The reason in words (translated under Django)."""
        need = problem.need(self.need)
        if self.reason is Reason.NO_POOL:
            return _("No pool of this capability has capacity in the period.")
        if self.reason is Reason.NO_VETTING:
            return _("No pool of this capability holds the vetting it requires (%(vetting)s).") % {
                "vetting": need.vetting
            }
        if self.reason is Reason.TEAM_TOO_SMALL:
            return _("No pool can field a team of at least %(size)s.") % {
                "size": need.min_team_size
            }
        if self.reason is Reason.OUT_OF_REGION:
            return _(
                "Only pools outside the owner's region could serve it, and flex outside the "
                "region is not allowed."
            )
        if self.reason is Reason.JOINT_PARTNER:
            return _("It is met only together with %(partners)s, which cannot be met.") % {
                "partners": ", ".join(self.partners)
            }
        if self.reason is Reason.FLEX_TOO_COSTLY:
            return _(
                "Capacity is free outside the region, but its flex cost (%(cost)s a unit) is not "
                "below the threat's priority weight (%(weight)s)."
            ) % {"cost": f"{self.flex_cost:g}", "weight": f"{self.weight:g}"}
        if self.reason is Reason.CAPACITY_TAKEN and not self.holders:
            return _("The pools it can reach have no capacity left.")
        if self.reason is Reason.CAPACITY_TAKEN:
            return _("The capacity it could use is taken by other threats (%(holders)s).") % {
                "holders": ", ".join(sorted({h.threat for h in self.holders}))
            }
        return _("Capacity was left unused: this plan is not proven optimal.")


@dataclass(frozen=True)
class Plan:
    """The result of one solver on one Problem. Everything but `seconds` (and the problem it
    came from) is part of the plan: `canonical()` is byte-identical for the same input."""

    assignments: tuple[Assignment, ...]
    unmet: tuple[Unmet, ...]
    objective: float
    best_bound: float | None
    gap: float | None
    status: Status
    solver: str
    coverage: float  # priority-weighted share of demand served, 0..1
    seconds: float = field(default=0.0, compare=False)
    problem: Problem | None = field(default=None, compare=False, repr=False)

    def canonical(self) -> bytes:
        """The plan as JSON bytes, without timing: equal for equal plans."""
        body = {
            "assignments": [a.__dict__ for a in self.assignments],
            "unmet": [
                {
                    **u.__dict__,
                    "holders": [h.__dict__ for h in u.holders],
                    "partners": list(u.partners),
                }
                for u in self.unmet
            ],
            "objective": self.objective,
            "best_bound": self.best_bound,
            "gap": self.gap,
            "status": str(self.status),
            "solver": self.solver,
            "coverage": self.coverage,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def served(self, need_id: str) -> int:
        return sum(a.amount for a in self.assignments if a.need == need_id)

    def explain(self, threat: str, **limits: float) -> Explanation:
        """Who serves `threat`, how much, what is unmet and why, and what flex would close it
        (`time_limit`, `relative_gap` as for `solve`)."""
        from .engine import explain

        return explain(self, threat, **limits)


@dataclass(frozen=True)
class Closing:
    """What lifting the region restriction for one threat's needs (and serving them first)
    would do: `closes` more units served at `cost` more on the plan's objective (flex plus the
    weight of what it displaces, less the threat's own gain)."""

    closes: int
    remaining: int
    cost: float
    flex: tuple[Assignment, ...]
    displaced: tuple[tuple[str, int], ...]  # (threat, units it would lose)
    status: Status = Status.OPTIMAL  # of the re-solve: OPTIMAL, or as far as its limit got


@dataclass(frozen=True)
class Explanation:
    """One threat's part in a plan."""

    threat: str
    weight: float
    served: tuple[Assignment, ...]
    unmet: tuple[Unmet, ...]
    closing: Closing | None

    def lines(self, problem: Problem) -> list[str]:
        """The explanation as sentences (translated under Django)."""
        out = []
        for a in self.served:
            need = problem.need(a.need)
            out.append(
                _("%(pool)s serves %(amount)s of %(capability)s in %(period)s.")
                % {
                    "pool": a.pool,
                    "amount": a.amount,
                    "capability": need.capability,
                    "period": need.period,
                }
            )
        for u in self.unmet:
            out.append(
                _("%(amount)s of %(capability)s in %(period)s is unmet: %(reason)s")
                % {
                    "amount": u.amount,
                    "capability": u.capability,
                    "period": u.period,
                    "reason": u.message(problem),
                }
            )
        if self.unmet:
            if self.closing is None or self.closing.closes == 0:
                out.append(_("No flex would close it."))
            else:
                out.append(
                    _(
                        "Flex would close %(amount)s of it at a cost of %(cost)s to the plan's "
                        "objective."
                    )
                    % {"amount": self.closing.closes, "cost": f"{self.closing.cost:g}"}
                )
        return out


def make_plan(model: Model, result: Result, seconds: float) -> Plan:
    """A Plan from a solver's flows: each class's flow is shared among its needs (the heaviest
    first, from the cheapest pool), then the reason for every unmet amount."""
    problem = model.problem
    needs = problem.needs
    pools = problem.pools
    by_class: list[list[int]] = [[] for _ in model.classes]
    for a, c in enumerate(model.arc_class):
        by_class[c].append(a)
    used = [0] * len(model.slot_capacity)
    holding: list[list[tuple[int, int]]] = [[] for _ in model.slot_capacity]  # (need, amount)
    assignments: list[Assignment] = []
    for c, members in enumerate(model.classes):
        left = {a: result.flows[a] for a in by_class[c] if result.flows[a]}
        arcs = sorted(
            left, key=lambda a: (model.arc_cost[a], pools[model.slot_pool[model.arc_slot[a]]].id)
        )
        for n in sorted(members, key=lambda n: (-model.weight[n], needs[n].id)):
            wanted = result.served[n]
            for a in arcs:
                if wanted == 0:
                    break
                give = min(wanted, left[a])
                if not give:
                    continue
                left[a] -= give
                wanted -= give
                s = model.arc_slot[a]
                used[s] += give
                holding[s].append((n, give))
                pool = pools[model.slot_pool[s]]
                assignments.append(
                    Assignment(
                        need=needs[n].id,
                        threat=needs[n].threat,
                        pool=pool.id,
                        region=pool.region,
                        amount=give,
                        cost=model.arc_cost[a] * give / SCALE,
                    )
                )
    assignments.sort(key=lambda a: (a.need, a.pool))
    reasons = _Reasons(model, result, used, holding)
    unmet = [reasons.unmet(n) for n in range(len(needs)) if result.served[n] < model.amount[n]]
    total = sum(w * m for w, m in zip(model.weight, model.amount, strict=True))
    gained = sum(w * s for w, s in zip(model.weight, result.served, strict=True))
    gap = None
    if result.bound is not None:
        gap = (result.objective - result.bound) / max(result.objective, 1)
    return Plan(
        assignments=tuple(assignments),
        unmet=tuple(unmet),
        objective=result.objective / SCALE,
        best_bound=None if result.bound is None else result.bound / SCALE,
        gap=gap,
        status=result.status,
        solver=result.solver,
        coverage=gained / total if total else 1.0,
        seconds=seconds,
        problem=problem,
    )


class _Reasons:
    """Works out why each unmet need is unmet, from the model and the flows."""

    def __init__(
        self,
        model: Model,
        result: Result,
        used: list[int],
        holding: list[list[tuple[int, int]]],
    ) -> None:
        self.model = model
        self.flows = result.flows
        self.served = result.served
        self.used = used
        self.holding = holding
        self.arcs: list[list[int]] = [[] for _ in model.classes]
        for a, c in enumerate(model.arc_class):
            self.arcs[c].append(a)
        self.slot_holders: dict[int, list[Holder]] = {}
        self.pools_of: dict[tuple[str, str], list[Pool]] = {}
        for pool in model.problem.pools:
            for period, held in pool.capacity.items():
                if held > 0:
                    self.pools_of.setdefault((pool.capability, period), []).append(pool)
        self.static: dict[tuple[object, ...], Reason | None] = {}
        self.candidates: dict[tuple[str, str, str | None], int] = {}
        self.by_class: dict[int, tuple[Reason, int, list[Holder]]] = {}

    def unmet(self, n: int) -> Unmet:
        model = self.model
        problem = model.problem
        need = problem.needs[n]
        reason, extra = self._own_reason(n, need)
        g = model.group[n]
        if g >= 0 and reason in (
            Reason.CAPACITY_TAKEN,
            Reason.SPARE_UNUSED,
            Reason.FLEX_TOO_COSTLY,
        ):
            partners = tuple(
                problem.needs[m].id for m in model.groups[g] if m != n and not self._could_be_met(m)
            )
            if partners and self._could_be_met(n):
                reason, extra = Reason.JOINT_PARTNER, {"partners": partners}
        return Unmet(
            need=need.id,
            threat=need.threat,
            capability=need.capability,
            region=need.region,
            period=need.period,
            weight=need.weight,
            amount=model.amount[n] - self.served[n],
            reason=reason,
            **extra,  # type: ignore[arg-type]  # holders, partners or flex_cost, as each reason has
        )

    def _static(self, need: Need) -> Reason | None:
        """What the pools alone say, whatever the plan: none of the capability, the vetting or
        the team size."""
        key = (need.capability, need.period, need.vetting, need.min_team_size, need.amount)
        if key in self.static:
            return self.static[key]
        problem = self.model.problem
        candidates = self.pools_of.get((need.capability, need.period), [])
        reason: Reason | None = None
        if not candidates:
            reason = Reason.NO_POOL
        else:
            rank = problem.vetting_rank(need.vetting)
            candidates = [p for p in candidates if problem.vetting_rank(p.vetting) >= rank]
            self.candidates[need.capability, need.period, need.vetting] = len(candidates)
            if not candidates:
                reason = Reason.NO_VETTING
            elif need.min_team_size is not None and not any(
                p.team_size is not None
                and p.team_size * min(p.capacity[need.period], need.amount) >= need.min_team_size
                for p in candidates
            ):
                reason = Reason.TEAM_TOO_SMALL
        self.static[key] = reason
        return reason

    def _own_reason(self, n: int, need: Need) -> tuple[Reason, dict[str, object]]:
        static = self._static(need)
        if static is not None:
            return static, {}
        c = self.model.need_class[n]
        if c not in self.by_class:
            self.by_class[c] = self._class_reason(c)
        reason, cost, holders = self.by_class[c]
        if reason is Reason.FLEX_TOO_COSTLY and cost < self.model.weight[n]:
            reason = Reason.SPARE_UNUSED
        if reason is Reason.FLEX_TOO_COSTLY:
            return reason, {"flex_cost": cost / SCALE}
        if reason is Reason.CAPACITY_TAKEN:
            mine = [h for h in holders if h.need != need.id][:HOLDERS]
            if mine:
                return reason, {"holders": tuple(mine)}
            # It holds all it can reach itself: pools beyond its region would serve, or the
            # capacity left is below its team minimum, or there is simply no more.
            if (
                self.reachable_pools(n)
                < self.candidates[need.capability, need.period, need.vetting]
            ):
                return Reason.OUT_OF_REGION, {}
            if need.min_team_size is not None:
                return Reason.TEAM_TOO_SMALL, {}
        return reason, {}

    def reachable_pools(self, n: int) -> int:
        return len({self.model.arc_slot[a] for a in self.arcs[self.model.need_class[n]]})

    def _class_reason(self, c: int) -> tuple[Reason, int, list[Holder]]:
        """What the plan says for a class: no reachable pool, free capacity (at its cheapest
        flex cost), or capacity held by others (the heaviest holders)."""
        model = self.model
        arcs = self.arcs[c]
        if not arcs:
            return Reason.OUT_OF_REGION, 0, []
        free = [a for a in arcs if self._spare(a) >= max(1, model.arc_least[a])]
        if free:
            return Reason.FLEX_TOO_COSTLY, min(model.arc_cost[a] for a in free), []
        holders: dict[tuple[str, str], Holder] = {}
        for a in arcs:
            for h in self._holders(model.arc_slot[a]):
                holders[h.need, h.pool] = h
        return Reason.CAPACITY_TAKEN, 0, sorted(holders.values(), key=_holder_order)[: HOLDERS + 1]

    def _holders(self, s: int) -> list[Holder]:
        """The heaviest needs holding slot `s` (HOLDERS + 1 of them: one may be the asker)."""
        if s not in self.slot_holders:
            problem = self.model.problem
            pool = problem.pools[self.model.slot_pool[s]]
            held = [
                Holder(
                    problem.needs[m].id,
                    problem.needs[m].threat,
                    problem.needs[m].weight,
                    pool.id,
                    x,
                )
                for m, x in self.holding[s]
            ]
            self.slot_holders[s] = sorted(held, key=_holder_order)[: HOLDERS + 1]
        return self.slot_holders[s]

    def _spare(self, a: int) -> int:
        s = self.model.arc_slot[a]
        return min(
            self.model.slot_capacity[s] - self.used[s], self.model.arc_upper[a] - self.flows[a]
        )

    def _could_be_met(self, n: int) -> bool:
        """Whether the free capacity on its arcs, with what it holds itself, covers it."""
        free = sum(
            self._spare(a)
            for a in self.arcs[self.model.need_class[n]]
            if self._spare(a) >= max(1, self.model.arc_least[a])
        )
        return free + self.served[n] >= self.model.amount[n]
