"""Postcodes to points, offline, and the distance between two points.

A postcode is placed by the table an operator loads from their own copy of the public postcode
directory (`concord deconflict postcodes`, `load_points`): the unit's own point, else its
district's centre; where nothing is loaded, by the approximate district centres below, which
the demo world and the tests use."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from concord.deconfliction.matching import normalise

# Postcode district -> (latitude, longitude), approximate centres.
DISTRICTS: dict[str, tuple[float, float]] = {
    # Greater Manchester
    "M1": (53.4780, -2.2360),
    "M3": (53.4830, -2.2500),
    "M4": (53.4850, -2.2260),
    "M5": (53.4830, -2.2850),
    "M6": (53.4920, -2.3000),
    "M8": (53.5080, -2.2380),
    "M14": (53.4470, -2.2250),
    "OL1": (53.5430, -2.1130),
    "OL8": (53.5300, -2.1200),
    "BL1": (53.5850, -2.4450),
    "WN1": (53.5480, -2.6270),
    "SK1": (53.4080, -2.1500),
    # The North West
    "L1": (53.4040, -2.9800),
    "PR1": (53.7590, -2.6990),
    "WA1": (53.3900, -2.5900),
    "CH1": (53.1910, -2.8910),
    "CA1": (54.8930, -2.9330),
    "LA1": (54.0470, -2.8010),
    # Wales
    "SA31": (51.8580, -4.3100),
    "SA15": (51.6820, -4.1620),
    "SA61": (51.8010, -4.9690),
    "SA1": (51.6210, -3.9440),
    "SY23": (52.4150, -4.0830),
    "SY16": (52.5130, -3.3130),
    "LD3": (51.9470, -3.3910),
    "CF10": (51.4760, -3.1770),
    "NP20": (51.5880, -2.9980),
    "LL11": (53.0460, -2.9930),
    "LL57": (53.2270, -4.1290),
    # Elsewhere
    "B1": (52.4780, -1.9060),
    "LS1": (53.7970, -1.5460),
    "S1": (53.3810, -1.4700),
    "NE1": (54.9710, -1.6120),
    "BS1": (51.4540, -2.5920),
    "EC1A": (51.5200, -0.1000),
    "SW1A": (51.5010, -0.1420),
    "NW1": (51.5320, -0.1430),
    "E1": (51.5160, -0.0600),
}

EARTH_RADIUS_M = 6_371_000.0
# The National Grid's reach, with a margin: a point outside is no point (the postcode
# directory writes 99.999999 where a postcode has no grid reference).
SOUTH, NORTH, WEST, EAST = 49.0, 61.5, -9.0, 2.5
BATCH = 5000


@dataclass(frozen=True)
class Loaded:
    """What a load stored: unit postcodes, district centres, and rows without a point."""

    units: int
    districts: int
    without_point: int


class PostcodeFileError(ValueError):
    """A postcode file that cannot be loaded: the message names the file, line and column."""


def load_points(
    stream: IO[str],
    *,
    source: str,
    postcode_column: str = "pcds",
    latitude_column: str = "lat",
    longitude_column: str = "long",
    progress: Callable[[int], object] | None = None,
) -> Loaded:
    """Load a postcode directory (the ONS Postcode Directory's columns by default) into
    `PostcodePoint`: each unit's point, then each district's centre (the mean of its units).
    All or nothing, and loading the same file again changes nothing. A row whose postcode or
    coordinates are not one is refused by line and column; one with no grid reference (no
    coordinates, or the directory's 99.999999) is counted and left out."""
    from django.db import transaction

    from concord.deconfliction.models import PostcodePoint

    reader = csv.DictReader(stream)
    header = reader.fieldnames or []
    for option, column in (
        ("--postcode-column", postcode_column),
        ("--latitude-column", latitude_column),
        ("--longitude-column", longitude_column),
    ):
        if column not in header:
            raise PostcodeFileError(
                f"{source}: no column {column!r} ({option}); the columns are "
                f"{', '.join(header[:12]) or 'none'}"
            )
    sums: dict[str, list[float]] = {}
    units = without = 0
    batch: list[PostcodePoint] = []

    def store(rows: list[PostcodePoint]) -> None:
        PostcodePoint.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["latitude", "longitude"],
        )

    with transaction.atomic():
        for line, row in enumerate(reader, start=2):
            found = normalise.postcode(row[postcode_column] or "")
            if found is None:
                raise PostcodeFileError(
                    f"{source}, line {line}, column {postcode_column}: "
                    f"{(row[postcode_column] or '')[:20]!r} is not a postcode"
                )
            latitude, longitude = row[latitude_column], row[longitude_column]
            if not (latitude or "").strip() or not (longitude or "").strip():
                without += 1
                continue
            try:
                point = (float(latitude), float(longitude))
            except ValueError:
                raise PostcodeFileError(
                    f"{source}, line {line}, column {latitude_column}/{longitude_column}: "
                    f"{latitude[:20]!r}, {longitude[:20]!r} are not coordinates"
                ) from None
            if not (SOUTH <= point[0] <= NORTH and WEST <= point[1] <= EAST):
                without += 1
                continue
            batch.append(PostcodePoint(postcode=found.text, latitude=point[0], longitude=point[1]))
            district = sums.setdefault(found.outward, [0.0, 0.0, 0])
            district[0] += point[0]
            district[1] += point[1]
            district[2] += 1
            units += 1
            if len(batch) >= BATCH:
                store(batch)
                batch = []
                if progress:
                    progress(BATCH)
        store(batch)
        if progress and batch:
            progress(len(batch))
        store(
            [
                PostcodePoint(postcode=code, latitude=lat / n, longitude=lon / n)
                for code, (lat, lon, n) in sorted(sums.items())
            ]
        )
    return Loaded(units=units, districts=len(sums), without_point=without)


def point_of(postcode: str) -> tuple[float, float] | None:
    """The point of a postcode (its own, or its district's centre), or None where the
    postcode or its district is unknown."""
    from concord.deconfliction.models import PostcodePoint

    found = normalise.postcode(postcode)
    if found is None:
        return None
    rows = PostcodePoint.objects.filter(postcode__in=[found.text, found.outward])
    loaded = {
        code: (lat, lon) for code, lat, lon in rows.values_list("postcode", "latitude", "longitude")
    }
    return loaded.get(found.text) or loaded.get(found.outward) or DISTRICTS.get(found.outward)


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle (haversine) distance between two points, in metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def box(point: tuple[float, float], metres: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a box holding every point within `metres` of `point`."""
    lat, lon = point
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    dlon = math.degrees(metres / (EARTH_RADIUS_M * max(0.01, math.cos(math.radians(lat)))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
