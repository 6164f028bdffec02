"""Releases, as data: which earlier state of Concord an upgrade is drilled from.

Concord has no release tags; a release is a commit of main that was deployed. The upgrade
drill (tests/core/test_drill.py, docs/operations.md "Upgrade") takes PREVIOUS_RELEASE's own
source from the git history, runs its migrations and its demo seeding on a fresh PostgreSQL
database, then runs today's `concord migrate` over that database and checks that today's code
reads the data and `concord audit verify` still passes. When a release is deployed, move
PREVIOUS_RELEASE to it, so that every upgrade path is drilled before it ships.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Release:
    name: str
    commit: str  # the full commit of main
    landed: str  # ISO date
    note: str


PREVIOUS_RELEASE = Release(
    name="2026-12-02",
    commit="172118d2008044c4342c4e4b440bc6252cafec30",
    landed="2026-12-02",
    note=(
        "main at the end of the capabilities work (issue 12), before production serving, "
        "background tasks, deconfliction, referrals and insight landed"
    ),
)
