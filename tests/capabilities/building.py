"""Building capacity for tests: a unit of one capability staffed with full-time posts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from concord.capabilities import services


def staffed_unit(
    actor: Any,
    organisation: Any,
    stream: Any,
    posts: int,
    *,
    capability: str = "technical-surveillance",
    name: str = "",
    prefix: str = "",
    starts: dt.date = dt.date(2024, 4, 1),
    ends: dt.date | None = None,
    vetting: str = "DV",
) -> Any:
    """A unit of `capability` with `posts` filled full-time posts at 37 hours, each paid
    wholly by `stream`."""
    unit = services.save_unit(
        actor=actor,
        organisation=organisation,
        capability=services.capability(capability),
        name=name or f"{organisation.code} {capability}",
    )
    for n in range(posts):
        services.save_post(
            actor=actor,
            unit=unit,
            details=services.PostDetails(
                reference=f"{prefix or organisation.code}-{n}",
                role="Specialist officer",
                fte="1",
                hours="37",
                vetting=vetting,
                starts=starts,
                ends=ends,
            ),
            funding=[(stream, "1")],
        )
    return unit
