"""The input of disclosure control: a table of counts and the rules, validated on construction."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ._text import _

# A cell of the table: one label per dimension, None where the cell is the total over that
# dimension. ("London", None) is London's row total; (None, None) the grand total.
Key = tuple[str | None, ...]

MAX_DIMENSIONS = 3
# Room for 43 forces x 12 categories x 9 more; the audit solves two LPs per suppressed cell, so
# a 43 x 12 table protects in about four seconds (docs/benchmarks.md) and this bounds the worst.
MAX_CELLS = 5_000
MAX_COUNT = 1_000_000_000


class DisclosureError(ValueError):
    """Bad input: `path` names the field (``counts[2][3]``), `message` says what is wrong."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


class Loss(StrEnum):
    """What secondary suppression minimises: the number of cells, or the total value, hidden."""

    CELLS = "cells"
    VALUE = "value"


@dataclass(frozen=True)
class Dimension:
    """One categorical dimension of a table (region, 4P strand, outcome kind) and its labels."""

    name: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Protection:
    """How wide the interval an attacker can work out for a primary cell must be.

    With value `a`, the interval must reach down to ``a - a x percent / 100`` and up to
    ``a + a x percent / 100``, and be at least `width` wide (never below 1, so that no
    suppressed cell is ever recovered exactly); the lower end cannot go below zero, so a
    small cell's width is made up above it.
    """

    percent: float = 0.0
    width: int = 1

    def bounds(self, value: int) -> tuple[float, float]:
        """(lower, upper): the interval must include ``value - lower`` and ``value + upper``."""
        lower = upper = value * self.percent / 100
        short = self.width - (lower + upper)
        if short > 0:
            lower = min(float(value), max(lower, self.width / 2))
            upper = max(upper, self.width - lower)
        return lower, upper


@dataclass(frozen=True)
class Rules:
    """The rules of a release, as data: the threshold, zeros, rounding, protection and loss.

    Cells (and totals) from 1 to ``threshold - 1`` are suppressed (primary); zeros too unless
    `publish_zeros`. Published figures are rounded to the nearest `rounding_base` (half up).
    """

    threshold: int = 10
    publish_zeros: bool = True
    rounding_base: int = 1
    protection: Protection = field(default_factory=Protection)
    loss: Loss = Loss.CELLS

    def __post_init__(self) -> None:
        threshold = _whole("rules.threshold", self.threshold, minimum=1, maximum=MAX_COUNT)
        object.__setattr__(self, "threshold", threshold)
        if not isinstance(self.publish_zeros, bool):
            raise DisclosureError("rules.publish_zeros", _("must be true or false"))
        base = _whole("rules.rounding_base", self.rounding_base, minimum=1, maximum=MAX_COUNT)
        object.__setattr__(self, "rounding_base", base)
        if not isinstance(self.protection, Protection):
            raise DisclosureError("rules.protection", _("must be a Protection"))
        percent = self.protection.percent
        if isinstance(percent, bool) or not isinstance(percent, int | float):
            raise DisclosureError("rules.protection.percent", _("must be a number"))
        if not math.isfinite(percent) or not 0 <= percent <= 100:
            raise DisclosureError("rules.protection.percent", _("must be between 0 and 100"))
        width = _whole(
            "rules.protection.width", self.protection.width, minimum=1, maximum=MAX_COUNT
        )
        object.__setattr__(self, "protection", Protection(percent=float(percent), width=width))
        try:
            object.__setattr__(self, "loss", Loss(self.loss))
        except ValueError:
            raise DisclosureError("rules.loss", _("must be “cells” or “value”")) from None

    def sensitive(self, value: int) -> bool:
        """Whether a cell of this value is suppressed by the threshold (primary suppression)."""
        return 0 < value < self.threshold or (value == 0 and not self.publish_zeros)

    def rounded(self, value: int) -> int:
        """The value rounded to the nearest multiple of the rounding base, halves up."""
        base = self.rounding_base
        return (value + base // 2) // base * base


@dataclass(frozen=True)
class Table:
    """A validated table of non-negative counts over one to three dimensions.

    `counts` nests one list per dimension, in the order of `dimensions` (a list of lists for
    two). `margins`, where given, are totals the caller also holds (key with None over the
    summed dimensions); each must equal the sum of its cells. Construction checks every
    field and raises DisclosureError naming the first bad one.
    """

    dimensions: tuple[Dimension, ...]
    counts: Any
    margins: Mapping[Key, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        dimensions = self._check_dimensions()
        object.__setattr__(self, "dimensions", dimensions)
        cells = self._check_counts()
        object.__setattr__(self, "_cells", cells)
        self._check_margins()

    def _check_dimensions(self) -> tuple[Dimension, ...]:
        if not isinstance(self.dimensions, Sequence) or isinstance(self.dimensions, str):
            raise DisclosureError("dimensions", _("must be a list of dimensions"))
        if not 1 <= len(self.dimensions) <= MAX_DIMENSIONS:
            raise DisclosureError(
                "dimensions", _("must be one to %(most)s dimensions") % {"most": MAX_DIMENSIONS}
            )
        names: set[str] = set()
        checked = []
        size = 1
        for i, dimension in enumerate(self.dimensions):
            path = f"dimensions[{i}]"
            if not isinstance(dimension, Dimension):
                raise DisclosureError(path, _("must be a Dimension"))
            name = _text(f"{path}.name", dimension.name)
            if name in names:
                raise DisclosureError(
                    f"{path}.name", _("repeats the name “%(name)s”") % {"name": name}
                )
            names.add(name)
            if not isinstance(dimension.labels, Sequence) or isinstance(dimension.labels, str):
                raise DisclosureError(f"{path}.labels", _("must be a list of labels"))
            if not dimension.labels:
                raise DisclosureError(f"{path}.labels", _("must not be empty"))
            seen: set[str] = set()
            for j, label in enumerate(dimension.labels):
                label = _text(f"{path}.labels[{j}]", label)
                if label in seen:
                    raise DisclosureError(
                        f"{path}.labels[{j}]", _("repeats the label “%(label)s”") % {"label": label}
                    )
                seen.add(label)
            size *= len(dimension.labels)
            checked.append(Dimension(name=name, labels=tuple(dimension.labels)))
        if size > MAX_CELLS:
            raise DisclosureError(
                "dimensions", _("make more than %(most)s cells") % {"most": f"{MAX_CELLS:,}"}
            )
        return tuple(checked)

    def _check_counts(self) -> dict[Key, int]:
        cells: dict[Key, int] = {}

        def walk(value: Any, depth: int, path: str, key: tuple[str, ...]) -> None:
            if depth == len(self.dimensions):
                cells[key] = _whole(path, value, minimum=0, maximum=MAX_COUNT)
                return
            dimension = self.dimensions[depth]
            if not isinstance(value, Sequence) or isinstance(value, str):
                raise DisclosureError(
                    path, _("must be a list, one entry per %(name)s") % {"name": dimension.name}
                )
            if len(value) != len(dimension.labels):
                raise DisclosureError(
                    path,
                    _("must have %(want)s entries, one per %(name)s (it has %(got)s)")
                    % {"want": len(dimension.labels), "name": dimension.name, "got": len(value)},
                )
            for i, (label, inner) in enumerate(zip(dimension.labels, value, strict=True)):
                walk(inner, depth + 1, f"{path}[{i}]", (*key, label))

        walk(self.counts, 0, "counts", ())
        return cells

    def _check_margins(self) -> None:
        if not isinstance(self.margins, Mapping):
            raise DisclosureError("margins", _("must map totals to their values"))
        computed = self.all_values()
        for key, value in self.margins.items():
            name = key_name(key) if isinstance(key, tuple) else repr(key)
            path = f"margins[{name}]"
            if key not in computed or None not in key:
                raise DisclosureError(path, _("is not a total of this table"))
            given = _whole(path, value, minimum=0, maximum=MAX_COUNT)
            if given != computed[key]:
                raise DisclosureError(
                    path,
                    _("is %(given)s but its cells add up to %(sum)s")
                    % {"given": given, "sum": computed[key]},
                )

    @property
    def cells(self) -> Mapping[Key, int]:
        """The interior cells: one label per dimension, to their counts."""
        cells: dict[Key, int] = self.__dict__["_cells"]
        return cells

    def all_values(self) -> dict[Key, int]:
        """Every cell and every total (margins over each set of dimensions), in table order."""
        values: dict[Key, int] = {}
        for key in keys(self.dimensions):
            values[key] = sum(self.cells[inner] for inner in covered(self.dimensions, key))
        return values


def keys(dimensions: Sequence[Dimension]) -> list[Key]:
    """Every key of a table with its totals, in a fixed order: each label then the total."""
    options: list[list[str | None]] = [[*d.labels, None] for d in dimensions]
    return [tuple(key) for key in itertools.product(*options)]


def covered(dimensions: Sequence[Dimension], key: Key) -> Iterator[Key]:
    """The interior cells that a key sums (itself when it is an interior cell)."""
    options = [
        d.labels if label is None else (label,) for d, label in zip(dimensions, key, strict=True)
    ]
    return (tuple(inner) for inner in itertools.product(*options))


def key_name(key: Key) -> str:
    """A key as people read it in messages: ``London, Total``."""
    return ", ".join("Total" if label is None else str(label) for label in key)


def _whole(path: str, value: Any, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DisclosureError(path, _("must be a whole number"))
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise DisclosureError(path, _("must be a whole number"))
    if value < minimum:
        if minimum == 0:
            raise DisclosureError(
                path, _("must not be negative (it is %(value)s)") % {"value": value}
            )
        raise DisclosureError(path, _("must be at least %(minimum)s") % {"minimum": minimum})
    if value > maximum:
        raise DisclosureError(path, _("must be at most %(maximum)s") % {"maximum": maximum})
    return int(value)


def _text(path: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise DisclosureError(path, _("must be a non-empty text without surrounding spaces"))
    return value
