"""Properties of every protected release: nothing suppressed can be recovered, by the LP audit
or by enumerating every table of counts that fits what is published."""

from __future__ import annotations

import itertools
import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from concord.insight.disclosure import (
    Dimension,
    Loss,
    Protection,
    Rules,
    Status,
    Table,
    audit,
    check,
    protect,
    to_json,
)
from concord.insight.disclosure.intervals import rounding_range

# Many small counts (the ones suppression is about), some zeros, and some up to 200.
COUNTS = st.one_of(st.integers(0, 12), st.integers(0, 12), st.integers(0, 200))
RULES = st.builds(
    Rules,
    threshold=st.integers(1, 12),
    publish_zeros=st.booleans(),
    rounding_base=st.sampled_from([1, 3, 5, 10]),
    protection=st.builds(
        Protection, percent=st.sampled_from([0, 10, 25, 50]), width=st.integers(1, 8)
    ),
    loss=st.sampled_from(list(Loss)),
)
PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def dimension(name, size):
    return Dimension(name, tuple(f"{name}{i}" for i in range(size)))


@st.composite
def tables(draw, *, rows=(1, 8), columns=(1, 6), counts=COUNTS):
    r, c = draw(st.integers(*rows)), draw(st.integers(*columns))
    grid = draw(st.lists(st.lists(counts, min_size=c, max_size=c), min_size=r, max_size=r))
    return Table(dimensions=(dimension("region", r), dimension("kind", c)), counts=grid)


@st.composite
def cubes(draw):
    sizes = [draw(st.integers(1, 3)) for _ in range(3)]
    grid = draw(
        st.lists(
            st.lists(
                st.lists(COUNTS, min_size=sizes[2], max_size=sizes[2]),
                min_size=sizes[1],
                max_size=sizes[1],
            ),
            min_size=sizes[0],
            max_size=sizes[0],
        )
    )
    names = ("region", "strand", "kind")
    dims = tuple(dimension(n, s) for n, s in zip(names, sizes, strict=True))
    return Table(dimensions=dims, counts=grid)


def assert_protected(release):
    """Every primary cell reaches its protection both ways; nothing suppressed is fixed."""
    intervals = audit(release.table.dimensions, release.published())
    rules = release.rules
    for cell in release.cells:
        if not cell.suppressed:
            assert cell.key not in intervals
            continue
        interval = intervals[cell.key]
        assert interval.lower <= cell.count <= interval.upper
        assert interval.width >= 1 - 1e-6, cell
        if cell.status is Status.PRIMARY:
            below, above = rules.protection.bounds(cell.count)
            assert interval.lower <= cell.count - below + 1e-6, cell
            assert interval.upper >= cell.count + above - 1e-6, cell
            assert interval.width >= rules.protection.width - 1e-6, cell
    assert check(release) == ()


@PROPERTIES
@given(table=tables(), rules=RULES)
def test_no_suppressed_cell_can_be_recovered_by_the_audit(table, rules):
    assert_protected(protect(table, rules))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=cubes(), rules=RULES)
def test_no_suppressed_cell_of_a_three_way_table_can_be_recovered(table, rules):
    assert_protected(protect(table, rules))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=st.lists(COUNTS, min_size=1, max_size=12), rules=RULES)
def test_no_suppressed_cell_of_a_one_way_table_can_be_recovered(counts, rules):
    table = Table(dimensions=(dimension("region", len(counts)),), counts=counts)

    assert_protected(protect(table, rules))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables(), rules=RULES)
def test_the_rounded_figures_tell_no_more_than_the_exact_ones_the_audit_checks(table, rules):
    release = protect(table, rules)
    exact = audit(table.dimensions, release.published())

    rounded = audit(
        table.dimensions,
        {cell.key: cell.value for cell in release.cells},
        rounding_base=rules.rounding_base,
    )

    assert rounded.keys() == exact.keys()
    for key, interval in exact.items():
        assert rounded[key].lower <= interval.lower + 1e-6
        assert rounded[key].upper >= interval.upper - 1e-6


@PROPERTIES
@given(table=tables(), rules=RULES)
def test_totals_agree_with_cells_and_small_counts_are_never_published(table, rules):
    release = protect(table, rules)
    counts = {cell.key: cell.count for cell in release.cells}

    for cell in release.cells:
        parts = [
            counts[inner]
            for inner in itertools.product(
                *[
                    d.labels if label is None else (label,)
                    for d, label in zip(table.dimensions, cell.key, strict=True)
                ]
            )
        ]
        assert cell.count == sum(parts)
        if cell.suppressed:
            assert cell.value is None
            continue
        assert cell.count >= rules.threshold or (cell.count == 0 and rules.publish_zeros)
        low, high = rounding_range(cell.value, rules.rounding_base)
        assert low <= cell.count <= high
        assert cell.value % rules.rounding_base == 0
    # What is published fits together: the audit finds a table of counts that gives it.
    audit(table.dimensions, release.published())


@PROPERTIES
@given(table=tables(), rules=RULES)
def test_the_same_input_gives_the_same_release(table, rules):
    first, second = protect(table, rules), protect(table, rules)

    assert first.cells == second.cells
    assert first.intervals == second.intervals
    assert to_json(first) == to_json(second)


def covers(total, cell):
    return all(t is None or t == c for t, c in zip(total, cell, strict=True))


def completion(table, published, wanted):
    """Search every table of non-negative whole counts that gives the published figures, cell
    by cell (each bounded by what its published totals leave), for one where `wanted` holds."""
    totals = [(key, value) for key, value in published.items() if value is not None and None in key]
    fixed = {
        key: value for key, value in published.items() if None not in key and value is not None
    }
    hidden = [key for key in table.cells if published[key] is None]
    for cell in hidden:
        # A cell no published total bounds is plainly not recoverable.
        assume(any(covers(total, cell) for total, _ in totals))

    def search(assigned):
        if len(assigned) == len(hidden):
            full = {**fixed, **assigned}
            fits = all(
                sum(v for cell, v in full.items() if covers(total, cell)) == value
                for total, value in totals
            )
            return full if fits and wanted(full) else None
        cell = hidden[len(assigned)]
        low, high = 0, None
        for total, value in totals:
            if not covers(total, cell):
                continue
            inside = [c for c in table.cells if covers(total, c)]
            left = value - sum(fixed.get(c, assigned.get(c, 0)) for c in inside)
            open_cells = [c for c in inside if c not in fixed and c not in assigned]
            if open_cells == [cell]:
                low = max(low, left)
            high = left if high is None else min(high, left)
        for v in range(low, high + 1):
            found = search({**assigned, cell: v})
            if found is not None:
                return found
        return None

    return search({})


def value_of(key, full):
    return sum(v for cell, v in full.items() if covers(key, cell))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=tables(rows=(2, 3), columns=(2, 3), counts=st.integers(0, 9)),
    threshold=st.integers(2, 6),
    publish_zeros=st.booleans(),
)
def test_no_suppressed_cell_of_a_tiny_table_takes_a_single_value_in_any_completion(
    table, threshold, publish_zeros
):
    release = protect(table, Rules(threshold=threshold, publish_zeros=publish_zeros))
    published = release.published()
    hidden = [c for c in release.cells if c.suppressed]
    assume(hidden)

    assert completion(table, published, lambda full: full == dict(table.cells)) is not None
    for cell in hidden:
        other = completion(table, published, lambda full, c=cell: value_of(c.key, full) != c.count)
        assert other is not None, cell


def test_the_json_of_a_release_round_trips():
    table = Table(
        dimensions=(dimension("region", 2), dimension("kind", 2)), counts=[[3, 20], [15, 30]]
    )

    data = json.loads(to_json(protect(table, Rules())))

    assert [cell["value"] for cell in data["cells"]] == [None, None, 23, None, None, 45, 18, 50, 68]
