"""Files of people: a column mapping (`--map given_name=first,...`), subjects read from CSV rows
with errors naming the line and column, and scored pairs written back as CSV rows."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import IO, Protocol

from ._text import _
from .scoring import Scored
from .subject import IDENTIFIERS, MatchingError, Subject

TEXT_FIELDS: tuple[str, ...] = ("id", "given_name", "surname", "address", "postcode", "town")
MAPPED: tuple[str, ...] = (*TEXT_FIELDS, "dob", *IDENTIFIERS)
# Dates of birth as analysts' files hold them: ISO first, then the UK's day-first forms.
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y%m%d")
# Several values of one identifier in one cell (two phones) are separated by this.
SEPARATOR = ";"
OUTPUT_COLUMNS: tuple[str, ...] = ("left_id", "right_id", "score", "agreed", "disagreed")

Mapping_ = dict[str, tuple[str, ...]]


class Writable(Protocol):
    """Where CSV rows go: a file, or a management command's stdout."""

    def write(self, text: str, /) -> object: ...


def parse_map(text: str) -> Mapping_:
    """`field=column,...` as field -> columns (an identifier may name several columns; the
    others one each); fields left out are read from a column of their own name, if any."""
    mapping: dict[str, list[str]] = {}
    for i, part in enumerate(p for p in text.split(",") if p.strip()):
        name, equals, column = (s.strip() for s in part.partition("="))
        if not equals or not name or not column:
            raise MatchingError(
                f"--map[{i}]", _("must be field=column (it is %(part)r)") % {"part": part}
            )
        if name not in MAPPED:
            raise MatchingError(
                f"--map[{i}]",
                _("%(name)r is not a field; the fields are %(fields)s")
                % {"name": name, "fields": ", ".join(MAPPED)},
            )
        if name in mapping and name not in IDENTIFIERS:
            raise MatchingError(f"--map[{i}]", _("%(name)r is mapped twice") % {"name": name})
        mapping.setdefault(name, []).append(column)
    return {name: tuple(columns) for name, columns in mapping.items()}


def _columns_for(mapping: Mapping_, header: list[str], source: str) -> Mapping_:
    columns: dict[str, tuple[str, ...]] = {}
    for name in MAPPED:
        wanted = mapping.get(name)
        if wanted is None:
            if name in header:
                columns[name] = (name,)
            continue
        for column in wanted:
            if column not in header:
                raise MatchingError(
                    source,
                    _("has no column %(column)r (for %(field)s); its columns are %(header)s")
                    % {"column": column, "field": name, "header": ", ".join(header)},
                )
        columns[name] = wanted
    if "id" not in columns:
        raise MatchingError(source, _("needs an id column: name it with --map id=COLUMN"))
    return columns


def read_date(text: str) -> date | None:
    """A date of birth in one of DATE_FORMATS; None for an empty cell; ValueError otherwise."""
    text = text.strip()
    if not text:
        return None
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()  # a date, no time zone
        except ValueError:
            continue
    raise ValueError(text)


def read_subjects(stream: IO[str], mapping: Mapping_, *, source: str) -> Iterator[Subject]:
    """The subjects of a CSV file with a header row; a bad row raises MatchingError naming
    `source`, its line and the column."""
    reader = csv.DictReader(stream)
    header = list(reader.fieldnames or [])
    if not header:
        raise MatchingError(source, _("is empty: it needs a header row"))
    columns = _columns_for(mapping, header, source)
    for row in reader:
        line = reader.line_num
        values: dict[str, object] = {}
        for name, cols in columns.items():
            cells = [(row.get(c) or "").strip() for c in cols]
            if name == "dob":
                try:
                    values["dob"] = read_date(cells[0])
                except ValueError:
                    raise MatchingError(
                        f"{source} line {line}, column {cols[0]}",
                        _("cannot read %(text)r as a date (write YYYY-MM-DD or DD/MM/YYYY)")
                        % {"text": cells[0]},
                    ) from None
            elif name in IDENTIFIERS:
                values[name] = tuple(
                    v.strip() for cell in cells for v in cell.split(SEPARATOR) if v.strip()
                )
            else:
                values[name] = cells[0]
        if not values.get("id"):
            raise MatchingError(
                f"{source} line {line}, column {columns['id'][0]}", _("the id is empty")
            )
        try:
            yield Subject(**values)  # type: ignore[arg-type]  # keys are Subject's fields, by MAPPED
        except MatchingError as error:
            raise MatchingError(f"{source} line {line}, {error.path}", error.message) from None


def write_pairs(stream: Writable, pairs: Iterable[Scored]) -> int:
    """Scored pairs as CSV with a header (OUTPUT_COLUMNS); returns how many were written."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    count = 0
    for pair in pairs:
        agreed = ";".join(f"{a.field}:{a.level}" for a in pair.agreed)
        disagreed = ";".join(
            f"{a.field}:{a.level}" for a in pair.agreements if a not in pair.agreed
        )
        writer.writerow((pair.left, pair.right, f"{pair.score:.2f}", agreed, disagreed))
        count += 1
    return count
