"""Postcodes to points, offline: the approximate centre of each postcode district that the
demo world and the tests use (a production instance loads the full district table from its own
copy of the public postcode data), and the distance between two points."""

from __future__ import annotations

import math

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


def point_of(postcode: str) -> tuple[float, float] | None:
    """The point of a postcode's district, or None where the postcode or district is unknown."""
    found = normalise.postcode(postcode)
    if found is None:
        return None
    outward = found.text.split(" ")[0]
    return DISTRICTS.get(outward)


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
