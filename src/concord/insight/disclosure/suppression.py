"""Protection: primary suppression by threshold, secondary suppression by linear programmes.

Secondary suppression follows the classic incremental method (Kelly, Golden and Assad; the
protection subproblem of Fischetti and Salazar): for each primary cell in turn, HiGHS finds
the cheapest pair of changes to the table, one moving that cell up by its required protection
and one moving it down, each keeping every count non-negative and every total the sum of its
cells, paying for each cell either change touches (nothing for a cell already suppressed; its
loss weight for a published one: one a cell, or its value, for interior cells; totals weigh what
their cells weigh). The cells that change are suppressed: each changed table then agrees with
everything still published, so the attacker's interval must reach both. Suppression only
grows, so a cell once protected stays protected. Then each secondary cell, dearest first, is
published again if the audit finds every primary cell still protected without it (the
incremental method can hide a cell that a later choice made needless), and the exact audit
(`intervals.audit`) checks the result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from ._text import _
from .intervals import TOLERANCE, Interval, Layout, audit, new_highs, pass_rows
from .table import Key, Loss, Rules, Table, key_name

# A change smaller than this in the protection LP's answer is numerical noise, not a change.
CHANGED = 1e-7
# Rounds of protection before giving up (one is enough in exact arithmetic; a second mends
# any cell that floating point left a hair short).
ROUNDS = 3


class Status(StrEnum):
    """Why a cell is or is not published."""

    PUBLISHED = "published"
    PRIMARY = "primary"  # below the threshold (or a zero not published)
    SECONDARY = "secondary"  # hidden so that a primary cell cannot be worked out


@dataclass(frozen=True)
class ReleaseCell:
    """One cell or total of a release: its true count, status, and the figure published."""

    key: Key
    count: int
    status: Status
    value: int | None  # rounded; None where suppressed

    @property
    def suppressed(self) -> bool:
        """Whether the cell is hidden (published as "[c]")."""
        return self.status is not Status.PUBLISHED


@dataclass(frozen=True)
class Breach:
    """A suppressed cell the published figures do not protect enough."""

    key: Key
    count: int
    interval: Interval
    needed: tuple[float, float]  # the interval must reach down to [0] and up to [1]

    def __str__(self) -> str:
        return _("%(cell)s (%(count)s) can be narrowed to %(low)g to %(high)g") % {
            "cell": key_name(self.key),
            "count": self.count,
            "low": self.interval.lower,
            "high": self.interval.upper,
        }


class UnsafeReleaseError(Exception):
    """A release whose audit finds a suppressed cell that can be worked out."""

    def __init__(self, breaches: tuple[Breach, ...]) -> None:
        self.breaches = breaches
        super().__init__("; ".join(str(b) for b in breaches))


@dataclass(frozen=True)
class Release:
    """A protected table: every cell and total with its status and published figure, in table
    order, and the audit's interval for each suppressed one."""

    table: Table
    rules: Rules
    cells: tuple[ReleaseCell, ...]
    intervals: Mapping[Key, Interval]

    def published(self) -> dict[Key, int | None]:
        """The exact (unrounded) published figures, None where suppressed: what the audit reads."""
        return {c.key: None if c.suppressed else c.count for c in self.cells}

    def cell(self, key: Key) -> ReleaseCell:
        """The release's cell or total at `key`."""
        for cell in self.cells:
            if cell.key == key:
                return cell
        raise KeyError(key)

    @property
    def primary(self) -> int:
        """How many cells and totals are suppressed by the threshold."""
        return sum(c.status is Status.PRIMARY for c in self.cells)

    @property
    def secondary(self) -> int:
        """How many cells and totals are suppressed to protect others."""
        return sum(c.status is Status.SECONDARY for c in self.cells)


def required(rules: Rules, status: Status, count: int) -> tuple[float, float]:
    """How far below and above its count a suppressed cell's interval must reach."""
    if status is Status.PRIMARY:
        lower, upper = rules.protection.bounds(count)
        return count - lower, count + upper
    # A secondary cell must not be recovered exactly; how widely is not asked of it.
    return math.inf, -math.inf


def check(release: Release) -> tuple[Breach, ...]:
    """Audit a release afresh against its rules: the suppressed cells it fails to protect.

    Primary cells must reach their protection both ways; secondary ones must not be fixed
    to one value. Empty when the release is safe to publish.
    """
    intervals = audit(release.table.dimensions, release.published())
    breaches = []
    for cell in release.cells:
        if not cell.suppressed:
            continue
        interval = intervals[cell.key]
        low, high = required(release.rules, cell.status, cell.count)
        short = interval.lower > low + TOLERANCE or interval.upper < high - TOLERANCE
        if short or interval.width < TOLERANCE:
            breaches.append(Breach(cell.key, cell.count, interval, (low, high)))
    return tuple(breaches)


def protect(table: Table, rules: Rules) -> Release:
    """Suppress, protect, audit and round a table under the rules; raise UnsafeReleaseError if the
    audit finds any suppressed cell that can be worked out (it should never)."""
    layout = Layout(table.dimensions)
    values = table.all_values()
    status = {
        key: Status.PRIMARY if rules.sensitive(values[key]) else Status.PUBLISHED
        for key in layout.keys
    }
    protection = _Protection(layout, values, rules)
    intervals = audit(table.dimensions, _published(values, status))
    for _round in range(ROUNDS):
        failing = _short(layout, values, rules, status, intervals)
        if not failing:
            break
        for key, directions in failing.items():
            for changed in protection.changes(key, directions, status):
                if status[changed] is Status.PUBLISHED:
                    status[changed] = Status.SECONDARY
        intervals = audit(table.dimensions, _published(values, status))
    secondary = [k for k in layout.keys if status[k] is Status.SECONDARY]
    secondary.sort(key=lambda k: -protection.weight[layout.keys.index(k)])
    for key in secondary:
        status[key] = Status.PUBLISHED
        trial = audit(table.dimensions, _published(values, status))
        if _short(layout, values, rules, status, trial):
            status[key] = Status.SECONDARY
        else:
            intervals = trial
    for key, interval in intervals.items():
        # Its value follows from what is published: hiding it hides nothing.
        if status[key] is Status.SECONDARY and interval.width < TOLERANCE:
            status[key] = Status.PUBLISHED
    release = Release(
        table=table,
        rules=rules,
        cells=tuple(
            ReleaseCell(
                key=key,
                count=values[key],
                status=status[key],
                value=None if status[key] is not Status.PUBLISHED else rules.rounded(values[key]),
            )
            for key in layout.keys
        ),
        intervals={k: v for k, v in intervals.items() if status[k] is not Status.PUBLISHED},
    )
    if breaches := check(release):
        raise UnsafeReleaseError(breaches)
    return release


def _published(values: Mapping[Key, int], status: Mapping[Key, Status]) -> dict[Key, int | None]:
    return {k: None if status[k] is not Status.PUBLISHED else v for k, v in values.items()}


def _short(
    layout: Layout,
    values: Mapping[Key, int],
    rules: Rules,
    status: Mapping[Key, Status],
    intervals: Mapping[Key, Interval],
) -> dict[Key, set[int]]:
    """The primary cells whose interval falls short, with the directions (-1 down, +1 up),
    largest protection first (then in table order) so that later cells reuse its cells."""
    failing: list[tuple[float, int, Key, int]] = []
    for order, key in enumerate(layout.keys):
        if status[key] is not Status.PRIMARY:
            continue
        low, high = required(rules, Status.PRIMARY, values[key])
        interval = intervals[key]
        if interval.lower > low + TOLERANCE:
            failing.append((values[key] - low, order, key, -1))
        if interval.upper < high - TOLERANCE:
            failing.append((high - values[key], order, key, +1))
    failing.sort(key=lambda f: (-f[0], f[1], f[3]))
    short: dict[Key, set[int]] = {}
    for _size, _order, key, direction in failing:
        short.setdefault(key, set()).add(direction)
    return short


class _Protection:
    """The protection LP, built once per table: the cheapest cells to hide so that one primary
    cell can move up and down by its protection.

    For each key five columns: a change up (increase, decrease), a change down (increase,
    decrease), both scaled so the primary cell moves by 1, and `hidden`, at least the size of
    either change, which is what is paid for (a cell both changes use is paid for once). Rows:
    each total's change equals the sum of its cells' changes, for either change; and `hidden`
    bounds each change. Column bounds keep every count non-negative after either change.
    """

    WIDTH = 5  # up+, up-, down+, down-, hidden

    def __init__(self, layout: Layout, values: Mapping[Key, int], rules: Rules) -> None:
        self.layout = layout
        self.values = values
        self.rules = rules
        self.column = {key: self.WIDTH * i for i, key in enumerate(layout.keys)}
        n = self.WIDTH * len(layout.keys)
        self.weight = np.zeros(len(layout.keys))
        for i, key in enumerate(layout.keys):
            self.weight[i] = self._weight(key)
        rows: list[tuple[float, float, list[tuple[int, float]]]] = []
        for offset in (0, 2):  # the change up, the change down
            for key in layout.margins:
                total = self.column[key] + offset
                entries: list[tuple[int, float]] = [(total, -1.0), (total + 1, 1.0)]
                for i in layout.members[key]:
                    inner = self.column[layout.interior[i]] + offset
                    entries += [(inner, 1.0), (inner + 1, -1.0)]
                rows.append((0.0, 0.0, entries))
        for key in layout.keys:
            c = self.column[key]
            for offset in (0, 2):
                rows.append(
                    (0.0, math.inf, [(c + 4, 1.0), (c + offset, -1.0), (c + offset + 1, -1.0)])
                )
        self.h = new_highs()
        pass_rows(
            self.h, cost=np.zeros(n), lower=np.zeros(n), upper=np.full(n, math.inf), rows=rows
        )

    def _weight(self, key: Key) -> float:
        if self.rules.loss is Loss.VALUE:
            return float(self.values[key] + 1)
        return float(len(self.layout.members[key]))

    def changes(self, key: Key, directions: set[int], status: Mapping[Key, Status]) -> list[Key]:
        """The keys the cheapest protecting changes of `key` (up, down or both) touch."""
        low, high = required(self.rules, Status.PRIMARY, self.values[key])
        up = high - self.values[key] if +1 in directions else 0.0
        down = self.values[key] - low if -1 in directions else 0.0
        keys = self.layout.keys
        n = self.WIDTH * len(keys)
        cost, lower, upper = np.zeros(n), np.zeros(n), np.full(n, math.inf)
        hidden = np.asarray([status[k] is not Status.PUBLISHED for k in keys])
        cost[4 :: self.WIDTH] = np.where(hidden, 0.0, self.weight)
        # A decrease of a cell may not take it below zero (in units of the primary's move).
        for i, k in enumerate(keys):
            if None not in k:
                c = self.WIDTH * i
                upper[c + 1] = self.values[k] / up if up else 0.0
                upper[c + 3] = self.values[k] / down if down else 0.0
        c = self.column[key]
        lower[c : c + 4] = upper[c : c + 4] = (1.0 if up else 0.0, 0.0, 0.0, 1.0 if down else 0.0)
        columns = np.arange(n, dtype=np.int32)
        self.h.changeColsCost(n, columns, cost)
        self.h.changeColsBounds(n, columns, lower, upper)
        self.h.run()
        solution = self.h.getSolution()
        if not solution.value_valid:
            raise RuntimeError("HiGHS found no protecting change")
        value: Any = np.asarray(solution.col_value).reshape(len(keys), self.WIDTH)
        moved = value[:, :4].sum(axis=1)
        return [k for k, m in zip(keys, moved, strict=True) if m > CHANGED and k != key]
