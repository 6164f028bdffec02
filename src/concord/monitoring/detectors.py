"""Detectors: each looks at a newly committed audit entry and may raise an explained alert."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractHour
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from concord.core.models import AuditAction, AuditEntry
from concord.core.text import normalise_name
from concord.monitoring.choices import AlertKind
from concord.monitoring.models import Alert, AlertRule, DeclaredAssociation

logger = logging.getLogger("concord.monitoring")

RECORD_ACCESS = (
    AuditAction.VIEW,
    AuditAction.LIST,
    AuditAction.SEARCH,
    AuditAction.EXPORT,
    AuditAction.DOWNLOAD,
)
# Bulk viewing counts records opened and pages of lists shown.
BULK_VIEWING = (AuditAction.VIEW, AuditAction.LIST)
# A list counts as one view for each page of this many rows it showed (a page of a list page;
# a long API list counts as the pages it would have taken), so paging through a register, or
# taking it in one long API list, is bulk viewing, and one page of a list is not.
LIST_PAGE_ROWS = 50


RULE_CACHE_SECONDS = 30
HISTORY_CACHE_SECONDS = 3600


def _rule(kind: str) -> AlertRule | None:
    """The enabled rule of a kind; rules are read at most every 30 s per process."""
    rules = cache.get("concord:alert-rules")
    if rules is None:
        rules = {rule.kind: rule for rule in AlertRule.objects.all()}
        cache.set("concord:alert-rules", rules, RULE_CACHE_SECONDS)
    rule = rules.get(kind)
    return rule if rule is not None and rule.enabled else None


def _alerted_key(kind: str, actor_id: int | None) -> str:
    return f"concord:alerted:{kind}:{actor_id}"


@transaction.atomic
def _raise(
    kind: str, entry: AuditEntry, explanation: str, evidence: list[int], dedupe_minutes: int
) -> Alert | None:
    """Raise an alert unless one of the same kind for the person is open within the window
    (checked in the database here; remembered in the cache for the detectors' quick check)."""
    from concord.organisations.models import User

    if entry.actor_id is None:
        return None
    person = User.objects.filter(pk=entry.actor_id).select_related("organisation").first()
    if person is None:
        return None
    since = timezone.now() - dt.timedelta(minutes=dedupe_minutes)
    if Alert.objects.open().filter(person=person, kind=kind, raised_at__gte=since).exists():
        cache.set(_alerted_key(kind, entry.actor_id), timezone.now(), dedupe_minutes * 60)
        return None
    alert = Alert.objects.create(
        kind=kind,
        person=person,
        organisation=person.acting_organisation(),
        explanation=explanation,
        evidence=evidence,
    )
    cache.set(_alerted_key(kind, entry.actor_id), alert.raised_at, dedupe_minutes * 60)
    logger.warning(
        "alert %s raised", alert.pk, extra={"alert_kind": kind, "person": person.username}
    )
    return alert


def _already_alerted(entry: AuditEntry, kind: str, since: dt.datetime) -> bool:
    """Whether this process raised (or found) an alert of the kind for the person within the
    window: a cache read, not a query. If the cache has forgotten, `_raise` still checks the
    database before raising, so a burst never gets two alerts."""
    raised = cache.get(_alerted_key(kind, entry.actor_id))
    return raised is not None and raised >= since


def _list_pages(lists: list[tuple[dict[str, Any], str]]) -> int:
    """How many views a person's lists (detail, object type) count as: each different list
    (type, filters and position) counts once per LIST_PAGE_ROWS rows it showed, at least once."""
    pages: dict[str, int] = {}
    for detail, object_type in lists:
        position = detail.get("page", detail.get("offset", ""))
        key = json.dumps([object_type, detail.get("filters", {}), position], sort_keys=True)
        rows = detail.get("rows")
        shown = rows if isinstance(rows, int) and rows > 0 else 0
        pages[key] = max(pages.get(key, 0), max(1, math.ceil(shown / LIST_PAGE_ROWS)))
    return sum(pages.values())


def bulk_viewing(entry: AuditEntry) -> Alert | None:
    if entry.action not in BULK_VIEWING or (rule := _rule(AlertKind.BULK_VIEWING)) is None:
        return None
    since = entry.at - dt.timedelta(minutes=rule.window_minutes)
    if _already_alerted(entry, AlertKind.BULK_VIEWING, since):
        return None  # one alert per burst: no need to count again on every view
    seen = AuditEntry.objects.filter(
        actor_id=entry.actor_id, action__in=BULK_VIEWING, at__gte=since, at__lte=entry.at
    )
    views = seen.filter(action=AuditAction.VIEW)
    # order_by(): the entries' default ordering (by id) would make every view distinct.
    distinct = views.order_by().values("object_type", "object_id").distinct().count()
    lists = list(seen.filter(action=AuditAction.LIST).values_list("detail", "object_type"))
    pages = _list_pages(lists)
    if distinct + pages < rule.threshold:
        return None
    values = {
        "user": entry.actor_username,
        "n": distinct,
        "pages": pages,
        "rows": LIST_PAGE_ROWS,
        "minutes": rule.window_minutes,
        "threshold": rule.threshold,
    }
    if pages:
        explanation = (
            _(
                "%(user)s viewed %(n)s different records and %(pages)s pages of lists (of up to "
                "%(rows)s rows) in %(minutes)s minutes (the threshold is %(threshold)s)."
            )
            % values
        )
    else:
        explanation = (
            _(
                "%(user)s viewed %(n)s different records in %(minutes)s minutes (the threshold "
                "is %(threshold)s)."
            )
            % values
        )
    return _raise(
        AlertKind.BULK_VIEWING,
        entry,
        explanation,
        list(seen.order_by("-id").values_list("id", flat=True)[:200]),
        rule.window_minutes,
    )


def _names_in(entry: AuditEntry) -> list[str]:
    texts = [str(entry.detail.get("query", ""))]
    texts.extend(str(name) for name in entry.detail.get("subject_names", []))
    return [normalise_name(t) for t in texts if t]


def _matches(text: str, name: str) -> bool:
    """A declared or own name matches when all its words appear in the searched text."""
    words = name.split()
    haystack = set(text.split())
    return bool(words) and (name in text or all(word in haystack for word in words))


def association_search(entry: AuditEntry) -> Alert | None:
    if entry.action not in RECORD_ACCESS or entry.actor_id is None:
        return None
    if (rule := _rule(AlertKind.ASSOCIATION_SEARCH)) is None:
        return None
    texts = _names_in(entry)
    if not texts:
        return None
    from concord.organisations.models import User

    person = User.objects.filter(pk=entry.actor_id).first()
    if person is None:
        return None
    candidates: list[tuple[str, str]] = []
    own = normalise_name(person.get_full_name())
    if own:
        candidates.append((own, _("their own name")))
    for declared in DeclaredAssociation.objects.filter(person_id=entry.actor_id):
        candidates.append(
            (
                declared.normalised_name,
                _("a declared %(relationship)s")
                % {"relationship": declared.get_relationship_display().lower()},
            )
        )
    for name, what in candidates:
        if any(_matches(text, name) for text in texts):
            return _raise(
                AlertKind.ASSOCIATION_SEARCH,
                entry,
                _("%(user)s searched for or opened a record naming %(what)s.")
                % {"user": entry.actor_username, "what": what},
                [entry.pk],
                rule.window_minutes,
            )
    return None


def out_of_pattern(entry: AuditEntry) -> Alert | None:
    if entry.action not in RECORD_ACCESS or entry.actor_id is None:
        return None
    if (rule := _rule(AlertKind.OUT_OF_PATTERN)) is None:
        return None
    zone = timezone.get_default_timezone()
    # A person's working pattern over 28 days barely moves within an hour: computed once an
    # hour per person, not on every view.
    key = f"concord:hours:{entry.actor_id}:{entry.at:%Y%m%d%H}"
    history = cache.get(key)
    if history is None:
        since = entry.at - dt.timedelta(days=28)
        history = dict(
            AuditEntry.objects.filter(
                actor_id=entry.actor_id, at__gte=since, at__lt=entry.at, action__in=RECORD_ACCESS
            )
            .annotate(hour=ExtractHour("at", tzinfo=zone))
            .values("hour")
            .annotate(n=Count("id"))
            .values_list("hour", "n")
        )
        cache.set(key, history, HISTORY_CACHE_SECONDS)
    total = sum(history.values())
    if total < rule.min_history:
        return None
    hour = entry.at.astimezone(zone).hour
    share = 100 * history.get(hour, 0) / total
    if share >= rule.rare_share_percent:
        return None
    return _raise(
        AlertKind.OUT_OF_PATTERN,
        entry,
        _(
            "%(user)s worked at %(hour)02d:00, an hour with %(share).1f%% of their activity over "
            "the last 28 days (%(total)s events)."
        )
        % {"user": entry.actor_username, "hour": hour, "share": share, "total": total},
        [entry.pk],
        24 * 60,
    )


def probing(entry: AuditEntry) -> Alert | None:
    if entry.action != AuditAction.NOT_FOUND or (rule := _rule(AlertKind.PROBING)) is None:
        return None
    since = entry.at - dt.timedelta(minutes=rule.window_minutes)
    if _already_alerted(entry, AlertKind.PROBING, since):
        return None
    misses = AuditEntry.objects.filter(
        actor_id=entry.actor_id, action=AuditAction.NOT_FOUND, at__gte=since, at__lte=entry.at
    )
    count = misses.count()
    if count < rule.threshold:
        return None
    return _raise(
        AlertKind.PROBING,
        entry,
        _(
            "%(user)s asked for %(n)s things that were not found (or not theirs to see) in "
            "%(minutes)s minutes."
        )
        % {"user": entry.actor_username, "n": count, "minutes": rule.window_minutes},
        list(misses.order_by("-id").values_list("id", flat=True)[:200]),
        rule.window_minutes,
    )


def expired_vetting(entry: AuditEntry) -> Alert | None:
    if entry.action not in (AuditAction.SIGN_IN_FAILED, AuditAction.TOKEN_REFUSED):
        return None
    if entry.detail.get("why") != "vetting_expired" or entry.actor_id is None:
        return None
    if (rule := _rule(AlertKind.EXPIRED_VETTING)) is None:
        return None
    how = _("an API token") if entry.action == AuditAction.TOKEN_REFUSED else _("signing in")
    return _raise(
        AlertKind.EXPIRED_VETTING,
        entry,
        _("%(user)s tried to get in by %(how)s after their vetting expired.")
        % {"user": entry.actor_username, "how": how},
        [entry.pk],
        rule.window_minutes,
    )


# What deconfliction calls a check in the audit trail (a SEARCH of this object type; its detail
# carries a keyed fingerprint of what was checked and whether the operation is the person's own
# work). Read here as data: monitoring sits above deconfliction and imports none of it.
DECONFLICTION_CHECK = "deconfliction.check"
# The same subject checked this many times in the window is repeated checking.
REPEATED_CHECKS = 3


def deconfliction_fishing(entry: AuditEntry) -> Alert | None:
    """Bulk checks on operations that are not the person's work, or one subject checked again
    and again: a person using deconfliction to look people up."""
    if entry.action != AuditAction.SEARCH or entry.object_type != DECONFLICTION_CHECK:
        return None
    if (rule := _rule(AlertKind.DECONFLICTION_FISHING)) is None:
        return None
    since = entry.at - dt.timedelta(minutes=rule.window_minutes)
    if _already_alerted(entry, AlertKind.DECONFLICTION_FISHING, since):
        return None
    checks = list(
        AuditEntry.objects.filter(
            actor_id=entry.actor_id,
            action=AuditAction.SEARCH,
            object_type=DECONFLICTION_CHECK,
            at__gte=since,
            at__lte=entry.at,
        ).values_list("id", "detail")
    )
    outside = [pk for pk, detail in checks if not detail.get("own_work", True)]
    fingerprint = entry.detail.get("fingerprint")
    repeated = [
        pk for pk, detail in checks if fingerprint and detail.get("fingerprint") == fingerprint
    ]
    values = {"user": entry.actor_username, "minutes": rule.window_minutes}
    if len(repeated) >= REPEATED_CHECKS:
        explanation = _("%(user)s checked the same subject %(n)s times in %(minutes)s minutes.") % {
            **values,
            "n": len(repeated),
        }
        evidence = repeated
    elif rule.threshold and len(outside) >= rule.threshold:
        explanation = _(
            "%(user)s made %(n)s deconfliction checks on operations that are not their own work "
            "in %(minutes)s minutes (the threshold is %(threshold)s)."
        ) % {**values, "n": len(outside), "threshold": rule.threshold}
        evidence = outside
    else:
        return None
    return _raise(
        AlertKind.DECONFLICTION_FISHING,
        entry,
        explanation,
        sorted(evidence, reverse=True)[:200],
        rule.window_minutes,
    )


DETECTORS: list[Callable[[AuditEntry], Alert | None]] = [
    bulk_viewing,
    association_search,
    out_of_pattern,
    probing,
    expired_vetting,
    deconfliction_fishing,
]


# What any detector looks at; other entries (a bulk ingest's creations) queue no task.
WATCHED = frozenset(
    {*RECORD_ACCESS, AuditAction.NOT_FOUND, AuditAction.SIGN_IN_FAILED, AuditAction.TOKEN_REFUSED}
)


def run_detectors(entry: AuditEntry) -> None:
    """Run every detector on a committed entry. Their reads need no transaction; an alert is
    written in its own (`_raise`), so one detector's failure never undoes another's alert."""
    for detector in DETECTORS:
        try:
            detector(entry)
        except Exception:
            logger.exception("monitoring: %s failed on entry %s", detector.__name__, entry.pk)


@task()
def detect(entry_id: int) -> None:
    """The detectors on one committed audit entry, as a background task (off the request)."""
    entry = AuditEntry.objects.filter(pk=entry_id).first()
    if entry is not None:
        run_detectors(entry)


def on_audit_entry(sender: Any, entry: AuditEntry, **kwargs: Any) -> None:
    """Once an entry is committed, queue the detectors for it if any detector watches it."""
    if entry.action in WATCHED and entry.actor_id is not None:
        detect.enqueue(entry_id=entry.pk)
