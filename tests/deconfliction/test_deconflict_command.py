"""`concord deconflict`: two small files linked through a column mapping, one deduplicated, and
bad input refused with a message naming the file, line and column."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

LEFT = """ref,first,last,birth,mobile,plate,pc
A1,William,Jones,07/03/1988,07700 900123,CY12 SOB,SA31 1AB
A2,Carys,Evans,1990-11-21,,,
A3,Gareth,Price,1975-01-30,07700 900999,,CF10 1AA
"""
RIGHT = """id,given,family,dob,phone,vrm
B1,Bill,Jones,1988-07-03,+44 7700 900123,
B2,Siân,Roberts,1966-05-05,,
B3,Carys,Evans,1990-11-21,07700 900555;07700 900556,
"""
MAP = "id=ref,given_name=first,surname=last,dob=birth,phone=mobile,vrm=plate,postcode=pc"
RIGHT_MAP = "given_name=given,surname=family"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_link_writes_scored_pairs_with_both_ids_and_what_agreed(tmp_path: Path) -> None:
    left = write(tmp_path, "left.csv", LEFT)
    right = write(tmp_path, "right.csv", RIGHT)
    out = tmp_path / "pairs.csv"
    call_command(
        "deconflict", "link", str(left), str(right), "--map", MAP, "--right-map", RIGHT_MAP,
        "--out", str(out), stderr=io.StringIO(),
    )  # fmt: skip
    pairs = rows(out.read_text())
    assert [(p["left_id"], p["right_id"]) for p in pairs] == [("A1", "B1"), ("A2", "B3")]
    jones = pairs[0]
    assert set(jones["agreed"].split(";")) == {
        "given_name:nickname",
        "surname:exact",
        "dob:day_month",
        "phone:exact",
    }
    assert float(jones["score"]) >= 14
    assert pairs[1]["agreed"] == "given_name:exact;surname:exact;dob:exact"
    assert pairs[1]["disagreed"] == ""  # A2 has no phone to disagree with B3's two


def test_dedupe_writes_to_stdout_and_a_threshold_filters(tmp_path: Path) -> None:
    both = (
        LEFT
        + "\n".join(
            line.replace(",07/03/1988,", ",1988-03-07,")
            for line in ["A9,Will,Jones,07/03/1988,,,SA311AB"]
        )
        + "\n"
    )
    path = write(tmp_path, "people.csv", both)
    out, err = io.StringIO(), io.StringIO()
    call_command("deconflict", "dedupe", str(path), "--map", MAP, stdout=out, stderr=err)
    pairs = rows(out.getvalue())
    assert [(p["left_id"], p["right_id"]) for p in pairs] == [("A1", "A9")]
    assert "1 pairs at or above 14." in err.getvalue()
    strict = io.StringIO()
    call_command(
        "deconflict", "dedupe", str(path), "--map", MAP, "--threshold", "60", "--no-progress",
        stdout=strict,
    )  # fmt: skip
    assert rows(strict.getvalue()) == []


@pytest.mark.parametrize(
    ("map_text", "message"),
    [
        ("id=ref,shoe=size", "'shoe' is not a field"),
        ("id=ref,given_name", "must be field=column"),
        ("id=ref,surname=last,surname=first", "'surname' is mapped twice"),
        ("id=ref,surname=lastname", "left.csv: has no column 'lastname' (for surname)"),
        ("given_name=first", "left.csv: needs an id column"),
    ],
)
def test_a_bad_map_is_refused_naming_the_problem(
    tmp_path: Path, map_text: str, message: str
) -> None:
    left = write(tmp_path, "left.csv", LEFT)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("deconflict", "dedupe", str(left), "--map", map_text, stdout=io.StringIO())


def test_the_right_file_is_read_with_the_left_map_unless_told(tmp_path: Path) -> None:
    left, right = write(tmp_path, "left.csv", LEFT), write(tmp_path, "right.csv", RIGHT)
    with pytest.raises(CommandError, match=re.escape("right.csv: has no column 'ref' (for id)")):
        call_command("deconflict", "link", str(left), str(right), "--map", MAP)
    bad = re.escape("--right-map: --map[0]: must be field=column")
    with pytest.raises(CommandError, match=bad):
        call_command("deconflict", "link", str(left), str(right), "--map", MAP, "--right-map", "x")


def test_an_unreadable_date_names_the_line_and_column(tmp_path: Path) -> None:
    left = write(tmp_path, "left.csv", LEFT.replace("1990-11-21", "21st Nov"))
    with pytest.raises(
        CommandError, match=re.escape("left.csv line 3, column birth: cannot read '21st Nov'")
    ):
        call_command("deconflict", "dedupe", str(left), "--map", MAP, stdout=io.StringIO())


def test_an_empty_id_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    left = write(tmp_path, "left.csv", LEFT.replace("A2,", ","))
    empty_id = re.escape("left.csv line 3, column ref: the id is empty")
    with pytest.raises(CommandError, match=empty_id):
        call_command("deconflict", "dedupe", str(left), "--map", MAP, stdout=io.StringIO())
    with pytest.raises(CommandError, match="No such file"):
        call_command("deconflict", "dedupe", str(tmp_path / "nope.csv"), stdout=io.StringIO())
    empty = write(tmp_path, "empty.csv", "")
    with pytest.raises(CommandError, match=re.escape("empty.csv: is empty")):
        call_command("deconflict", "dedupe", str(empty), stdout=io.StringIO())
