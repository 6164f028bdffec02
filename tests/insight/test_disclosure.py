"""The disclosure engine on known tables, bad input, the audit, and the CSV and JSON it writes."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest

from concord.insight.disclosure import (
    CONFIDENTIAL,
    Dimension,
    DisclosureError,
    Loss,
    Protection,
    Rules,
    Status,
    Table,
    audit,
    check,
    protect,
    to_csv,
    to_json,
)

ROWS = Dimension("region", ("North", "South", "West"))
COLUMNS = Dimension("strand", ("Pursue", "Prevent", "Protect"))


def table(counts, rows=ROWS, columns=COLUMNS, **kwargs):
    return Table(
        dimensions=(
            Dimension(rows.name, rows.labels[: len(counts)]),
            Dimension(columns.name, columns.labels[: len(counts[0])]),
        ),
        counts=counts,
        **kwargs,
    )


def suppressed(release):
    return {cell.key for cell in release.cells if cell.suppressed}


# Known tables -----------------------------------------------------------------------------


def test_a_small_cell_of_a_two_by_two_table_hides_the_whole_table_but_not_its_totals():
    release = protect(table([[3, 20], [15, 30]]), Rules(threshold=10))

    assert suppressed(release) == {
        ("North", "Pursue"),
        ("North", "Prevent"),
        ("South", "Pursue"),
        ("South", "Prevent"),
    }
    assert release.cell(("North", "Pursue")).status is Status.PRIMARY
    assert release.secondary == 3
    assert release.cell((None, None)).value == 68
    # The 3 can be anything from 0 to 18 (the Pursue total) given the totals.
    assert release.intervals["North", "Pursue"].lower == 0
    assert release.intervals["North", "Pursue"].upper == 18


def test_least_value_lost_picks_the_cheapest_rectangle():
    counts = [[2, 50, 11], [40, 60, 12], [30, 13, 70]]

    release = protect(table(counts), Rules(threshold=5, loss=Loss.VALUE))

    assert suppressed(release) == {
        ("North", "Pursue"),
        ("North", "Protect"),
        ("South", "Pursue"),
        ("South", "Protect"),
    }
    assert check(release) == ()


def test_a_zero_beside_a_small_cell_is_not_taken_to_protect_it_both_ways():
    # A rectangle through a published zero lets the 2 fall but not rise (the zero cannot go
    # below nothing), so one rectangle of counts above zero protects it both ways, with 3 cells.
    strands = Dimension("strand", ("Pursue", "Prevent", "Protect", "Prepare"))
    counts = [[15, 2, 0, 48], [30, 0, 15, 60], [15, 30, 0, 60]]

    release = protect(table(counts, columns=strands), Rules(threshold=10))

    assert release.secondary == 3
    assert all(release.cell(key).count > 0 for key in suppressed(release))
    assert release.intervals["North", "Prevent"].lower == 0
    assert release.intervals["North", "Prevent"].upper == 32


def test_a_one_dimensional_table_hides_a_second_cell_beside_a_small_one():
    release = protect(
        Table(dimensions=(ROWS,), counts=[3, 20, 30]), Rules(threshold=10, loss=Loss.VALUE)
    )

    assert suppressed(release) == {("North",), ("South",)}
    assert release.cell((None,)).value == 53


def test_a_wider_protection_requirement_hides_more_than_the_first_rectangle():
    counts = [[5, 12, 100], [50, 11, 100]]
    narrow = protect(table(counts), Rules(threshold=13))
    wide = protect(table(counts), Rules(threshold=13, protection=Protection(width=30)))

    assert suppressed(narrow) == {
        ("North", "Pursue"),
        ("North", "Prevent"),
        ("South", "Pursue"),
        ("South", "Prevent"),
    }
    assert narrow.intervals["North", "Pursue"].width == 17
    assert len(suppressed(wide)) > len(suppressed(narrow))
    assert wide.intervals["North", "Pursue"].width >= 30
    assert wide.intervals["South", "Prevent"].width >= 30
    assert check(wide) == ()


def test_a_percentage_requirement_reaches_both_ways():
    release = protect(
        table([[8, 40, 60], [30, 9, 90], [70, 80, 100]]),
        Rules(threshold=10, protection=Protection(percent=50)),
    )

    for key in (("North", "Pursue"), ("South", "Prevent")):
        count = release.cell(key).count
        assert release.intervals[key].lower <= count * 0.5
        assert release.intervals[key].upper >= count * 1.5


def test_zeros_are_withheld_when_the_rules_say_so():
    shown = protect(table([[0, 20], [15, 30]]), Rules(threshold=10))
    hidden = protect(table([[0, 20], [15, 30]]), Rules(threshold=10, publish_zeros=False))

    assert suppressed(shown) == set()
    assert hidden.cell(("North", "Pursue")).status is Status.PRIMARY
    assert hidden.intervals["North", "Pursue"].upper >= 1


def test_a_small_total_is_itself_suppressed():
    release = protect(table([[3, 4], [20, 30]]), Rules(threshold=10))

    assert release.cell(("North", None)).status is Status.PRIMARY
    assert release.cell(("North", None)).value is None
    assert check(release) == ()


def test_published_figures_are_rounded_half_up_to_the_base():
    release = protect(table([[12, 13], [17, 40]]), Rules(threshold=10, rounding_base=5))

    assert [c.value for c in release.cells if None not in c.key] == [10, 15, 15, 40]
    assert release.cell((None, None)).value == 80  # 82 rounds on its own


def test_the_same_table_gives_the_same_release():
    counts = [[3, 20, 1], [15, 2, 30], [40, 50, 4]]

    assert protect(table(counts), Rules()).cells == protect(table(counts), Rules()).cells


# The audit and the check ------------------------------------------------------------------


def test_check_finds_a_release_that_publishes_a_secondary_cell():
    release = protect(table([[3, 20], [15, 30]]), Rules(threshold=10))
    leaky = dataclasses.replace(
        release,
        cells=tuple(
            dataclasses.replace(c, status=Status.PUBLISHED, value=c.count)
            if c.key == ("South", "Prevent")
            else c
            for c in release.cells
        ),
    )

    breaches = check(leaky)

    assert {b.key for b in breaches} == {
        ("North", "Pursue"),
        ("North", "Prevent"),
        ("South", "Pursue"),
    }
    assert "North, Pursue (3) can be narrowed to 3 to 3" in [str(b) for b in breaches]


def test_the_audit_of_rounded_figures_is_wider_than_of_exact_ones():
    dims = table([[3, 20], [15, 30]]).dimensions
    values = {
        ("North", "Pursue"): None,
        ("North", "Prevent"): 20,
        ("North", None): 23,
        ("South", "Pursue"): 15,
        ("South", "Prevent"): 30,
        ("South", None): 45,
        (None, "Pursue"): 18,
        (None, "Prevent"): 50,
        (None, None): 68,
    }

    exact = audit(dims, values)
    rounded = audit(dims, {**values, ("North", None): 25}, rounding_base=5)

    assert (exact["North", "Pursue"].lower, exact["North", "Pursue"].upper) == (3, 3)
    assert rounded["North", "Pursue"].lower < 3 < rounded["North", "Pursue"].upper


def test_the_audit_finds_an_unbounded_cell():
    dims = (Dimension("region", ("North", "South")),)

    got = audit(dims, {("North",): None, ("South",): None, (None,): None})

    assert got["North",].upper == float("inf")


@pytest.mark.parametrize(
    ("values", "path"),
    [
        ({("North",): 1, ("South",): 2}, "values[Total]"),
        ({("North",): 1, ("South",): 2, (None,): 3, ("East",): 1}, "values[East]"),
        ({("North",): -1, ("South",): 2, (None,): 3}, "values[North]"),
        ({("North",): 1.5, ("South",): 2, (None,): 3}, "values[North]"),
        ({("North",): None, ("South",): 9, (None,): 3}, "values"),
    ],
)
def test_the_audit_refuses_values_that_do_not_make_a_table(values, path):
    dims = (Dimension("region", ("North", "South")),)

    with pytest.raises(DisclosureError) as raised:
        audit(dims, values)

    assert raised.value.path == path


# Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "margins", "path"),
    [
        ([[1, -2], [3, 4]], {}, "counts[0][1]"),
        ([[1, 2], [3]], {}, "counts[1]"),
        ([[1, 2], [3, 4], [5, 6], [7, 8]], {}, "counts"),
        ([[1, True], [3, 4]], {}, "counts[0][1]"),
        ([[1, 2.5], [3, 4]], {}, "counts[0][1]"),
        ([[1, "2"], [3, 4]], {}, "counts[0][1]"),
        ([[1, 2], [3, 4]], {("North", None): 4}, "margins[North, Total]"),
        ([[1, 2], [3, 4]], {("North", "Pursue"): 1}, "margins[North, Pursue]"),
        ([[1, 2], [3, 4]], {("East", None): 1}, "margins[East, Total]"),
    ],
)
def test_bad_tables_are_refused_naming_the_field(counts, margins, path):
    dims = (Dimension("region", ("North", "South")), Dimension("strand", ("Pursue", "Prevent")))

    with pytest.raises(DisclosureError) as raised:
        Table(dimensions=dims, counts=counts, margins=margins)

    assert raised.value.path == path


def test_a_margin_that_disagrees_says_what_the_cells_add_up_to():
    with pytest.raises(DisclosureError, match=r"is 4 but its cells add up to 3"):
        table([[1, 2], [3, 4]], margins={("North", None): 4})


def test_margins_that_agree_are_accepted():
    given = table([[1, 2], [3, 4]], margins={("North", None): 3, (None, None): 10})

    assert given.all_values()[None, None] == 10


@pytest.mark.parametrize(
    ("dimensions", "path"),
    [
        ((), "dimensions"),
        ((ROWS, ROWS), "dimensions[1].name"),
        ((Dimension("region", ("North", "North")),), "dimensions[0].labels[1]"),
        ((Dimension("region", ()),), "dimensions[0].labels"),
        ((Dimension(" region", ("North",)),), "dimensions[0].name"),
        ((ROWS, COLUMNS, Dimension("a", ("x",)), Dimension("b", ("y",))), "dimensions"),
        ((Dimension("a", tuple(f"{i}" for i in range(100))),) * 1, None),
    ],
)
def test_bad_dimensions_are_refused_naming_the_field(dimensions, path):
    counts = [0] * 100 if path is None else [0]
    if path is None:
        assert Table(dimensions=dimensions, counts=counts).cells["0",] == 0
        return
    with pytest.raises(DisclosureError) as raised:
        Table(dimensions=dimensions, counts=counts)

    assert raised.value.path == path


def test_whole_numbers_given_as_floats_are_kept_as_integers():
    rules = Rules(threshold=10.0, rounding_base=5.0, protection=Protection(percent=20, width=3.0))

    assert (type(rules.threshold), type(rules.rounding_base)) == (int, int)
    assert rules.protection == Protection(percent=20.0, width=3)
    assert rules.rounded(12) == 10


@pytest.mark.parametrize(
    ("rules", "path"),
    [
        ({"threshold": 0}, "rules.threshold"),
        ({"threshold": 2.5}, "rules.threshold"),
        ({"publish_zeros": "yes"}, "rules.publish_zeros"),
        ({"rounding_base": 0}, "rules.rounding_base"),
        ({"protection": Protection(percent=150)}, "rules.protection.percent"),
        ({"protection": Protection(percent=float("nan"))}, "rules.protection.percent"),
        ({"protection": Protection(width=0)}, "rules.protection.width"),
        ({"loss": "cost"}, "rules.loss"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(rules, path):
    with pytest.raises(DisclosureError) as raised:
        Rules(**rules)

    assert raised.value.path == path


# CSV and JSON -----------------------------------------------------------------------------


def test_the_csv_marks_withheld_figures_and_ends_with_notes():
    release = protect(table([[3, 20], [15, 30]]), Rules(threshold=10, rounding_base=5))

    rows = list(csv.reader(io.StringIO(to_csv(release, total_label="England and Wales"))))

    assert rows[0] == ["region", "strand", "count"]
    assert rows[1] == ["North", "Pursue", CONFIDENTIAL]
    assert ["England and Wales", "England and Wales", "70"] in rows
    notes = rows[rows.index(["Notes"]) + 1 :]
    assert any("1 to 9 are withheld" in line[0] for line in notes)
    assert any("nearest 5" in line[0] for line in notes)


def test_the_json_carries_figures_markers_and_notes_but_never_why_a_cell_is_hidden():
    release = protect(table([[3, 20, 40], [15, 30, 12]]), Rules(threshold=10))

    text = to_json(release)
    data = json.loads(text)

    first = data["cells"][0]
    assert first == {
        "region": "North",
        "strand": "Pursue",
        "total_of": [],
        "value": None,
        "marker": "[c]",
    }
    grand = data["cells"][-1]
    assert grand["total_of"] == ["region", "strand"]
    assert grand["value"] == 120
    assert data["threshold"] == 10
    assert "primary" not in text
    assert "secondary" not in text
    assert '"count"' not in text


def test_csv_without_notes_is_only_the_table():
    release = protect(table([[30, 20], [15, 30]]), Rules(threshold=10))

    rows = list(csv.reader(io.StringIO(to_csv(release, with_notes=False))))

    assert len(rows) == 1 + 9
    assert rows[-1] == ["Total", "Total", "95"]
