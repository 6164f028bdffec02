"""The input of an allocation: capabilities, pools, needs and flex, validated on construction."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from ._text import _

# Weights and costs are scaled to integers in thousandths for the integer solvers (min-cost flow
# and CP-SAT take integer costs): a weight of 2.5 is 2500. Anything finer is rounded.
SCALE = 1000
MAX_WEIGHT = 1000.0
MAX_COST = 1000.0
# Amounts (hours, teams) are whole numbers up to this, so that weight x amount x needs stays well
# inside a 64-bit integer cost.
MAX_AMOUNT = 10_000_000

# The order of core.choices.VettingLevel, lowest first (a test keeps the two the same).
VETTING_LEVELS: tuple[str, ...] = ("NPPV1", "NPPV2", "NPPV3", "SC", "DV")


class AllocationError(ValueError):
    """Bad input: `path` names the field (``needs[3].amount``), `message` says what is wrong."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


class Unit(StrEnum):
    """What a capability is counted in: officer hours, or whole teams."""

    HOURS = "hours"
    TEAMS = "teams"


@dataclass(frozen=True)
class Capability:
    """One capability of the catalogue (surveillance, financial investigation …) and its unit."""

    code: str
    unit: Unit = Unit.HOURS


@dataclass(frozen=True)
class Pool:
    """Capacity of one capability held by one organisation in one region, per period.

    `vetting` is the highest vetting its staff hold; `team_size` is officers per team, given
    only where the capability is counted in teams.
    """

    id: str
    capability: str
    organisation: str
    region: str
    capacity: Mapping[str, int]
    vetting: str
    team_size: int | None = None


@dataclass(frozen=True)
class Need:
    """What one threat needs of one capability in one period.

    `weight` is the priority weight from the threat's THR band (higher is more urgent). Needs
    sharing a `joint` key (all of one threat) are met in full together or not at all.
    `min_team_size` (capabilities counted in teams) is the least number of officers one pool
    must deploy together: a pool of teams of `t` officers gives it 0 or at least
    ceil(min_team_size / t) teams.
    """

    id: str
    threat: str
    weight: float
    capability: str
    amount: int
    period: str
    organisation: str
    region: str
    vetting: str | None = None
    joint: str | None = None
    min_team_size: int | None = None


@dataclass(frozen=True)
class Flex:
    """What serving a need from a pool outside its owner's region costs, per unit.

    `between` names arrangements between regions, (pool region, need region) -> cost per unit;
    they hold even where `outside_region_allowed` is False (a mutual-aid agreement).
    """

    outside_region_cost: float = 0.0
    outside_region_allowed: bool = True
    between: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def cost(self, pool_region: str, need_region: str, *, lifted: bool = False) -> float | None:
        """Cost per unit of a pool in `pool_region` serving a need in `need_region`, or None
        where it may not; `lifted` lifts the region restriction (the flex an explanation tries)."""
        if pool_region == need_region:
            return 0.0
        if (pool_region, need_region) in self.between:
            return self.between[pool_region, need_region]
        if self.outside_region_allowed or lifted:
            return self.outside_region_cost
        return None


@dataclass(frozen=True)
class Post:
    """A funded post, for working out a pool's capacity: `fte` and the `funded` fraction."""

    id: str
    fte: float
    funded: float


def capacity_of(posts: Iterable[Post], hours_per_fte: float) -> int:
    """Whole hours a period of funded posts gives: sum of fte x funded x hours, rounded down."""
    hours_per_fte = _number("hours_per_fte", hours_per_fte, minimum=0.0)
    total = 0.0
    for i, post in enumerate(posts):
        fte = _number(f"posts[{i}].fte", post.fte, minimum=0.0)
        funded = _number(f"posts[{i}].funded", post.funded, minimum=0.0)
        if funded > 1:
            raise AllocationError(
                f"posts[{i}].funded",
                _("must be between 0 and 100%% (it is %(percent)s%%)")
                % {"percent": f"{funded * 100:g}"},
            )
        total += fte * funded * hours_per_fte
    return math.floor(total + 1e-9)


def _number(path: str, value: Any, *, minimum: float) -> float:
    if type(value) is int and value >= minimum:
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AllocationError(path, _("must be a number"))
    if not math.isfinite(value):
        raise AllocationError(path, _("must be a finite number"))
    if value < minimum:
        raise AllocationError(path, _("must not be negative"))
    return float(value)


def _whole(path: str, value: Any, *, minimum: int = 0, maximum: int = MAX_AMOUNT) -> int:
    number = _number(path, value, minimum=0.0)
    if not number.is_integer():
        raise AllocationError(path, _("must be a whole number"))
    if number < minimum:
        raise AllocationError(path, _("must be at least %(minimum)s") % {"minimum": minimum})
    if number > maximum:
        raise AllocationError(path, _("must be at most %(maximum)s") % {"maximum": maximum})
    return int(number)


def _text(path: str, value: Any) -> str:
    if type(value) is str and value and not value[0].isspace() and not value[-1].isspace():
        return value
    if not isinstance(value, str) or not value.strip():
        raise AllocationError(path, _("must be a non-empty text"))
    return value


def scaled(path: str, value: Any, *, maximum: float, positive: bool) -> int:
    """A weight or cost as an integer in thousandths (SCALE), checked against its range."""
    number = _number(path, value, minimum=0.0)
    if number > maximum or (positive and round(number * SCALE) < 1):
        low = 1 / SCALE if positive else 0
        raise AllocationError(
            path, _("must be between %(low)s and %(high)s") % {"low": low, "high": f"{maximum:g}"}
        )
    return round(number * SCALE)


@dataclass(frozen=True)
class Problem:
    """A validated allocation problem. Construction checks every field (AllocationError names
    the first bad one) and puts pools and needs in id order, so that the order of the input
    never changes the plan."""

    capabilities: tuple[Capability, ...]
    pools: tuple[Pool, ...]
    needs: tuple[Need, ...]
    flex: Flex = field(default_factory=Flex)
    periods: tuple[str, ...] = ()
    vetting_levels: tuple[str, ...] = VETTING_LEVELS

    def __post_init__(self) -> None:
        capabilities = self._check_capabilities()
        vetting = self._check_vetting()
        periods = self._check_periods()
        pools = [
            self._check_pool(i, p, capabilities, vetting, periods) for i, p in _items(self.pools)
        ]
        _unique("pools", [p.id for p in pools])
        if not periods:
            periods = tuple(sorted({period for p in pools for period in p.capacity}))
        held = {period for p in pools for period in p.capacity}
        needs = [
            self._check_need(i, n, capabilities, vetting, periods, held)
            for i, n in _items(self.needs)
        ]
        _unique("needs", [n.id for n in needs])
        self._check_joint(needs)
        flex = self._check_flex()
        object.__setattr__(self, "capabilities", tuple(sorted(capabilities.values(), key=_code)))
        object.__setattr__(self, "pools", tuple(sorted(pools, key=_id)))
        object.__setattr__(self, "needs", tuple(sorted(needs, key=_id)))
        object.__setattr__(self, "periods", periods)
        object.__setattr__(self, "vetting_levels", tuple(self.vetting_levels))
        object.__setattr__(self, "flex", flex)

    # Lookups the solvers and explanations use.

    def capability(self, code: str) -> Capability:
        return next(c for c in self.capabilities if c.code == code)

    def vetting_rank(self, level: str | None) -> int:
        return 0 if level is None else self.vetting_levels.index(level) + 1

    def need(self, need_id: str) -> Need:
        return next(n for n in self.needs if n.id == need_id)

    def pool(self, pool_id: str) -> Pool:
        return next(p for p in self.pools if p.id == pool_id)

    # Checks.

    def _check_capabilities(self) -> dict[str, Capability]:
        found: dict[str, Capability] = {}
        for i, capability in _items(self.capabilities):
            path = f"capabilities[{i}]"
            if not isinstance(capability, Capability):
                raise AllocationError(path, _("must be a Capability"))
            code = _text(f"{path}.code", capability.code)
            if code in found:
                raise AllocationError(f"{path}.code", _("duplicate %(value)r") % {"value": code})
            try:
                unit = Unit(capability.unit)
            except ValueError:
                raise AllocationError(
                    f"{path}.unit", _("must be one of %(choices)s") % {"choices": "hours, teams"}
                ) from None
            found[code] = Capability(code=code, unit=unit)
        return found

    def _check_vetting(self) -> tuple[str, ...]:
        levels = tuple(_text(f"vetting_levels[{i}]", v) for i, v in _items(self.vetting_levels))
        if not levels:
            raise AllocationError("vetting_levels", _("must name at least one level"))
        _unique("vetting_levels", list(levels), attribute="")
        return levels

    def _check_periods(self) -> tuple[str, ...]:
        periods = tuple(_text(f"periods[{i}]", p) for i, p in _items(self.periods))
        _unique("periods", list(periods), attribute="")
        return periods

    def _check_pool(
        self,
        i: int,
        pool: Any,
        capabilities: Mapping[str, Capability],
        vetting: tuple[str, ...],
        periods: tuple[str, ...],
    ) -> Pool:
        path = f"pools[{i}]"
        if not isinstance(pool, Pool):
            raise AllocationError(path, _("must be a Pool"))
        capability = _known_capability(f"{path}.capability", pool.capability, capabilities)
        if not isinstance(pool.capacity, Mapping):
            raise AllocationError(f"{path}.capacity", _("must map periods to amounts"))
        capacity: dict[str, int] = {}
        for period in sorted(pool.capacity, key=str):
            at = f"{path}.capacity[{period!r}]"
            _text(at, period)
            if periods and period not in periods:
                raise AllocationError(at, _("unknown period %(value)r") % {"value": period})
            capacity[period] = _whole(at, pool.capacity[period])
        team_size = pool.team_size
        if capability.unit is Unit.TEAMS:
            team_size = _whole(f"{path}.team_size", team_size, minimum=1, maximum=1000)
        elif team_size is not None:
            raise AllocationError(f"{path}.team_size", _("only for capabilities counted in teams"))
        return Pool(
            id=_text(f"{path}.id", pool.id),
            capability=capability.code,
            organisation=_text(f"{path}.organisation", pool.organisation),
            region=_text(f"{path}.region", pool.region),
            capacity=MappingProxyType(capacity),
            vetting=_known_vetting(f"{path}.vetting", pool.vetting, vetting),
            team_size=team_size,
        )

    def _check_need(
        self,
        i: int,
        need: Any,
        capabilities: Mapping[str, Capability],
        vetting: tuple[str, ...],
        periods: tuple[str, ...],
        held: set[str],
    ) -> Need:
        path = f"needs[{i}]"
        if not isinstance(need, Need):
            raise AllocationError(path, _("must be a Need"))
        capability = _known_capability(f"{path}.capability", need.capability, capabilities)
        period = _text(f"{path}.period", need.period)
        if period not in periods and self.periods:
            raise AllocationError(
                f"{path}.period", _("unknown period %(value)r") % {"value": period}
            )
        if period not in held:
            raise AllocationError(
                f"{path}.period", _("no pool has capacity in period %(value)r") % {"value": period}
            )
        scaled(f"{path}.weight", need.weight, maximum=MAX_WEIGHT, positive=True)
        min_team = need.min_team_size
        if min_team is not None:
            if capability.unit is not Unit.TEAMS:
                raise AllocationError(
                    f"{path}.min_team_size", _("only for capabilities counted in teams")
                )
            min_team = _whole(f"{path}.min_team_size", min_team, minimum=1, maximum=10_000)
        joint = need.joint
        if joint is not None:
            joint = _text(f"{path}.joint", joint)
        amount = _whole(f"{path}.amount", need.amount, minimum=1)
        _text(f"{path}.id", need.id)
        _text(f"{path}.threat", need.threat)
        _text(f"{path}.organisation", need.organisation)
        _text(f"{path}.region", need.region)
        if need.vetting is not None:
            _known_vetting(f"{path}.vetting", need.vetting, vetting)
        if (
            type(need.amount) is int
            and type(need.weight) is float
            and min_team == need.min_team_size
        ):
            return need  # already in normal form: frozen, so safe to share
        return Need(
            id=need.id,
            threat=need.threat,
            weight=float(need.weight),
            capability=capability.code,
            amount=amount,
            period=period,
            organisation=need.organisation,
            region=need.region,
            vetting=need.vetting,
            joint=joint,
            min_team_size=min_team,
        )

    def _check_joint(self, needs: list[Need]) -> None:
        threat_of: dict[str, str] = {}
        for i, need in enumerate(needs):
            if need.joint is None:
                continue
            other = threat_of.setdefault(need.joint, need.threat)
            if other != need.threat:
                raise AllocationError(
                    f"needs[{i}].joint",
                    _("joint key %(key)r joins threats %(a)r and %(b)r: a key is one threat's")
                    % {"key": need.joint, "a": other, "b": need.threat},
                )

    def _check_flex(self) -> Flex:
        flex = self.flex
        if not isinstance(flex, Flex):
            raise AllocationError("flex", _("must be a Flex"))
        scaled(
            "flex.outside_region_cost", flex.outside_region_cost, maximum=MAX_COST, positive=False
        )
        if not isinstance(flex.outside_region_allowed, bool):
            raise AllocationError("flex.outside_region_allowed", _("must be true or false"))
        if not isinstance(flex.between, Mapping):
            raise AllocationError("flex.between", _("must map region pairs to costs"))
        between: dict[tuple[str, str], float] = {}
        for key in sorted(flex.between, key=str):
            at = f"flex.between[{key!r}]"
            if not (
                isinstance(key, tuple) and len(key) == 2 and all(isinstance(r, str) for r in key)
            ):
                raise AllocationError(at, _("must be a pair of region codes"))
            scaled(at, flex.between[key], maximum=MAX_COST, positive=False)
            between[key] = float(flex.between[key])
        return Flex(
            outside_region_cost=float(flex.outside_region_cost),
            outside_region_allowed=flex.outside_region_allowed,
            between=MappingProxyType(between),
        )


def _items(values: Any) -> list[tuple[int, Any]]:
    return list(enumerate(values))


def _id(item: Pool | Need) -> str:
    return item.id


def _code(capability: Capability) -> str:
    return capability.code


def _unique(path: str, values: list[str], *, attribute: str = ".id") -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise AllocationError(
                f"{path}[{i}]{attribute}", _("duplicate %(value)r") % {"value": value}
            )
        seen.add(value)


def _known_capability(path: str, code: Any, capabilities: Mapping[str, Capability]) -> Capability:
    if not isinstance(code, str) or code not in capabilities:
        raise AllocationError(path, _("unknown capability %(value)r") % {"value": code})
    return capabilities[code]


def _known_vetting(path: str, level: Any, levels: tuple[str, ...]) -> str:
    if not isinstance(level, str) or level not in levels:
        raise AllocationError(path, _("unknown vetting level %(value)r") % {"value": level})
    return level
