"""Statistical disclosure control for the public statistics (issue 15, item 6).

Pure Python over HiGHS, with no models and no database: the insight app builds a `Table` of
counts from its aggregates, protects it under the release's `Rules`, refuses it unless
`check` finds nothing, and publishes it with `to_csv` / `to_json`.

    table = Table(
        dimensions=(Dimension("region", regions), Dimension("strand", strands)),
        counts=[[12, 3, 40, 0], ...],          # one list per region, one count per strand
        margins={("London", None): 55},        # optional: totals held elsewhere, checked
    )
    rules = Rules(threshold=10, publish_zeros=True, rounding_base=5,
                  protection=Protection(percent=20, width=4), loss=Loss.CELLS)
    release = protect(table, rules)            # primary + secondary suppression, audited
    release.cells                              # ReleaseCell: key, count, status, value (rounded)
    check(release)                             # () when safe; else the Breaches (app refuses)
    audit(table.dimensions, release.published())   # interval of every suppressed cell
    to_csv(release, total_label="England and Wales"); to_json(release); notes(release)

A key names a cell with one label per dimension, None where it is a total over that
dimension: ("London", None) is London's total, (None, None) the grand total. Every total is
published unless suppressed, and totals are cells like any other: a total below the threshold
is suppressed too. Primary suppression hides counts 1 .. threshold-1 (and zeros if
`publish_zeros` is False); secondary suppression (see `protect`) is chosen by linear
programmes so that, for each primary cell, the interval anyone can deduce from the published
figures (the audit's LP minimum and maximum given every published cell and total and
non-negativity) reaches `Protection.bounds` below and above it, and no secondary cell is fixed
to one value. The audit assumes exact published figures, which is stricter than the rounded
ones published. Bad input raises `DisclosureError`, whose `path` names the field
(``counts[2][3]``, ``margins[London, Total]``, ``rules.threshold``).
"""

from .intervals import Interval, audit
from .render import CONFIDENTIAL, as_data, notes, to_csv, to_json
from .suppression import Breach, Release, ReleaseCell, Status, UnsafeReleaseError, check, protect
from .table import (
    MAX_CELLS,
    MAX_COUNT,
    MAX_DIMENSIONS,
    Dimension,
    DisclosureError,
    Key,
    Loss,
    Protection,
    Rules,
    Table,
)

__all__ = [
    "CONFIDENTIAL",
    "MAX_CELLS",
    "MAX_COUNT",
    "MAX_DIMENSIONS",
    "Breach",
    "Dimension",
    "DisclosureError",
    "Interval",
    "Key",
    "Loss",
    "Protection",
    "Release",
    "ReleaseCell",
    "Rules",
    "Status",
    "Table",
    "UnsafeReleaseError",
    "as_data",
    "audit",
    "check",
    "notes",
    "protect",
    "to_csv",
    "to_json",
]
