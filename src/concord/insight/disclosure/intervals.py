"""The audit: what an attacker can work out about each suppressed cell from what is published.

For every suppressed cell (or total) the audit solves two linear programmes over the interior
cells, x >= 0, with every published cell and total fixed at its value (or, for rounded figures,
to the range that rounds to it): the least and the greatest the suppressed cell can be. That
interval is exactly what anyone holding the published table can deduce by linear reasoning,
and it is the ground truth every release is checked against.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from ._text import _
from .table import MAX_COUNT, DisclosureError, Key, covered, key_name, keys
from .table import Dimension as Dimension

# LP answers are rounded to this many decimals so that the same input gives the same figures.
DECIMALS = 6
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Interval:
    """The least and greatest value a suppressed cell can take; `upper` may be infinite."""

    lower: float
    upper: float

    @property
    def width(self) -> float:
        """How far apart the ends are (infinite when nothing bounds the cell above)."""
        return self.upper - self.lower


class Layout:
    """The linear structure of a table: every key, and the interior cells each one sums."""

    def __init__(self, dimensions: Sequence[Dimension]) -> None:
        self.dimensions = tuple(dimensions)
        self.keys = keys(self.dimensions)
        self.interior = [key for key in self.keys if None not in key]
        position = {key: i for i, key in enumerate(self.interior)}
        self.members: dict[Key, list[int]] = {
            key: [position[inner] for inner in covered(self.dimensions, key)] for key in self.keys
        }
        self.margins = [key for key in self.keys if None in key]


def new_highs() -> Any:
    """A quiet, single-threaded, deterministic HiGHS."""
    h = highspy.Highs()  # type: ignore[no-untyped-call]  # its __init__ has no annotations
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    # Without presolve HiGHS tells unbounded from infeasible, and warm-starts each next solve.
    h.setOptionValue("presolve", "off")
    return h


def pass_rows(
    h: Any,
    *,
    cost: np.ndarray[Any, Any],
    lower: np.ndarray[Any, Any],
    upper: np.ndarray[Any, Any],
    rows: Sequence[tuple[float, float, Sequence[tuple[int, float]]]],
) -> None:
    """Load an LP with the given columns and rows (row bounds and (column, coefficient)s)."""
    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = len(rows)
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = np.asarray([row[0] for row in rows], dtype=np.float64)
    lp.row_upper_ = np.asarray([row[1] for row in rows], dtype=np.float64)
    starts = [0]
    index: list[int] = []
    value: list[float] = []
    for _lo, _hi, entries in rows:
        for column, coefficient in entries:
            index.append(column)
            value.append(coefficient)
        starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(value, dtype=np.float64)
    h.passModel(lp)


def rounding_range(value: int, base: int) -> tuple[int, int]:
    """The true values that round (to the nearest `base`, halves up) to a published value."""
    low = value - base // 2
    return max(0, low), low + base - 1


def audit(
    dimensions: Sequence[Dimension],
    values: Mapping[Key, int | None],
    *,
    rounding_base: int = 1,
) -> dict[Key, Interval]:
    """The interval each suppressed cell (None in `values`) can take, given what is published.

    `values` holds every cell and total of the table (keys with None over summed dimensions),
    a count where published and None where suppressed. With `rounding_base` above 1 the
    published figures are taken as rounded (each stands for the range that rounds to it);
    with 1 (the default, and the stricter audit) as exact.
    """
    if not isinstance(rounding_base, int) or isinstance(rounding_base, bool) or rounding_base < 1:
        raise DisclosureError("rounding_base", _("must be a whole number of at least 1"))
    layout = Layout(dimensions)
    published = _check_values(layout, values)
    n = len(layout.interior)
    lower = np.zeros(n)
    upper = np.full(n, math.inf)
    rows: list[tuple[float, float, list[tuple[int, float]]]] = []
    for key, value in published.items():
        low, high = rounding_range(value, rounding_base)
        if None in key:
            rows.append((float(low), float(high), [(i, 1.0) for i in layout.members[key]]))
        else:
            (i,) = layout.members[key]
            lower[i], upper[i] = max(lower[i], low), min(upper[i], high)
    h = new_highs()
    pass_rows(h, cost=np.zeros(n), lower=lower, upper=upper, rows=rows)
    intervals: dict[Key, Interval] = {}
    previous: list[int] = []
    for key in layout.keys:
        if key in published:
            continue
        members = layout.members[key]
        if previous:
            h.changeColsCost(
                len(previous), np.asarray(previous, dtype=np.int32), np.zeros(len(previous))
            )
        h.changeColsCost(len(members), np.asarray(members, dtype=np.int32), np.ones(len(members)))
        previous = members
        least = _optimum(h, maximise=False)
        greatest = _optimum(h, maximise=True)
        intervals[key] = Interval(lower=least, upper=greatest)
    return intervals


def _optimum(h: Any, *, maximise: bool) -> float:
    h.changeObjectiveSense(highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return round(float(h.getInfo().objective_function_value), DECIMALS) + 0.0
    if maximise and status == highspy.HighsModelStatus.kUnbounded:
        return math.inf
    if status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        raise DisclosureError("values", _("do not fit together: no table of counts gives them"))
    raise RuntimeError(f"HiGHS could not audit the table: {h.modelStatusToString(status)}")


def _check_values(layout: Layout, values: Mapping[Key, int | None]) -> dict[Key, int]:
    if not isinstance(values, Mapping):
        raise DisclosureError("values", _("must map every cell and total to its value"))
    expected = set(layout.keys)
    for key in values:
        if key not in expected:
            name = key_name(key) if isinstance(key, tuple) else repr(key)
            raise DisclosureError(f"values[{name}]", _("is not a cell or total of this table"))
    published: dict[Key, int] = {}
    for key in layout.keys:
        path = f"values[{key_name(key)}]"
        if key not in values:
            raise DisclosureError(path, _("is missing (give None where it is suppressed)"))
        value = values[key]
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise DisclosureError(path, _("must be a whole number or None"))
        if not 0 <= value <= MAX_COUNT:
            raise DisclosureError(
                path, _("must be between 0 and %(most)s") % {"most": f"{MAX_COUNT:,}"}
            )
        published[key] = value
    return published
