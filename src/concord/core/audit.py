"""The tamper-evident audit trail: record, seal into a hash chain, verify.

Each entry is written in the same transaction as what it records, with an HMAC over its content
under a key that is not in the database (`CONCORD_AUDIT_KEY`), so a row edited or inserted with
raw SQL no longer matches. After commit, entries are sealed in small batches: each seal hashes
the previous seal's hash with its entries' ids and MACs, so deleting, replacing or reordering a
sealed entry breaks the chain. Requests never wait for one another: writing an entry takes no
lock, and sealing is skipped by whoever finds another sealer at work (PostgreSQL advisory lock).
Database triggers refuse UPDATE and DELETE on both tables.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import itertools
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.ipv6 import clean_ipv6_address

from concord.core import context, signals
from concord.core.models import AuditAction, AuditEntry, AuditSeal

logger = logging.getLogger("concord.audit")

GENESIS = "0" * 64
SEAL_BATCH = 2000
# Entries whose transaction committed after a later batch was sealed are picked up by looking
# back this many ids past the last seal.
LOOKBACK = 5000
ADVISORY_LOCK = 0x434F4E43  # "CONC"

MAC_FIELDS = (
    "uid",
    "at",
    "actor_id",
    "actor_username",
    "organisation_code",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "owner_code",
    "changes",
    "detail",
    "reason",
    "source",
    "ip",
    "user_agent",
    "request_id",
)


def _key() -> bytes:
    return str(settings.AUDIT_KEY).encode()


def _canonical(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dict | list):
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        )
    return "" if value is None else str(value)


def mac_for(values: Iterable[Any], key: bytes | None = None) -> str:
    """HMAC-SHA256 over an entry's fields in MAC_FIELDS order."""
    message = "\x1f".join(_canonical(v) for v in values).encode()
    return hmac.new(key or _key(), message, hashlib.sha256).hexdigest()


def _as_jsonb_reads(text: str) -> float | int:
    """A JSON float as PostgreSQL's jsonb gives it back, so the MAC covers what verify reads.

    jsonb keeps numbers as numerics: it writes 1e+16 out as 10000000000000000 (read back as an
    int) and -0.0 as 0.0. Other floats come back as they went in.
    """
    if "e+" in text:
        return int(Decimal(text))
    return float(text) + 0.0  # -0.0 + 0.0 is 0.0


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str), parse_float=_as_jsonb_reads) if value else {}


def record(
    action: AuditAction,
    *,
    actor: Any = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    owner_code: str = "",
    changes: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one audit entry in the current transaction (it rolls back with the change)."""
    entry = build(
        action,
        actor=actor,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        owner_code=owner_code,
        changes=changes,
        detail=detail,
        reason=reason,
    )
    entry.save(force_insert=True)
    transaction.on_commit(_seal_soon)
    transaction.on_commit(lambda: _announce(entry))
    return entry


def record_many(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Append entries made by `build` in one insert (a bulk change, such as a bundle taken in
    from a peer), in the current transaction; each is announced once committed."""
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    transaction.on_commit(_seal_soon)

    def announce() -> None:
        for entry in entries:
            _announce(entry)

    transaction.on_commit(announce)
    return entries


def build(
    action: AuditAction,
    *,
    actor: Any = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    owner_code: str = "",
    changes: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """An audit entry, with its MAC, not yet written (`record` and `record_many` write).

    `action` must be a member of AuditAction, the fixed vocabulary (a plain string is refused,
    even one equal to a member's value, so every event is named where it is written).
    """
    checked_action = checked(action)
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or getattr(obj, "audit_label", str(obj))[:200]
        owner = getattr(obj, "owner", None)
        owner_code = owner_code or (owner.code if owner is not None else "")
    organisation_code = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        organisation_code = actor.acting_organisation().code
    entry = AuditEntry(
        at=datetime.now(UTC),
        actor_id=actor.pk if actor is not None and actor.pk else None,
        actor_username=getattr(actor, "username", "") or "",
        organisation_code=organisation_code,
        action=checked_action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:200],
        owner_code=owner_code,
        changes=_json_safe(changes),
        detail=_json_safe(detail),
        reason=reason or ctx.reason,
        source=ctx.source,
        ip=_normalise_ip(ctx.ip),
        user_agent=ctx.user_agent[:300],
        request_id=ctx.request_id,
        uid=uuid.uuid4().hex,
    )
    if ctx.via:
        entry.detail = {**entry.detail, "via": ctx.via}
    entry.mac = mac_for(getattr(entry, f) for f in MAC_FIELDS)
    return entry


def checked(action: object) -> AuditAction:
    """`action` if it is a member of the audit vocabulary, else a ValueError naming it."""
    if not isinstance(action, AuditAction):
        raise ValueError(
            f"{action!r} is not an audit action: use a member of "
            "concord.core.models.AuditAction (add one there, with a migration, for a new event)"
        )
    return action


def _announce(entry: AuditEntry) -> None:
    try:
        signals.audit_entry_committed.send(sender=AuditEntry, entry=entry)
    except Exception:  # monitoring must never break the request it watches
        logger.exception("audit: a receiver failed for entry %s", entry.pk)


def _normalise_ip(ip: str | None) -> str | None:
    """The form the database keeps, so the MAC computed now matches what verify reads."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    # IPv6 as GenericIPAddressField stores it: Django writes an IPv4-mapped address as
    # ::ffff:192.0.2.1 (Python before 3.13: ::ffff:c000:201) and drops any %zone.
    return clean_ipv6_address(str(address)) if address.version == 6 else str(address)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The changed fields as {field: [before, after]}."""
    return {
        k: [before.get(k), after.get(k)]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A record's concrete field values, for before/after in the audit trail."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _json_safe({"v": getattr(obj, name)})["v"] for name in names}


# --- sealing -------------------------------------------------------------------------------

_last_seal_attempt = 0.0
_seal_lock = threading.Lock()


def _seal_soon() -> None:
    """After a commit: seal pending entries, at most once a second per process."""
    global _last_seal_attempt  # a per-process throttle
    now = time.monotonic()
    with _seal_lock:
        if now - _last_seal_attempt < settings.AUDIT_SEAL_INTERVAL:
            return
        _last_seal_attempt = now
    try:
        seal_pending()
    except Exception:  # sealing is retried on the next commit; never fail the request
        logger.exception("audit: sealing failed; will retry")


def encode_ranges(ids: list[int]) -> str:
    """[1,2,3,5,7,8] -> "1-3,5,7-8"."""
    parts: list[str] = []
    start = prev = ids[0]
    for i in ids[1:]:
        if i == prev + 1:
            prev = i
            continue
        parts.append(f"{start}-{prev}" if prev != start else str(start))
        start = prev = i
    parts.append(f"{start}-{prev}" if prev != start else str(start))
    return ",".join(parts)


def decode_ranges(text: str) -> Iterator[tuple[int, int]]:
    for part in text.split(","):
        if "-" in part:
            low, high = part.split("-")
            yield int(low), int(high)
        else:
            yield int(part), int(part)


def seal_hash(prev_hash: str, rows: Iterable[tuple[int, str]]) -> str:
    digest = hashlib.sha256(prev_hash.encode())
    for entry_id, mac in rows:
        digest.update(f"{entry_id}:{mac}\n".encode())
    return digest.hexdigest()


def _try_lock() -> bool:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK])
            return bool(cursor.fetchone()[0])
    return True  # SQLite: the write transaction itself is exclusive


def seal_pending(batch: int = SEAL_BATCH) -> int:
    """Seal committed, unsealed entries in batches; returns how many were sealed."""
    sealed = 0
    while True:
        with transaction.atomic():
            if not _try_lock():
                return sealed
            last = AuditSeal.objects.order_by("-id").first()
            prev_hash = last.hash if last else GENESIS
            floor = max(0, (last.last_entry_id if last else 0) - LOOKBACK)
            already: set[int] = set()
            for seal in AuditSeal.objects.filter(last_entry_id__gt=floor).only("entry_ranges"):
                for low, high in decode_ranges(seal.entry_ranges):
                    if high > floor:
                        already.update(range(max(low, floor + 1), high + 1))
            pending = (
                (entry_id, mac)
                for entry_id, mac in AuditEntry.objects.filter(id__gt=floor)
                .order_by("id")
                .values_list("id", "mac")
                .iterator(chunk_size=batch)
                if entry_id not in already
            )
            rows = list(itertools.islice(pending, batch))  # read no further than the batch
            pending.close()
            if not rows:
                return sealed
            ids = [entry_id for entry_id, _ in rows]
            seal = AuditSeal.objects.create(
                entry_ranges=encode_ranges(ids),
                first_entry_id=ids[0],
                last_entry_id=ids[-1],
                entry_count=len(ids),
                prev_hash=prev_hash,
                hash=seal_hash(prev_hash, rows),
            )
            sealed += len(ids)
            # The hash is logged too, so a copy outside the database anchors the chain.
            logger.info(
                "audit seal %s",
                seal.pk,
                extra={
                    "seal_id": seal.pk,
                    "seal_hash": seal.hash,
                    "entries": len(ids),
                    "last_entry_id": ids[-1],
                },
            )
        if len(rows) < batch:
            return sealed


# --- verification --------------------------------------------------------------------------


@dataclass
class VerifyResult:
    entries: int = 0
    seals: int = 0
    unsealed: int = 0
    problem: str = ""
    broken_entry: int | None = None
    processes: int = field(default=1, compare=False)  # how many walked the trail at once

    @property
    def ok(self) -> bool:
        return not self.problem


def _fail(result: VerifyResult, message: str, entry_id: int | None = None) -> VerifyResult:
    result.problem = message
    result.broken_entry = entry_id
    return result


def verify(chunk: int = 20000, *, ranges: int | None = None) -> VerifyResult:
    """Walk every entry and seal; report the first broken entry, if any (core/audit_verify.py)."""
    from concord.core import audit_verify  # it builds on this module

    return audit_verify.verify(chunk, ranges=ranges)


def record_view(actor: Any, obj: Any, *, reason: str = "") -> AuditEntry:
    """Audit that `actor` viewed `obj`."""
    return record(AuditAction.VIEW, actor=actor, obj=obj, reason=reason)


def record_list(
    actor: Any,
    *,
    object_type: str,
    rows: Iterable[Any],
    filters: dict[str, Any] | None = None,
    count: int | None = None,
    **position: Any,
) -> AuditEntry:
    """Audit that `actor` was shown a list of protected records (LIST): the filters used, how
    many rows were returned and their ids (as a VIEW's object_id), how many matched, and where
    in the list (page, or offset and limit)."""
    ids = [str(row.pk) for row in rows]
    return record(
        AuditAction.LIST,
        actor=actor,
        object_type=object_type,
        detail={
            "filters": filters or {},
            "rows": len(ids),
            "count": len(ids) if count is None else count,
            "ids": ids,
            **position,
        },
    )


# --- triggers ------------------------------------------------------------------------------

AUDIT_TABLES = ("core_auditentry", "core_auditseal")


def trigger_sql(vendor: str, table: str) -> list[str]:
    """SQL that makes `table` refuse UPDATE and DELETE (append-only)."""
    if vendor == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION concord_audit_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, "
            "TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END; $$ LANGUAGE plpgsql",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION concord_audit_append_only()",
        ]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_update",
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: UPDATE refused'); END",
            f"DROP TRIGGER IF EXISTS {table}_no_delete",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: DELETE refused'); END",
        ]
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"Concord runs on SQLite or PostgreSQL; it has no append-only audit triggers for {vendor}"
    )


def drop_trigger_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
    ]


def install_triggers(conn: Any = None) -> None:
    conn = conn or connection
    with conn.cursor() as cursor:
        for table in AUDIT_TABLES:
            for statement in trigger_sql(conn.vendor, table):
                cursor.execute(statement)


def drop_triggers(conn: Any = None) -> None:
    """For test teardown only: lets the test runner empty the tables between tests."""
    conn = conn or connection
    with conn.cursor() as cursor:
        for table in AUDIT_TABLES:
            for statement in drop_trigger_sql(conn.vendor, table):
                cursor.execute(statement)
