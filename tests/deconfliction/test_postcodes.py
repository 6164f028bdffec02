"""Where postcodes are, from the operator's copy of the postcode directory: `concord deconflict
postcodes FILE` loads each unit's point and each district's centre, all or nothing and the same
again changing nothing; a deployment given by postcode is placed by it, offline."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from concord.deconfliction.models import PostcodePoint
from concord.deconfliction.places import DISTRICTS, point_of
from tests.deconfliction.helpers import deployment, operation

pytestmark = pytest.mark.django_db

# The ONS Postcode Directory's columns (a few of its many), as an operator downloads it.
DIRECTORY = """pcd,pcd2,pcds,dointr,doterm,lat,long,osgrdind
TS1  1AA,TS1  1AA,TS1 1AA,198001,,54.575,-1.235,1
TS1  1AB,TS1  1AB,TS1 1AB,198001,,54.577,-1.237,1
TS2  1AA,TS2  1AA,TS2 1AA,198001,,54.581,-1.245,1
ZZ99 3VZ,ZZ99 3VZ,ZZ99 3VZ,198001,,99.999999,0.000000,9
TS3  1XX,TS3  1XX,TS3 1XX,198001,,,,9
"""


def load(tmp_path: Path, text: str, *args: str) -> str:
    path = tmp_path / "onspd.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("deconflict", "postcodes", str(path), "--no-progress", *args, stdout=out)
    return out.getvalue()


def test_the_directory_places_units_and_districts_and_loads_again_unchanged(tmp_path):
    assert "TS1" not in DISTRICTS
    assert point_of("TS1 1AA") is None
    said = load(tmp_path, DIRECTORY)
    assert "3 postcodes and 2 district centres loaded; 2 rows without" in said
    assert point_of("ts11aa") == (54.575, -1.235)
    # A unit not in the directory is placed at its district's centre (the mean of its units).
    lat, lon = point_of("TS1 9ZZ") or (0.0, 0.0)
    assert lat == pytest.approx(54.576)
    assert lon == pytest.approx(-1.236)
    assert point_of("ZZ99 3VZ") is None
    # Districts the directory does not cover keep the built-in centres.
    assert point_of("M5 4WT") == DISTRICTS["M5"]
    before = sorted(PostcodePoint.objects.values_list("postcode", "latitude", "longitude"))
    load(tmp_path, DIRECTORY)
    assert sorted(PostcodePoint.objects.values_list("postcode", "latitude", "longitude")) == before
    assert len(before) == 5


def test_a_deployment_given_by_postcode_is_placed_by_the_directory(tmp_path):
    load(tmp_path, DIRECTORY)
    placed, _hits = deployment(operation("gmp.sio"), postcode="TS2 1AA")
    assert (placed.latitude, placed.longitude) == (54.581, -1.245)


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        (DIRECTORY, ("--latitude-column", "latitude"), "no column 'latitude' (--latitude-column)"),
        (DIRECTORY.replace("TS2 1AA,198001", "NOT A CODE,198001"), (), "line 4, column pcds"),
        (DIRECTORY.replace("54.581", "north"), (), "line 4, column lat/long"),
    ],
)
def test_a_bad_file_names_its_line_and_column_and_changes_nothing(tmp_path, text, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load(tmp_path, text, *args)
    assert not PostcodePoint.objects.exists()
