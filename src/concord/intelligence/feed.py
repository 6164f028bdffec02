"""What each organisation's TAXII feed holds, and how a reader's page of it is read.

Disseminating a report publishes its STIX objects into the feed of every organisation it is
shared with; recalling it publishes its tombstone (the revoked version) into the same feeds.
Every row gets a `date_added` from the organisation's `FeedClock`, allocated under that row's
lock, so dates only grow in commit order and a reader resuming after a date misses nothing.

Reading goes through the access policy again: a row is served only while its report is visible
to the reader (a tombstone always is, to the organisations it was shared with), so a share
ended, a need-to-know list set or vetting lapsed takes effect at once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from concord.intelligence.models import FeedClock, FeedObject, IntelReport
from concord.intelligence.signing import canonical
from concord.organisations.models import Organisation
from concord.threats.models import Entity, Nominal, Ocg

TICK = dt.timedelta(microseconds=1)
OBSERVABLE_VERSION = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# Objects that define rather than report: never sensitive, shared by every report.
DEFINITIONS = frozenset({"marking-definition", "extension-definition"})


def is_definition(obj: Any) -> bool:
    """Marking and extension definitions, and an originating organisation's own identity (the
    only identity without a creator). A business a report names is an identity too, created
    by the originator: it is the report's, and read only with it."""
    return obj.type in DEFINITIONS or (obj.type == "identity" and "created_by_ref" not in obj)


def _rows(
    objects: Iterable[Any], report: IntelReport
) -> list[tuple[str, str, dt.datetime, bool, str]]:
    rows = []
    for obj in objects:
        data = json.loads(obj.serialize())
        # Cyber observables carry no version of their own: they never change.
        version = obj.get("modified") or obj.get("created") or OBSERVABLE_VERSION
        rows.append(
            (
                obj.id,
                obj.type,
                version,
                is_definition(obj),
                canonical(data).decode(),
            )
        )
    return rows


def _publish(
    report: IntelReport,
    organisations: Iterable[Organisation],
    rows: list[tuple[str, str, dt.datetime, bool, str]],
    *,
    tombstone: bool = False,
) -> int:
    made = 0
    for organisation in sorted(organisations, key=lambda o: o.pk):
        clock, _created = FeedClock.objects.select_for_update().get_or_create(
            organisation=organisation, defaults={"last": timezone.now() - TICK}
        )
        at = max(timezone.now(), clock.last + TICK)
        feed = []
        for stix_id, kind, version, definition, body in rows:
            feed.append(
                FeedObject(
                    organisation=organisation,
                    stix_id=stix_id,
                    kind=kind,
                    version=version,
                    date_added=at,
                    report=None if definition else report,
                    tombstone=tombstone and kind == "report",
                    body=body,
                )
            )
            at += TICK
        FeedObject.objects.bulk_create(feed, ignore_conflicts=True)
        clock.last = at
        clock.save(update_fields=["last"])
        made += len(feed)
    return made


def publish(
    report: IntelReport,
    organisations: Iterable[Organisation],
    ocgs: list[Ocg],
    nominals: Iterable[Nominal] = (),
    entities: Iterable[Entity] = (),
) -> int:
    """Put the report's objects in these organisations' feeds (a version already there stays
    as it was). Runs in the caller's transaction."""
    assert transaction.get_connection().in_atomic_block, "publish inside the share's transaction"
    from concord.intelligence import stix  # stix2 is slow to import: only when publishing

    return _publish(
        report, organisations, _rows(stix.report_objects(report, ocgs, nominals, entities), report)
    )


def publish_tombstone(report: IntelReport, organisations: Iterable[Organisation]) -> int:
    assert transaction.get_connection().in_atomic_block, "publish inside the recall's transaction"
    from concord.intelligence import stix

    return _publish(report, organisations, _rows([stix.tombstone(report)], report), tombstone=True)


def readable(
    user: Any,
    *,
    owners: QuerySet[Organisation] | None = None,
    peer_id: int | None = None,
) -> QuerySet[FeedObject]:
    """The rows of the reader's organisation's feed the reader may see now.

    `owners` narrows to reports owned by those organisations (a sharing group's collection);
    a peer's own account is never served back what came from a peer."""
    organisation = user.acting_organisation()
    visible = IntelReport.objects.visible_to(user).values("pk")
    rows = FeedObject.objects.filter(organisation=organisation).filter(
        Q(report__isnull=True) | Q(tombstone=True) | Q(report__in=visible)
    )
    if owners is not None:
        rows = rows.filter(Q(report__isnull=True) | Q(report__owner__in=owners))
    if peer_id is not None:
        rows = rows.filter(Q(report__isnull=True) | Q(report__origin__isnull=True))
    return rows


def latest_only(rows: QuerySet[FeedObject]) -> QuerySet[FeedObject]:
    """Only the newest version of each object among these rows' organisation's (TAXII's
    default match[version]=last)."""
    newer = FeedObject.objects.filter(
        organisation=OuterRef("organisation"),
        stix_id=OuterRef("stix_id"),
        version__gt=OuterRef("version"),
    )
    return rows.filter(~Exists(newer))


def envelope_text(
    bodies: list[str], *, more: bool, next_token: str | None, extra: dict[str, str]
) -> str:
    """A TAXII envelope in canonical form, built from canonical bodies without parsing them
    ("more" < "next" < "objects" < "x_..." is already sorted order)."""
    head: dict[str, Any] = {"more": more}
    if next_token is not None:
        head["next"] = next_token
    start = canonical(head).decode()[:-1]
    tail = canonical(dict(sorted(extra.items()))).decode()[1:-1]
    return f'{start},"objects":[{",".join(bodies)}]' + (f",{tail}" if tail else "") + "}"
