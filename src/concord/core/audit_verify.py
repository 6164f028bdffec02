"""Verifying the audit trail (`concord audit verify`): every entry's MAC and every seal's hash.

One walk reads the entries in id order, checks each entry's MAC and adds its id and MAC to the
hash of the seal it belongs to. A long trail on PostgreSQL is split into id ranges walked at
once by forked processes that all read one exported snapshot; their parts are joined in id
order, so the outcome, and the first broken entry it names, is the same as one walk's.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from concord.core.audit import (
    GENESIS,
    MAC_FIELDS,
    VerifyResult,
    _canonical,
    _fail,
    _key,
    decode_ranges,
)
from concord.core.models import AuditEntry, AuditSeal

# A trail spanning fewer ids than this is walked by one process: starting another costs more.
PARALLEL_MIN = 50_000
MAX_PROCESSES = 8

Bounds = tuple[int | None, int | None]  # ids from (inclusive) and to (exclusive); None: no end


@dataclass(frozen=True)
class _Seal:
    id: int
    ranges: str
    count: int
    prev_hash: str
    hash: str


@dataclass
class _Plan:
    """The seals, and which seal each entry id belongs to."""

    seals: list[_Seal]
    intervals: list[tuple[int, int, int]]  # (low, high, seal index), sorted
    extents: list[tuple[int, int]]  # each seal's lowest and highest id

    def within(self, index: int, bounds: Bounds) -> bool:
        """Whether all of seal `index`'s ids lie inside `bounds`."""
        low, high = bounds
        first, last = self.extents[index]
        return (low is None or first >= low) and (high is None or last < high)


@dataclass
class _Part:
    """One id range's share of the walk (sent back by a worker process, so plain data)."""

    bounds: Bounds
    entries: int = 0
    unsealed: int = 0
    broken_entry: int | None = None  # the range's first entry that does not match its MAC
    counts: dict[int, int] = field(default_factory=dict)  # seal index: its entries seen here
    firsts: dict[int, int] = field(default_factory=dict)  # seal index: its first entry here
    # Seals wholly inside the range are hashed here; those reaching past it hand back their
    # lines ("id:mac\n", in id order) to be hashed with the other ranges' lines.
    digests: dict[int, str] = field(default_factory=dict)
    pieces: dict[int, list[bytes]] = field(default_factory=dict)


def verify(chunk: int = 20000, *, ranges: int | None = None) -> VerifyResult:
    """Walk every entry and seal; report the first broken entry, if any.

    `ranges` splits the walk into that many id ranges (default: one per CPU for a long trail on
    PostgreSQL, else one). On PostgreSQL outside a transaction each range has its own process;
    otherwise they are walked one after another, to the same result.
    """
    db = connections[DEFAULT_DB_ALIAS]
    result = VerifyResult()
    # One snapshot for the whole walk; PostgreSQL allows choosing it only as a transaction
    # starts, so inside a caller's transaction (a test, ATOMIC_REQUESTS) verify runs in theirs.
    starts_transaction = not db.in_atomic_block
    postgres = db.vendor == "postgresql"
    with transaction.atomic(using=db.alias):
        if postgres and starts_transaction:
            with db.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        seals = [
            _Seal(*row)
            for row in AuditSeal.objects.using(db.alias)
            .order_by("id")
            .values_list("id", "entry_ranges", "entry_count", "prev_hash", "hash")
        ]
        expected_prev = GENESIS
        for seal in seals:
            if seal.prev_hash != expected_prev:
                return _fail(
                    result,
                    f"seal {seal.id}: the chain is broken (its previous hash does "
                    "not match the seal before it)",
                )
            expected_prev = seal.hash
        plan = _plan(seals)
        forking = postgres and starts_transaction and hasattr(os, "fork")
        bounds = _split(db, ranges, forking)
        if forking and len(bounds) > 1:
            parts = _walk_in_processes(db, plan, bounds, chunk)
            result.processes = len(bounds)
        else:
            parts = []
            for each in bounds:
                parts.append(_walk(db, plan, each, chunk))
                if parts[-1].broken_entry is not None:
                    break  # later ranges cannot hold an earlier break
        return _join(db, plan, parts, result)


def _plan(seals: list[_Seal]) -> _Plan:
    intervals: list[tuple[int, int, int]] = []
    extents: list[tuple[int, int]] = []
    for index, seal in enumerate(seals):
        own = list(decode_ranges(seal.ranges))
        intervals.extend((low, high, index) for low, high in own)
        extents.append((min(low for low, _ in own), max(high for _, high in own)))
    intervals.sort()
    return _Plan(seals, intervals, extents)


def _split(db: BaseDatabaseWrapper, ranges: int | None, forking: bool) -> list[Bounds]:
    """Id ranges of about equal span covering every entry (the first and last left open)."""
    if ranges == 1 or (ranges is None and not forking):
        return [(None, None)]
    with db.cursor() as cursor:
        table = db.ops.quote_name(AuditEntry._meta.db_table)
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table}")  # noqa: S608  # our table name
        first, last = cursor.fetchone()
    if first is None:
        return [(None, None)]
    span = last - first + 1
    if ranges is None:
        ranges = _cpus() if span >= PARALLEL_MIN else 1
    cuts = sorted({first + span * i // ranges for i in range(1, ranges)} - {first})
    edges: list[int | None] = [None, *cuts, None]
    return list(itertools.pairwise(edges))


def _cpus() -> int:
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return max(1, min(len(usable) if usable else os.cpu_count() or 1, MAX_PROCESSES))


# --- one range ------------------------------------------------------------------------------

# The walk rebuilds each entry's MAC message from its row as the driver returns it. The text
# columns arrive as str, which is already their canonical form; the others are converted here by
# the same rules as audit._canonical, without its per-value dispatch (this runs once per entry).
_JSON_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
)  # the encoder json.dumps builds on each call in _canonical
SEPARATOR = "\x1f"  # between the fields of a MAC message (audit.mac_for)
_AT = MAC_FIELDS.index("at")
_CHANGES = MAC_FIELDS.index("changes")
_DETAIL = MAC_FIELDS.index("detail")
_ACTOR = MAC_FIELDS.index("actor_id")
_IP = MAC_FIELDS.index("ip")
# _postgres_messages rebuilds a message as uid, at, the fields up to changes, changes, detail and
# the fields after detail.
assert MAC_FIELDS[:2] == ("uid", "at")
assert _DETAIL == _CHANGES + 1


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


def _entries_sql(db: BaseDatabaseWrapper, bounds: Bounds) -> tuple[str, list[int]]:
    """The query for one range: id and mac, then what _postgres_messages or _column_messages
    make the MAC message from."""
    quote = db.ops.quote_name
    if db.vendor == "postgresql":
        # The database joins the plain fields as mac_for does (NULL as "", like _canonical;
        # concat() gives a number or an address in its output form, as the driver reads it), so
        # fewer columns cross the wire. `at` is formatted there too, in UTC with microseconds;
        # only for years 1000 to 9999, where to_char's YYYY and strftime's %Y agree: any other
        # value is read raw and converted in Python.
        def plain(name: str) -> str:
            field = AuditEntry._meta.get_field(name)
            textual = field.get_internal_type() in ("CharField", "TextField")
            return f"coalesce({quote(name)}, '')" if textual else f"concat({quote(name)})"

        def joined(names: tuple[str, ...]) -> str:
            return "concat_ws(E'\\x1f', " + ", ".join(plain(name) for name in names) + ")"

        at = quote("at")
        in_range = f"{at} >= '1000-01-01T00:00:00Z' AND {at} < '10000-01-01T00:00:00Z'"
        formatted = f"to_char({at} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        columns = [
            quote("id"),
            quote("mac"),
            plain("uid"),
            f"CASE WHEN {in_range} THEN {formatted} END",
            f"CASE WHEN {in_range} THEN NULL ELSE {at} END",
            joined(MAC_FIELDS[_AT + 1 : _CHANGES]),
            quote("changes"),
            quote("detail"),
            joined(MAC_FIELDS[_DETAIL + 1 :]),
        ]
    else:
        columns = [quote(c) for c in ["id", "mac", *MAC_FIELDS]]
    conditions, params = [], []
    for bound, test in zip(bounds, (">=", "<"), strict=True):
        if bound is not None:
            conditions.append(f"{quote('id')} {test} %s")
            params.append(bound)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    table = quote(AuditEntry._meta.db_table)
    # names from our model
    sql = f"SELECT {', '.join(columns)} FROM {table}{where} ORDER BY id"  # noqa: S608
    return sql, params


def _postgres_messages(rows: list[Any]) -> list[bytes]:
    """The MAC message of each row read by _entries_sql on PostgreSQL."""
    messages = []
    for _id, _mac, uid, at, at_raw, before, changes, detail, after in rows:
        if at is None:
            at = _canonical_at_column(at_raw)
        if changes != "{}":
            changes = _canonical_json_column(changes)
        if detail != "{}":
            detail = _canonical_json_column(detail)
        messages.append(f"{uid}\x1f{at}\x1f{before}\x1f{changes}\x1f{detail}\x1f{after}".encode())
    return messages


def _column_messages(rows: list[Any]) -> list[bytes]:
    """The MAC message of each row read by _entries_sql elsewhere (a column per field)."""
    messages = []
    for row in rows:
        fields = list(row[2:])
        fields[_AT] = _canonical_at_column(fields[_AT])
        fields[_CHANGES] = _canonical_json_column(fields[_CHANGES])
        fields[_DETAIL] = _canonical_json_column(fields[_DETAIL])
        value = fields[_ACTOR]
        fields[_ACTOR] = "" if value is None else str(value) if type(value) is int else value
        value = fields[_IP]
        fields[_IP] = "" if value is None else value
        try:
            message = SEPARATOR.join(fields)
        except TypeError:  # a value of another type: the general rule
            message = SEPARATOR.join(_canonical(value) for value in fields)
        messages.append(message.encode())
    return messages


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


def _walk(db: BaseDatabaseWrapper, plan: _Plan, bounds: Bounds, chunk: int) -> _Part:
    """Check the entries in one id range; stop at the first that does not match its MAC."""
    part = _Part(bounds)
    hashes: dict[int, hashlib._Hash] = {}  # seal index: its running hash, if inside the range

    def sink_for(index: int) -> Callable[[bytes], object]:
        """Where the walk puts the lines of seal `index`: its hash, or its pieces."""
        if plan.within(index, bounds):
            if index not in hashes:
                hashes[index] = hashlib.sha256(plan.seals[index].prev_hash.encode())
            return hashes[index].update
        return part.pieces.setdefault(index, []).append

    sql, params = _entries_sql(db, bounds)
    messages_of = _postgres_messages if db.vendor == "postgresql" else _column_messages
    keyed = hmac.new(_key(), digestmod=hashlib.sha256)  # as mac_for, copied for each entry
    intervals = plan.intervals
    # The interval the walk has reached, held in locals; past the last one, nothing is sealed.
    # Each entry id belongs to the first interval (in sorted order) not ending below it, so
    # wherever a range starts, its entries go to the same seals as in one walk.
    no_more = (float("inf"), float("inf"), -1)
    interval_pos = 0
    cur_low, cur_high, seal_index = intervals[0] if intervals else no_more
    sink = sink_for(seal_index) if intervals else _nowhere
    run = run_first = 0  # entries counted towards the current interval, and the first of them
    entries = unsealed = 0
    # A server-side cursor on PostgreSQL: rows arrive `chunk` at a time, not all at once.
    with db.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        for rows in _prefetched(cursor, chunk):
            for row, message in zip(rows, messages_of(rows), strict=True):
                entry_id = row[0]
                mac = row[1]
                check = keyed.copy()  # the HMAC with its key already set up
                check.update(message)
                # Not compare_digest: the stored MACs are there for anyone who can read the
                # table, and this check answers no one's guesses; a plain != also copes with a
                # MAC column overwritten with anything at all.
                if check.hexdigest() != mac:
                    part.broken_entry = entry_id
                    break
                if cur_high < entry_id:
                    if run:
                        _tally(part, seal_index, run, run_first)
                        run = 0
                    while interval_pos < len(intervals) and intervals[interval_pos][1] < entry_id:
                        interval_pos += 1
                    if interval_pos < len(intervals):
                        cur_low, cur_high, seal_index = intervals[interval_pos]
                        sink = sink_for(seal_index)
                    else:
                        cur_low, cur_high, seal_index = no_more
                if cur_low <= entry_id:
                    sink(f"{entry_id}:{mac}\n".encode())
                    if not run:
                        run_first = entry_id
                    run += 1
                else:
                    unsealed += 1
                entries += 1
            if part.broken_entry is not None:
                break
    if run:
        _tally(part, seal_index, run, run_first)
    part.entries, part.unsealed = entries, unsealed
    for index in range(len(plan.seals)):
        if plan.within(index, bounds):
            digest = hashes.get(index) or hashlib.sha256(plan.seals[index].prev_hash.encode())
            part.digests[index] = digest.hexdigest()
    return part


def _nowhere(line: bytes) -> None:
    """The sink of a walk with no seals (never called: no entry falls in a seal)."""


def _tally(part: _Part, index: int, count: int, first: int) -> None:
    part.counts[index] = part.counts.get(index, 0) + count
    part.firsts.setdefault(index, first)


# --- ranges in processes ----------------------------------------------------------------------


def _walk_in_processes(
    db: BaseDatabaseWrapper, plan: _Plan, bounds: list[Bounds], chunk: int
) -> list[_Part]:
    """Walk the first range here and each other in a forked process, all on this snapshot."""
    with db.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
    context = multiprocessing.get_context("fork")
    workers: list[tuple[BaseProcess, Connection]] = []
    received = 0
    try:
        for each in bounds[1:]:
            reader, writer = context.Pipe(duplex=False)
            worker: BaseProcess = context.Process(
                target=_work,
                args=(writer, snapshot, plan, each, chunk),
                name=f"audit-verify-{each[0]}",
                daemon=True,
            )
            worker.start()
            writer.close()
            workers.append((worker, reader))
        parts = [_walk(db, plan, bounds[0], chunk)]
        for worker, reader in workers:
            if parts[-1].broken_entry is not None:
                break  # later ranges cannot hold an earlier break
            parts.append(_receive(worker, reader))
            received += 1
        return parts
    finally:
        for position, (worker, reader) in enumerate(workers):
            if position >= received and worker.is_alive():
                worker.terminate()  # its result is not needed
            worker.join()
            reader.close()


def _receive(worker: BaseProcess, reader: Connection) -> _Part:
    try:
        message = reader.recv()
    except EOFError:
        worker.join()
        raise RuntimeError(
            f"audit verify: worker {worker.name} ended without a result "
            f"(exit code {worker.exitcode})"
        ) from None
    if isinstance(message, str):
        raise RuntimeError(f"audit verify: worker {worker.name} failed:\n{message}")
    assert isinstance(message, _Part)
    return message


def _work(writer: Connection, snapshot: str, plan: _Plan, bounds: Bounds, chunk: int) -> None:
    """In a forked process: walk one range on a connection of its own, in the given snapshot.

    The connection inherited from the parent is left alone (closing it would end the parent's
    session); the process ends with os._exit, which does not finalise it either.
    """
    try:
        inherited = connections[DEFAULT_DB_ALIAS]
        db = type(inherited)(inherited.settings_dict, inherited.alias)
        try:
            db.set_autocommit(False)
            with db.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            part = _walk(db, plan, bounds, chunk)
            db.rollback()
        finally:
            db.close()
        writer.send(part)
    except BaseException:
        writer.send(traceback.format_exc())
    finally:
        writer.close()


# --- joining the ranges -----------------------------------------------------------------------


def _join(
    db: BaseDatabaseWrapper, plan: _Plan, parts: list[_Part], result: VerifyResult
) -> VerifyResult:
    """The ranges' parts, in id order, checked as one walk checks: MACs first, then each seal."""
    for part in parts:
        result.entries += part.entries
        result.unsealed += part.unsealed
        if part.broken_entry is not None:
            return _fail(
                result,
                f"entry {part.broken_entry}: its content does not match its MAC "
                "(edited, or inserted out of band)",
                part.broken_entry,
            )
    for index, seal in enumerate(plan.seals):
        if sum(part.counts.get(index, 0) for part in parts) != seal.count:
            present = _seal_members(db, plan, index)
            missing = next(
                (
                    i
                    for low, high in decode_ranges(seal.ranges)
                    for i in range(low, high + 1)
                    if i not in present
                ),
                None,
            )
            return _fail(result, f"entry {missing}: missing from seal {seal.id} (deleted)", missing)
        digest = next((part.digests[index] for part in parts if index in part.digests), None)
        if digest is None:  # the seal reaches across ranges: hash its lines from each, in order
            joined = hashlib.sha256(seal.prev_hash.encode())
            for part in parts:
                joined.update(b"".join(part.pieces.get(index, ())))
            digest = joined.hexdigest()
        if digest != seal.hash:
            first = next((part.firsts[index] for part in parts if index in part.firsts), None)
            return _fail(
                result,
                f"seal {seal.id}: its entries do not hash to the sealed value "
                "(replaced or reordered)",
                first,
            )
        result.seals += 1
    return result


def _seal_members(db: BaseDatabaseWrapper, plan: _Plan, index: int) -> set[int]:
    """The entry ids the walk counted towards seal `index` (re-read, only to name a missing one)."""
    intervals = plan.intervals
    table = db.ops.quote_name(AuditEntry._meta.db_table)
    with db.cursor() as cursor:  # same snapshot as the walk
        cursor.execute(f"SELECT id FROM {table} ORDER BY id")  # noqa: S608  # our table name
        ids = [entry_id for (entry_id,) in cursor.fetchall()]
    members: set[int] = set()
    interval_pos = 0
    for entry_id in ids:
        while interval_pos < len(intervals) and intervals[interval_pos][1] < entry_id:
            interval_pos += 1
        if (
            interval_pos < len(intervals)
            and intervals[interval_pos][0] <= entry_id
            and intervals[interval_pos][2] == index
        ):
            members.add(entry_id)
    return members
