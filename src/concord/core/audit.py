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
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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
    action: str,
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
        action=action,
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
    entry.save(force_insert=True)
    transaction.on_commit(_seal_soon)
    transaction.on_commit(lambda: _announce(entry))
    return entry


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
            rows = [
                (entry_id, mac)
                for entry_id, mac in AuditEntry.objects.filter(id__gt=floor)
                .order_by("id")
                .values_list("id", "mac")
                .iterator(chunk_size=batch)
                if entry_id not in already
            ][:batch]
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

    @property
    def ok(self) -> bool:
        return not self.problem


def _fail(result: VerifyResult, message: str, entry_id: int | None = None) -> VerifyResult:
    result.problem = message
    result.broken_entry = entry_id
    return result


# verify() rebuilds each entry's MAC message from its row as the driver returns it. The text
# columns arrive as str, which is already their canonical form; the others are converted here by
# the same rules as _canonical, without its per-value dispatch (this loop runs once per entry).
_JSON_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
)  # the encoder json.dumps builds on each call in _canonical


def _canonical_json_column(raw: Any) -> str:
    """_canonical of a JSON column as read back (text on PostgreSQL and SQLite)."""
    if raw == "{}":
        return "{}"
    value = json.loads(raw) if isinstance(raw, str) else raw
    if isinstance(value, dict | list):
        return _JSON_ENCODER.encode(value)
    return _canonical(value)


def _canonical_at_column(raw: Any) -> str:
    """_canonical of `at` as read back: an aware datetime (PostgreSQL) or ISO text (SQLite)."""
    at = raw
    if isinstance(at, str):
        at = datetime.fromisoformat(at).replace(tzinfo=UTC)
    elif at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if isinstance(at, datetime):
        utc = at.astimezone(UTC)
        if utc.year >= 1000:  # strftime's %Y is not zero-padded below 1000
            # Same text as strftime("%Y-%m-%dT%H:%M:%S.%fZ"), at a fraction of the cost.
            return utc.isoformat(timespec="microseconds")[:-6] + "Z"
    return _canonical(at)


def _at_columns(at: str) -> tuple[str, str]:
    """SQL for `at` in verify(): (its canonical text, or NULL; the raw value where that is NULL).

    On PostgreSQL the database formats `at` as _canonical does, in UTC with microseconds, so
    that work overlaps with hashing; only for years 1000 to 9999, where to_char's YYYY and
    strftime's %Y agree. Any other value (and every value on SQLite) is read raw and converted
    in Python.
    """
    if connection.vendor != "postgresql":
        return "NULL", at
    in_range = f"{at} >= '1000-01-01T00:00:00Z' AND {at} < '10000-01-01T00:00:00Z'"
    text = f"to_char({at} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    return f"CASE WHEN {in_range} THEN {text} END", f"CASE WHEN {in_range} THEN NULL ELSE {at} END"


def _prefetched(cursor: Any, chunk: int) -> Iterator[list[Any]]:
    """The cursor's rows `chunk` at a time, fetching the next chunk while this one is checked.

    The database's share of the work (reading and sending rows) then overlaps with hashing.
    Only the fetching thread touches the cursor while the walk runs.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-verify") as pool:
        pending = pool.submit(cursor.fetchmany, chunk)
        while rows := pending.result():
            pending = pool.submit(cursor.fetchmany, chunk)
            yield rows


def _seal_members(
    cursor: Any, table: str, intervals: list[tuple[int, int, int]], index: int
) -> set[int]:
    """The entry ids verify() counted towards seal `index` (re-read, only to name a missing one)."""
    cursor.execute(f"SELECT id FROM {table} ORDER BY id")  # noqa: S608  # our table name
    members: set[int] = set()
    interval_pos = 0
    for (entry_id,) in cursor.fetchall():
        while interval_pos < len(intervals) and intervals[interval_pos][1] < entry_id:
            interval_pos += 1
        if (
            interval_pos < len(intervals)
            and intervals[interval_pos][0] <= entry_id
            and intervals[interval_pos][2] == index
        ):
            members.add(entry_id)
    return members


def verify(chunk: int = 20000) -> VerifyResult:
    """Walk every entry and seal; report the first broken entry, if any."""
    result = VerifyResult()
    key = _key()
    seals = list(
        AuditSeal.objects.order_by("id").values_list(
            "id", "entry_ranges", "entry_count", "prev_hash", "hash"
        )
    )
    # Which seal each entry id belongs to, as sorted intervals.
    intervals: list[tuple[int, int, int]] = []
    expected_prev = GENESIS
    for index, (seal_id, ranges, _count, prev_hash, seal_digest) in enumerate(seals):
        if prev_hash != expected_prev:
            return _fail(
                result,
                f"seal {seal_id}: the chain is broken (its previous hash does "
                "not match the seal before it)",
            )
        expected_prev = seal_digest
        intervals.extend((low, high, index) for low, high in decode_ranges(ranges))
    intervals.sort()
    # Each seal's hash is built as its entries stream past in id order (the order seal_hash
    # takes them in), so memory does not grow with the size of the trail.
    digests = [hashlib.sha256(prev_hash.encode()) for _, _, _, prev_hash, _ in seals]
    counts = [0] * len(seals)
    firsts: list[int | None] = [None] * len(seals)

    quote = connection.ops.quote_name
    table = quote(AuditEntry._meta.db_table)
    at_text, at_raw = _at_columns(quote("at"))
    columns = [quote(c) if c != "at" else at_text for c in ["id", *MAC_FIELDS, "mac"]]
    # names from our model
    sql = f"SELECT {', '.join(columns)}, {at_raw} FROM {table} ORDER BY id"  # noqa: S608
    at_pos = MAC_FIELDS.index("at")
    changes_pos = MAC_FIELDS.index("changes")
    detail_pos = MAC_FIELDS.index("detail")
    actor_pos = MAC_FIELDS.index("actor_id")
    ip_pos = MAC_FIELDS.index("ip")
    separator = "\x1f"
    keyed = hmac.new(key, digestmod=hashlib.sha256)  # as mac_for, copied for each entry
    compare = hmac.compare_digest
    # The interval the walk has reached, held in locals; past the last one, nothing is sealed.
    no_more = (float("inf"), float("inf"), -1)
    interval_pos = 0
    cur_low, cur_high, seal_index = intervals[0] if intervals else no_more
    # One snapshot for the whole walk; PostgreSQL allows choosing it only as a transaction
    # starts, so inside a caller's transaction (a test, ATOMIC_REQUESTS) verify runs in theirs.
    starts_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and starts_transaction:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # A server-side cursor on PostgreSQL: rows arrive `chunk` at a time, not all at once.
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql)
            for rows in _prefetched(cursor, chunk):
                for row in rows:
                    entry_id = row[0]
                    mac = row[-2]
                    parts = list(row[1:-2])
                    if parts[at_pos] is None:  # not formatted by the database (see _at_columns)
                        parts[at_pos] = _canonical_at_column(row[-1])
                    if (raw := parts[changes_pos]) != "{}":
                        parts[changes_pos] = _canonical_json_column(raw)
                    if (raw := parts[detail_pos]) != "{}":
                        parts[detail_pos] = _canonical_json_column(raw)
                    value = parts[actor_pos]
                    parts[actor_pos] = (
                        "" if value is None else str(value) if type(value) is int else value
                    )
                    value = parts[ip_pos]
                    parts[ip_pos] = "" if value is None else value
                    try:
                        message = separator.join(parts)
                    except TypeError:  # a value of another type: the general rule
                        message = separator.join(_canonical(part) for part in parts)
                    check = keyed.copy()  # the HMAC with its key already set up
                    check.update(message.encode())
                    if not compare(check.hexdigest(), mac):
                        return _fail(
                            result,
                            f"entry {entry_id}: its content does not match its MAC "
                            "(edited, or inserted out of band)",
                            entry_id,
                        )
                    if cur_high < entry_id:
                        while (
                            interval_pos < len(intervals) and intervals[interval_pos][1] < entry_id
                        ):
                            interval_pos += 1
                        cur_low, cur_high, seal_index = (
                            intervals[interval_pos] if interval_pos < len(intervals) else no_more
                        )
                    if cur_low <= entry_id:
                        digests[seal_index].update(f"{entry_id}:{mac}\n".encode())
                        counts[seal_index] += 1
                        if firsts[seal_index] is None:
                            firsts[seal_index] = entry_id
                    else:
                        result.unsealed += 1
                    result.entries += 1
        for index, (seal_id, ranges, count, _prev_hash, seal_digest) in enumerate(seals):
            if counts[index] != count:
                with connection.cursor() as cursor:  # same snapshot as the walk
                    present = _seal_members(cursor, table, intervals, index)
                missing = next(
                    (
                        i
                        for low, high in decode_ranges(ranges)
                        for i in range(low, high + 1)
                        if i not in present
                    ),
                    None,
                )
                return _fail(
                    result, f"entry {missing}: missing from seal {seal_id} (deleted)", missing
                )
            if digests[index].hexdigest() != seal_digest:
                return _fail(
                    result,
                    f"seal {seal_id}: its entries do not hash to the sealed value "
                    "(replaced or reordered)",
                    firsts[index],
                )
            result.seals += 1
    return result


def record_view(actor: Any, obj: Any, *, reason: str = "") -> AuditEntry:
    """Audit that `actor` viewed `obj`."""
    return record(AuditAction.VIEW, actor=actor, obj=obj, reason=reason)


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
    raise NotImplementedError(f"no audit triggers for {vendor}")  # only SQLite and PostgreSQL


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
