"""A release as the public sees it: CSV and JSON with "[c]" for confidential, and its notes.

Only published figures leave: never a true count of a suppressed cell, and never whether a
cell was suppressed by the threshold or to protect another (that alone would tell a reader
the cell is small).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from ._text import _
from .suppression import Release
from .table import Key

# The Office for National Statistics' marker for a figure withheld as confidential.
CONFIDENTIAL = "[c]"


def notes(release: Release) -> list[str]:
    """The release's footnotes: what "[c]" means, and how figures were rounded."""
    rules = release.rules
    lines = [
        _(
            "[c] confidential: counts from 1 to %(below)s are withheld, and so are further "
            "figures chosen so that no withheld count can be worked out from the totals."
        )
        % {"below": rules.threshold - 1}
        if rules.threshold > 1
        else _(
            "[c] confidential: figures chosen so that no withheld count can be worked out from "
            "the totals are withheld."
        )
    ]
    if not rules.publish_zeros:
        lines.append(_("Zero counts are withheld as well."))
    if rules.rounding_base > 1:
        lines.append(
            _(
                "Figures are rounded to the nearest %(base)s, each on its own, so totals may not "
                "equal the sum of their parts."
            )
            % {"base": rules.rounding_base}
        )
    return lines


def _labels(key: Key, total_label: str) -> list[str]:
    return [total_label if label is None else label for label in key]


def to_csv(release: Release, *, total_label: str = "", with_notes: bool = True) -> str:
    """The release as CSV: one row per cell and total (a column per dimension, then the figure,
    "[c]" where withheld); after a blank row, the notes, unless `with_notes` is False."""
    total = total_label or _("Total")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([d.name for d in release.table.dimensions] + [_("count")])
    for cell in release.cells:
        figure = CONFIDENTIAL if cell.value is None else str(cell.value)
        writer.writerow([*_labels(cell.key, total), figure])
    if with_notes:
        writer.writerow([])
        writer.writerow([_("Notes")])
        for line in notes(release):
            writer.writerow([line])
    return out.getvalue()


def as_data(release: Release, *, total_label: str = "") -> dict[str, Any]:
    """The release as plain data for JSON: dimensions, cells (value null and marker "[c]" where
    withheld; a total's label is null in the dimension it sums), rules and notes."""
    total = total_label or _("Total")
    dimensions = release.table.dimensions
    cells = []
    for cell in release.cells:
        item: dict[str, Any] = {
            d.name: label for d, label in zip(dimensions, cell.key, strict=True)
        }
        item["total_of"] = [
            d.name for d, label in zip(dimensions, cell.key, strict=True) if label is None
        ]
        item["value"] = cell.value
        if cell.value is None:
            item["marker"] = CONFIDENTIAL
        cells.append(item)
    return {
        "dimensions": [{"name": d.name, "labels": list(d.labels)} for d in dimensions],
        "total_label": total,
        "cells": cells,
        "threshold": release.rules.threshold,
        "rounding_base": release.rules.rounding_base,
        "notes": notes(release),
    }


def to_json(release: Release, *, total_label: str = "") -> str:
    """The release as JSON text (see `as_data`), keys in a fixed order."""
    return json.dumps(as_data(release, total_label=total_label), ensure_ascii=False, indent=2)
