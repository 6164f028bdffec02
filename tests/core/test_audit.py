"""The audit trail: what an entry records, the append-only triggers, and tamper detection.

Tampering is done as an attacker with database access would: raw SQL against the real tables,
with the append-only triggers dropped for the test (they come back, and the test's transaction
rolls everything back, when it ends).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from concord.core import audit, audit_verify, context
from concord.core.models import AuditAction, AuditEntry, AuditSeal
from concord.organisations.models import User
from concord.threats.models import Ocg
from tests.factories import organisation

pytestmark = pytest.mark.django_db

ENTRIES = "core_auditentry"
SEALS = "core_auditseal"
# Every column of an entry but its id, uid and mac: what a forger copies from a genuine row.
CONTENT = ", ".join(f for f in audit.MAC_FIELDS if f != "uid")

Execute = Callable[..., int]


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    """Run one raw statement; the number of rows it touched."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def scalar(sql: str, params: Sequence[Any] = ()) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


class RolledBackError(Exception):
    """Raised at the end of a rolled_back() block."""


@contextmanager
def rolled_back() -> Iterator[None]:
    """A transaction that fails at its end, as a request that errors after its writes does."""
    with suppress(RolledBackError), transaction.atomic():
        yield
        raise RolledBackError


def skip_an_id() -> int:
    """Use up the next entry id without a row, as a transaction still open (or rolled back) does.

    PostgreSQL hands ids out from a sequence; SQLite's AUTOINCREMENT keeps the high-water mark
    in sqlite_sequence.
    """
    if connection.vendor == "postgresql":
        return scalar("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [ENTRIES])
    execute("UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = %s", [ENTRIES])
    return scalar("SELECT seq FROM sqlite_sequence WHERE name = %s", [ENTRIES])


def view(actor: User, n: int) -> AuditEntry:
    return audit.record(
        AuditAction.VIEW,
        actor=actor,
        object_type="threats.ocg",
        object_id=str(n),
        object_repr=f"OCG-DYP-{n:06d}",
        reason="Preparing the tasking briefing",
    )


def forge(entry_id: int | None, like: AuditEntry) -> int:
    """Insert a plausible entry: a genuine row's content, a fresh uid and a made-up MAC."""
    made_up_mac = audit.mac_for(["a guess"], key=b"not the audit key")
    columns = f"{CONTENT}, uid, mac"
    if entry_id is None:  # wherever the database puts it: after the end
        execute(
            f"INSERT INTO {ENTRIES} ({columns}) "  # noqa: S608  # our table names
            f"SELECT {CONTENT}, %s, %s FROM {ENTRIES} WHERE id = %s",
            ["f" * 32, made_up_mac, like.pk],
        )
        return scalar(f"SELECT MAX(id) FROM {ENTRIES}")  # noqa: S608
    execute(
        f"INSERT INTO {ENTRIES} (id, {columns}) "  # noqa: S608
        f"SELECT %s, {CONTENT}, %s, %s FROM {ENTRIES} WHERE id = %s",
        [entry_id, "f" * 32, made_up_mac, like.pk],
    )
    return entry_id


def commit_late(entry_id: int, actor: User) -> AuditEntry:
    """An entry whose transaction took `entry_id` early but committed only now.

    record() writes it as it would have then (a genuine MAC, which does not cover the id); the
    row lands at the id the slow transaction was given.
    """
    late: list[AuditEntry] = []
    with rolled_back():
        late.append(view(actor, 999))
    entry = late[0]
    entry.pk = entry_id
    entry.save(force_insert=True)
    return entry


def sealed_ids(seal: AuditSeal) -> list[int]:
    return [i for low, high in audit.decode_ranges(seal.entry_ranges) for i in range(low, high + 1)]


def broken(result: audit.VerifyResult, entry_id: int | None) -> bool:
    """verify() failed, naming this entry."""
    ok = result.ok
    return not ok and result.broken_entry == entry_id and f"entry {entry_id}:" in result.problem


@pytest.fixture
def lro(cast: Callable[[str], User]) -> User:
    return cast("dp.lro")


@pytest.fixture
def ocg(db: None) -> Ocg:
    return Ocg.objects.create(
        owner=organisation("GMP"),
        reference="OCG-GMP-000042",
        name="Operation Kestrel",
        mapped_on=dt.date(2024, 3, 1),
    )


@pytest.fixture
def trail(lro: User) -> list[AuditEntry]:
    """Thirty entries sealed in three seals of ten; the middle seal spans a gap in the ids."""
    entries = [view(lro, n) for n in range(15)]
    skip_an_id()
    entries += [view(lro, n) for n in range(15, 30)]
    assert audit.seal_pending(batch=10) == 30
    assert AuditSeal.objects.count() == 3
    return entries


@pytest.fixture
def attacker(db: None) -> Iterator[Execute]:
    """Someone with raw database access: the append-only triggers are off during the test."""
    audit.drop_triggers()
    try:
        yield execute
    finally:
        audit.install_triggers()


def seals() -> list[AuditSeal]:
    return list(AuditSeal.objects.order_by("id"))


# --- what an entry records -----------------------------------------------------------------


def test_an_entry_records_who_did_what_to_which_record_and_from_where(lro: User, ocg: Ocg) -> None:
    with context.acting(
        source="web",
        ip="2001:DB8:0:0::7",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        request_id="req-7f3a9c",
        reason="Preparing the tasking briefing",
    ):
        entry = audit.record(
            AuditAction.UPDATE,
            actor=lro,
            obj=ocg,
            changes={"name": ["Operation Kestrel", "Operation Merlin"]},
            detail={"fields": ["name"], "note": "Caerdydd, ŵ"},
        )

    row = AuditEntry.objects.get(pk=entry.pk)
    assert row.actor_id == lro.pk
    assert row.actor_username == "dp.lro"
    assert row.organisation_code == "DYP"
    assert row.action == "update"
    assert (row.object_type, row.object_id, row.object_repr) == (
        "threats.ocg",
        str(ocg.pk),
        "OCG-GMP-000042",
    )
    assert row.owner_code == "GMP"
    assert row.changes == {"name": ["Operation Kestrel", "Operation Merlin"]}
    assert row.detail == {"fields": ["name"], "note": "Caerdydd, ŵ"}
    assert row.reason == "Preparing the tasking briefing"
    assert row.source == "web"
    assert row.ip == "2001:db8::7"
    assert row.user_agent == "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
    assert row.request_id == "req-7f3a9c"
    assert len(row.uid) == 32
    assert row.mac == audit.mac_for(getattr(row, f) for f in audit.MAC_FIELDS)
    assert audit.verify().ok


def test_an_explicit_reason_wins_and_a_meeting_is_cited_in_the_detail(lro: User) -> None:
    with context.acting(source="meeting", reason="from the context", via="meeting:12"):
        entry = audit.record(
            AuditAction.SHARE, actor=lro, object_type="threats.ocg", reason="Tasking decision"
        )

    row = AuditEntry.objects.get(pk=entry.pk)
    assert row.reason == "Tasking decision"
    assert row.detail == {"via": "meeting:12"}
    assert row.source == "meeting"
    assert audit.verify().ok


def test_a_system_entry_has_no_actor_and_a_bad_address_is_left_out(db: None) -> None:
    with context.acting(ip="not-an-address"):
        entry = audit.record(AuditAction.EXPORT, object_type="threats.ocg", object_repr="all")

    row = AuditEntry.objects.get(pk=entry.pk)
    assert (row.actor_id, row.actor_username, row.organisation_code) == (None, "", "")
    assert row.source == "system"
    assert row.ip is None
    assert audit.verify().ok


@pytest.mark.parametrize(
    "address",
    ["192.0.2.10", "2001:DB8:0::1", "::ffff:192.0.2.1", "::ffff:c000:201", "fe80::1%eth0"],
    ids=["ipv4", "ipv6", "ipv4-mapped", "ipv4-mapped-in-hex", "ipv6-with-zone"],
)
def test_an_entry_from_any_kind_of_address_verifies(lro: User, address: str) -> None:
    with context.acting(source="web", ip=address):
        audit.record(AuditAction.VIEW, actor=lro, object_type="threats.ocg")

    assert audit.verify().ok


@pytest.mark.parametrize(
    "changes",
    [
        {"score": [0.1, 0.30000000000000004]},
        {"count": [2**60, -7], "flag": [True, None]},
        {"text": ["line one\nline two", "tab\there \u2028 ŵ 🙂"]},
        {"nested": [{"b": 1, "a": [1, 2, {"z": "", "y": None}]}, {}]},
        {"score": [1e16, -1.5e300], "tiny": [5e-324, 1.5e-07]},
        {"score": [-0.0, 0.0]},
    ],
    ids=["floats", "integers-and-booleans", "text", "nested", "huge-floats", "negative-zero"],
)
def test_an_entry_with_any_json_changes_verifies(lro: User, changes: dict[str, Any]) -> None:
    audit.record(AuditAction.UPDATE, actor=lro, object_type="threats.ocg", changes=changes)

    assert audit.verify().ok


JSON_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(JSON_TEXT, inner, max_size=4),
    max_leaves=12,
)


@hypothesis_settings(max_examples=40, deadline=None)
@given(st.dictionaries(JSON_TEXT, JSON_VALUES, min_size=1, max_size=4))
def test_an_entry_with_whatever_json_a_change_holds_verifies(changes: dict[str, Any]) -> None:
    """What the database hands back (jsonb rewrites numbers) must match what was sealed."""
    entry = audit.record(AuditAction.UPDATE, object_type="threats.ocg", changes=changes)

    result = audit.verify()

    assert result.ok, (result.problem, AuditEntry.objects.get(pk=entry.pk).changes)


def test_an_entry_rolls_back_with_the_change_it_records(lro: User, ocg: Ocg) -> None:
    before = AuditEntry.objects.count()

    with rolled_back():
        ocg.name = "Operation Merlin"
        ocg.save()
        entry = audit.record(AuditAction.UPDATE, actor=lro, obj=ocg, changes={"name": ["a", "b"]})
        assert AuditEntry.objects.filter(pk=entry.pk).exists()

    assert AuditEntry.objects.count() == before
    assert Ocg.objects.get(pk=ocg.pk).name == "Operation Kestrel"


def test_a_rolled_back_entry_is_neither_sealed_nor_announced(
    lro: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, rolled_back():
        view(lro, 1)

    assert callbacks == []
    assert not AuditSeal.objects.exists()


def test_a_committed_entry_is_sealed_soon_after(
    lro: User, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.AUDIT_SEAL_INTERVAL = 0  # no throttle: another test may have sealed a moment ago
    with django_capture_on_commit_callbacks(execute=True):
        entry = view(lro, 1)

    (seal,) = seals()
    assert sealed_ids(seal) == [entry.pk]
    assert audit.verify().ok


# --- the append-only triggers --------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {ENTRIES} SET reason = 'nothing to see' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {ENTRIES} WHERE id = %s",  # noqa: S608
        f"UPDATE {SEALS} SET prev_hash = hash WHERE id = %s",  # noqa: S608
        f"DELETE FROM {SEALS} WHERE id = %s",  # noqa: S608
    ],
    ids=["update-entry", "delete-entry", "update-seal", "delete-seal"],
)
def test_the_database_refuses_to_change_or_remove_an_audit_row(
    trail: list[AuditEntry], statement: str
) -> None:
    row_id = (trail[3].pk if ENTRIES in statement else seals()[1].pk,)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute(statement, row_id)

    assert audit.verify().ok
    assert AuditEntry.objects.count() == 30
    assert AuditSeal.objects.count() == 3


def test_the_database_refuses_the_orm_too(trail: list[AuditEntry]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        trail[0].delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=trail[1].pk).update(reason="tidied")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSeal.objects.all().delete()

    assert audit.verify().ok


def test_triggers_dropped_and_installed_again_refuse_once_more(trail: list[AuditEntry]) -> None:
    audit.drop_triggers()
    audit.install_triggers()

    with pytest.raises(DatabaseError), transaction.atomic():
        execute(f"DELETE FROM {ENTRIES} WHERE id = %s", [trail[0].pk])  # noqa: S608


# --- tamper detection ----------------------------------------------------------------------


def test_an_intact_sealed_trail_verifies(trail: list[AuditEntry]) -> None:
    result = audit.verify()

    assert result.ok, result.problem
    assert (result.entries, result.seals, result.unsealed) == (30, 3, 0)
    assert result.broken_entry is None


def test_an_empty_trail_verifies(db: None) -> None:
    result = audit.verify()

    assert result.ok
    assert (result.entries, result.seals, result.unsealed) == (0, 0, 0)


def test_the_seals_form_a_chain_over_explicit_id_ranges(trail: list[AuditEntry]) -> None:
    first, middle, last = seals()
    gap = trail[14].pk + 1

    assert first.prev_hash == audit.GENESIS
    assert middle.prev_hash == first.hash
    assert last.prev_hash == middle.hash
    assert sealed_ids(first) == [e.pk for e in trail[:10]]
    assert sealed_ids(middle) == [e.pk for e in trail[10:20]]
    assert gap not in sealed_ids(middle)
    assert middle.entry_ranges == f"{trail[10].pk}-{trail[14].pk},{trail[15].pk}-{trail[19].pk}"
    assert (middle.first_entry_id, middle.last_entry_id, middle.entry_count) == (
        trail[10].pk,
        trail[19].pk,
        10,
    )
    assert sealed_ids(last) == [e.pk for e in trail[20:]]
    assert last.hash == audit.seal_hash(middle.hash, [(e.pk, e.mac) for e in trail[20:]])


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("reason", "Routine check"),
        ("object_repr", "OCG-DYP-999999"),
        ("actor_username", "someone.else"),
        ("object_id", "4"),
        ("changes", '{"name": ["a", "b"]}'),
        ("mac", "ŵ" * 64),
    ],
)
@pytest.mark.parametrize("position", [0, 14, 15, 29], ids=lambda p: f"entry{p}")
def test_an_edited_entry_is_caught(
    trail: list[AuditEntry], attacker: Execute, column: str, value: str, position: int
) -> None:
    victim = trail[position]

    edit = f"UPDATE {ENTRIES} SET {column} = %s WHERE id = %s"  # noqa: S608
    assert attacker(edit, [value, victim.pk]) == 1

    result = audit.verify()
    assert broken(result, victim.pk), result.problem
    assert "does not match its MAC" in result.problem


def test_an_entry_with_its_time_moved_is_caught(trail: list[AuditEntry], attacker: Execute) -> None:
    victim = trail[5]
    earlier = victim.at - dt.timedelta(hours=3)
    if connection.vendor == "sqlite":  # Django keeps naive UTC text there
        value: Any = earlier.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    else:
        value = earlier

    attacker(f"UPDATE {ENTRIES} SET at = %s WHERE id = %s", [value, victim.pk])  # noqa: S608

    assert broken(audit.verify(), victim.pk)


def test_an_edited_unsealed_entry_is_caught(
    trail: list[AuditEntry], lro: User, attacker: Execute
) -> None:
    fresh = view(lro, 31)

    attacker(f"UPDATE {ENTRIES} SET reason = '' WHERE id = %s", [fresh.pk])  # noqa: S608

    assert broken(audit.verify(), fresh.pk)


@pytest.mark.parametrize("position", [0, 9, 14, 15, 19, 29], ids=lambda p: f"entry{p}")
def test_a_deleted_entry_is_caught(
    trail: list[AuditEntry], attacker: Execute, position: int
) -> None:
    victim = trail[position]

    assert attacker(f"DELETE FROM {ENTRIES} WHERE id = %s", [victim.pk]) == 1  # noqa: S608

    result = audit.verify()
    assert broken(result, victim.pk), result.problem
    assert "missing from seal" in result.problem


def test_a_deleted_run_of_entries_is_caught_at_the_first(
    trail: list[AuditEntry], attacker: Execute
) -> None:
    attacker(
        f"DELETE FROM {ENTRIES} WHERE id BETWEEN %s AND %s",  # noqa: S608
        [trail[12].pk, trail[17].pk],
    )

    assert broken(audit.verify(), trail[12].pk)


def test_an_entry_inserted_into_a_gap_inside_a_seal_is_caught(
    trail: list[AuditEntry], attacker: Execute
) -> None:
    gap = trail[14].pk + 1
    assert trail[15].pk == gap + 1

    forge(gap, like=trail[14])

    result = audit.verify()
    assert broken(result, gap), result.problem
    assert "does not match its MAC" in result.problem


def test_an_entry_inserted_after_the_end_is_caught(
    trail: list[AuditEntry], attacker: Execute
) -> None:
    forged = forge(None, like=trail[29])

    assert forged > trail[29].pk
    assert broken(audit.verify(), forged)


def test_an_entry_inserted_before_the_start_is_caught(
    trail: list[AuditEntry], attacker: Execute
) -> None:
    forged = forge(-5, like=trail[0])

    assert broken(audit.verify(), forged)


@pytest.mark.parametrize(
    ("one", "other"), [(3, 6), (14, 15), (9, 10), (2, 27)], ids=["same", "gap", "adjacent", "far"]
)
def test_reordered_entries_are_caught(
    trail: list[AuditEntry], attacker: Execute, one: int, other: int
) -> None:
    a, b = trail[one].pk, trail[other].pk
    swap = f"UPDATE {ENTRIES} SET id = %s WHERE id = %s"  # noqa: S608
    attacker(swap, [-1, a])
    attacker(swap, [a, b])
    attacker(swap, [b, -1])
    # Each row still matches its own MAC (the MAC does not cover the id)...
    assert AuditEntry.objects.get(pk=a).uid == trail[other].uid

    result = audit.verify()

    # ...but the seal over the ids and MACs in order no longer does.
    assert not result.ok
    assert "replaced or reordered" in result.problem
    assert result.broken_entry is not None


def test_an_unsealed_entry_moved_into_a_deleted_ones_place_is_caught(
    trail: list[AuditEntry], lro: User, attacker: Execute
) -> None:
    victim = trail[12]
    fresh = view(lro, 31)

    attacker(f"DELETE FROM {ENTRIES} WHERE id = %s", [victim.pk])  # noqa: S608
    attacker(f"UPDATE {ENTRIES} SET id = %s WHERE id = %s", [victim.pk, fresh.pk])  # noqa: S608

    result = audit.verify()
    assert not result.ok
    assert f"seal {seals()[1].pk}:" in result.problem
    assert "replaced or reordered" in result.problem


@pytest.mark.parametrize("position", [0, 1, 2], ids=["first", "middle", "last"])
def test_a_seal_with_an_edited_previous_hash_is_caught(
    trail: list[AuditEntry], attacker: Execute, position: int
) -> None:
    seal = seals()[position]

    attacker(f"UPDATE {SEALS} SET prev_hash = %s WHERE id = %s", ["1" * 64, seal.pk])  # noqa: S608

    result = audit.verify()
    assert not result.ok
    assert f"seal {seal.pk}: the chain is broken" in result.problem


@pytest.mark.parametrize("position", [0, 1], ids=["first", "middle"])
def test_a_seal_with_an_edited_hash_breaks_the_chain_after_it(
    trail: list[AuditEntry], attacker: Execute, position: int
) -> None:
    seal, following = seals()[position : position + 2]

    attacker(f"UPDATE {SEALS} SET hash = %s WHERE id = %s", ["2" * 64, seal.pk])  # noqa: S608

    result = audit.verify()
    assert not result.ok
    assert f"seal {following.pk}: the chain is broken" in result.problem


def test_the_last_seal_with_an_edited_hash_is_caught(
    trail: list[AuditEntry], attacker: Execute
) -> None:
    last = seals()[-1]

    attacker(f"UPDATE {SEALS} SET hash = %s WHERE id = %s", ["3" * 64, last.pk])  # noqa: S608

    result = audit.verify()
    assert not result.ok
    assert f"seal {last.pk}: its entries do not hash to the sealed value" in result.problem
    assert result.broken_entry == trail[20].pk


def test_a_seal_narrowed_to_hide_a_deleted_entry_is_caught(
    trail: list[AuditEntry], attacker: Execute
) -> None:
    """Deleting an entry and taking it out of its seal's ranges and count: the hash is left."""
    victim = trail[4]
    first = seals()[0]
    ids = [i for i in sealed_ids(first) if i != victim.pk]

    attacker(f"DELETE FROM {ENTRIES} WHERE id = %s", [victim.pk])  # noqa: S608
    attacker(
        f"UPDATE {SEALS} SET entry_ranges = %s, entry_count = %s WHERE id = %s",  # noqa: S608
        [audit.encode_ranges(ids), len(ids), first.pk],
    )

    result = audit.verify()
    assert not result.ok
    assert f"seal {first.pk}: its entries do not hash" in result.problem


def test_a_deleted_seal_is_caught(trail: list[AuditEntry], attacker: Execute) -> None:
    middle = seals()[1]

    attacker(f"DELETE FROM {SEALS} WHERE id = %s", [middle.pk])  # noqa: S608

    result = audit.verify()
    assert not result.ok
    assert "the chain is broken" in result.problem


def test_intact_unsealed_entries_verify_and_are_counted(trail: list[AuditEntry], lro: User) -> None:
    for n in range(30, 35):
        view(lro, n)

    result = audit.verify()

    assert result.ok, result.problem
    assert (result.entries, result.seals, result.unsealed) == (35, 3, 5)


# --- late commits ----------------------------------------------------------------------------


def test_an_entry_committed_after_a_later_seal_verifies_and_is_sealed_next(lro: User) -> None:
    early = [view(lro, n) for n in range(5)]
    slow_id = skip_an_id()  # a transaction took this id and is still open
    early += [view(lro, n) for n in range(5, 10)]
    assert audit.seal_pending() == 10
    (first,) = seals()
    assert slow_id not in sealed_ids(first)
    assert first.first_entry_id < slow_id < first.last_entry_id

    late = commit_late(slow_id, lro)  # it commits now, below the seal it is not part of

    result = audit.verify()
    assert result.ok, result.problem
    assert (result.entries, result.seals, result.unsealed) == (11, 1, 1)

    newer = [view(lro, n) for n in range(10, 12)]
    assert audit.seal_pending() == 3
    _, second = seals()
    assert sealed_ids(second) == [late.pk, newer[0].pk, newer[1].pk]
    assert second.entry_ranges == f"{late.pk},{newer[0].pk}-{newer[1].pk}"
    assert second.prev_hash == first.hash

    result = audit.verify()
    assert result.ok, result.problem
    assert (result.entries, result.seals, result.unsealed) == (13, 2, 0)


def test_a_late_entry_once_sealed_is_protected_like_any_other(lro: User, attacker: Execute) -> None:
    [view(lro, n) for n in range(3)]
    slow_id = skip_an_id()
    [view(lro, n) for n in range(3, 6)]
    audit.seal_pending()
    late = commit_late(slow_id, lro)
    audit.seal_pending()

    attacker(f"DELETE FROM {ENTRIES} WHERE id = %s", [late.pk])  # noqa: S608

    result = audit.verify()
    assert broken(result, late.pk), result.problem
    assert f"missing from seal {seals()[1].pk}" in result.problem


def test_sealing_in_batches_links_each_batch_to_the_one_before(lro: User) -> None:
    entries = [view(lro, n) for n in range(25)]

    assert audit.seal_pending(batch=10) == 25
    assert audit.seal_pending(batch=10) == 0  # nothing left to seal

    made = seals()
    assert [s.entry_count for s in made] == [10, 10, 5]
    assert [s.prev_hash for s in made] == [audit.GENESIS, made[0].hash, made[1].hash]
    assert [i for s in made for i in sealed_ids(s)] == [e.pk for e in entries]
    assert audit.verify().ok


def test_an_entry_is_sealed_only_once(trail: list[AuditEntry], lro: User) -> None:
    fresh = view(lro, 30)

    assert audit.seal_pending() == 1
    assert audit.seal_pending() == 0

    assert sealed_ids(seals()[-1]) == [fresh.pk]
    everything = [i for s in seals() for i in sealed_ids(s)]
    assert len(everything) == len(set(everything)) == 31


# --- the id ranges a seal stores -------------------------------------------------------------


@pytest.mark.parametrize(
    ("ids", "text"),
    [
        ([7], "7"),
        ([1, 2, 3], "1-3"),
        ([1, 2, 3, 5, 7, 8], "1-3,5,7-8"),
        ([4, 6, 8], "4,6,8"),
        ([10, 11, 2000000000000], "10-11,2000000000000"),
    ],
)
def test_ids_are_stored_as_ranges(ids: list[int], text: str) -> None:
    assert audit.encode_ranges(ids) == text
    assert [i for lo, hi in audit.decode_ranges(text) for i in range(lo, hi + 1)] == ids


@given(st.sets(st.integers(min_value=1, max_value=10**15), min_size=1, max_size=200))
def test_ranges_give_back_exactly_the_ids_they_were_made_from(id_set: set[int]) -> None:
    ids = sorted(id_set)

    ranges = list(audit.decode_ranges(audit.encode_ranges(ids)))

    assert [i for low, high in ranges for i in range(low, high + 1)] == ids
    # As few ranges as possible: each is in order, and none touches the next.
    assert all(low <= high for low, high in ranges)
    assert all(high + 1 < low for (_, high), (low, _) in itertools.pairwise(ranges))


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=50), st.integers(min_value=1, max_value=50)),
        min_size=1,
        max_size=30,
    )
)
def test_runs_of_consecutive_ids_become_one_range_each(runs: list[tuple[int, int]]) -> None:
    ids: list[int] = []
    for gap, length in runs:
        start = (ids[-1] + 2 + gap) if ids else 1 + gap
        ids.extend(range(start, start + length))

    assert len(audit.encode_ranges(ids).split(",")) == len(runs)


# --- the command -----------------------------------------------------------------------------


def test_the_verify_command_reports_an_intact_trail(trail: list[AuditEntry], lro: User) -> None:
    view(lro, 30)
    out = io.StringIO()

    call_command("audit", "verify", stdout=out)

    assert "Audit trail intact: 31 entries in 3 seals (1 awaiting their seal)" in out.getvalue()


def test_the_verify_command_fails_naming_the_broken_entry(
    trail: list[AuditEntry], attacker: Execute
) -> None:
    victim = trail[17]
    attacker(f"UPDATE {ENTRIES} SET object_repr = %s WHERE id = %s", ["OCG-X", victim.pk])  # noqa: S608

    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", stdout=io.StringIO())

    assert failure.value.returncode == 1
    assert f"BROKEN at entry {victim.pk}:" in str(failure.value)


def test_the_verify_command_fails_naming_a_deleted_entry(
    trail: list[AuditEntry], attacker: Execute
) -> None:
    victim = trail[8]
    attacker(f"DELETE FROM {ENTRIES} WHERE id = %s", [victim.pk])  # noqa: S608

    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", stdout=io.StringIO())

    assert failure.value.returncode == 1
    assert f"entry {victim.pk}: missing from seal" in str(failure.value)


def test_the_verify_command_walks_in_as_many_ranges_as_asked(
    trail: list[AuditEntry], lro: User, attacker: Execute
) -> None:
    out = io.StringIO()
    call_command("audit", "verify", "--jobs", "3", stdout=out)
    assert "Audit trail intact: 30 entries in 3 seals" in out.getvalue()

    edit(27)(trail, lro)
    with pytest.raises(CommandError, match=f"BROKEN at entry {trail[27].pk}:"):
        call_command("audit", "verify", "--jobs", "3", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--jobs must be at least 1"):
        call_command("audit", "verify", "--jobs", "0", stdout=io.StringIO())


def test_the_seal_command_seals_what_is_pending(trail: list[AuditEntry], lro: User) -> None:
    fresh = [view(lro, n) for n in range(30, 34)]
    out = io.StringIO()

    call_command("audit", "seal", stdout=out)

    assert out.getvalue().strip() == "Sealed 4 entries."
    assert sealed_ids(seals()[-1]) == [e.pk for e in fresh]
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "34 entries in 4 seals (0 awaiting their seal)" in out.getvalue()


# --- awkward values ----------------------------------------------------------------------------


def test_an_entry_with_separators_quotes_and_backslashes_in_its_text_verifies(lro: User) -> None:
    awkward = "a\x1fb \\c 'd' \"e\"\nf\tg ŵ 🙂 %s {}"
    with context.acting(source="web", reason=awkward, user_agent=awkward, request_id="\x1f"):
        audit.record(AuditAction.VIEW, actor=lro, object_type="x\x1fy", object_repr=awkward)

    assert audit.verify().ok


def test_an_entry_dated_before_the_year_1000_verifies(db: None) -> None:
    """Such a date is not formatted by the database (its years are zero-padded there)."""
    entry = AuditEntry(
        at=dt.datetime(999, 12, 31, 23, 59, 59, 5, tzinfo=dt.UTC),
        action=AuditAction.VIEW,
        uid="9" * 32,
    )
    entry.mac = audit.mac_for(getattr(entry, f) for f in audit.MAC_FIELDS)
    entry.save(force_insert=True)

    assert audit.verify().ok


# --- walking in id ranges ------------------------------------------------------------------
# A long trail is split into id ranges, walked by separate processes on PostgreSQL (elsewhere,
# or inside a transaction, one after another). Whatever the split, the verdict must be the one
# a single walk gives, down to the entry it names.

Tamper = Callable[[list[AuditEntry], User], object]


def edit(*positions: int) -> Tamper:
    def apply(trail: list[AuditEntry], lro: User) -> None:
        for position in positions:
            execute(
                f"UPDATE {ENTRIES} SET object_repr = 'OCG-X' WHERE id = %s",  # noqa: S608
                [trail[position].pk],
            )

    return apply


def delete(first: int, last: int | None = None) -> Tamper:
    def apply(trail: list[AuditEntry], lro: User) -> None:
        execute(
            f"DELETE FROM {ENTRIES} WHERE id BETWEEN %s AND %s",  # noqa: S608
            [trail[first].pk, trail[first if last is None else last].pk],
        )

    return apply


def swap(one: int, other: int) -> Tamper:
    def apply(trail: list[AuditEntry], lro: User) -> None:
        a, b = trail[one].pk, trail[other].pk
        move = f"UPDATE {ENTRIES} SET id = %s WHERE id = %s"  # noqa: S608
        execute(move, [-1, a])
        execute(move, [a, b])
        execute(move, [b, -1])

    return apply


def both(*tampers: Tamper) -> Tamper:
    def apply(trail: list[AuditEntry], lro: User) -> None:
        for tamper in tampers:
            tamper(trail, lro)

    return apply


def fresh_entries(trail: list[AuditEntry], lro: User) -> None:
    for n in range(30, 35):
        view(lro, n)


def edited_fresh_entry(trail: list[AuditEntry], lro: User) -> None:
    fresh = view(lro, 30)
    execute(f"UPDATE {ENTRIES} SET reason = '' WHERE id = %s", [fresh.pk])  # noqa: S608


def late_commit(trail: list[AuditEntry], lro: User) -> None:
    """An entry committed into the gap inside the middle seal, sealed later with a new one."""
    commit_late(trail[14].pk + 1, lro)
    view(lro, 30)
    audit.seal_pending()


def deleted_late_commit(trail: list[AuditEntry], lro: User) -> None:
    late_commit(trail, lro)
    execute(f"DELETE FROM {ENTRIES} WHERE id = %s", [trail[14].pk + 1])  # noqa: S608


TAMPERINGS: dict[str, Tamper] = {
    "intact": lambda trail, lro: None,
    "unsealed-entries": fresh_entries,
    "late-commit": late_commit,
    "late-commit-deleted": deleted_late_commit,
    "edited-first": edit(0),
    "edited-middle": edit(14),
    "edited-last": edit(29),
    "edited-unsealed": edited_fresh_entry,
    "deleted-first": delete(0),
    "deleted-middle": delete(15),
    "deleted-last": delete(29),
    "deleted-across-seals": delete(8, 22),
    "swapped-far": swap(2, 27),
    "swapped-adjacent": swap(9, 10),
    "swapped-in-seal": swap(12, 17),
    "forged-in-gap": lambda trail, lro: forge(trail[14].pk + 1, like=trail[14]),
    "forged-after-end": lambda trail, lro: forge(None, like=trail[29]),
    "forged-before-start": lambda trail, lro: forge(-5, like=trail[0]),
    "deleted-early-edited-late": both(delete(3), edit(25)),
    "edited-late-and-early": both(edit(25), edit(3)),
    "deleted-early-swapped-late": both(delete(4), swap(21, 28)),
}
INTACT = {"intact", "unsealed-entries", "late-commit"}


@pytest.mark.parametrize("ranges", [2, 3, 5, 8])
@pytest.mark.parametrize("name", TAMPERINGS)
def test_any_split_into_ranges_gives_the_verdict_of_one_walk(
    trail: list[AuditEntry], lro: User, attacker: Execute, name: str, ranges: int
) -> None:
    TAMPERINGS[name](trail, lro)
    one_walk = audit.verify(ranges=1)

    in_ranges = audit.verify(ranges=ranges)
    assert in_ranges == one_walk
    assert in_ranges.processes == 1  # inside the test's transaction: walked one after another
    assert one_walk.ok == (name in INTACT), one_walk.problem


def cut_in_two() -> int:
    """Where verify(ranges=2) splits the trail: the first id of the second range."""
    (_, cut), (low, _) = audit_verify._split(connection, 2, forking=False)
    assert cut is not None
    assert cut == low
    return cut


def test_a_seal_reaching_across_two_ranges_is_hashed_whole(
    trail: list[AuditEntry], lro: User, attacker: Execute
) -> None:
    middle = seals()[1]
    cut = cut_in_two()
    assert middle.first_entry_id < cut <= middle.last_entry_id
    assert trail[12].pk < cut <= trail[17].pk
    assert audit.verify(ranges=2).ok

    swap(12, 17)(trail, lro)  # one on each side of the cut; each still matches its own MAC

    result = audit.verify(ranges=2)
    assert f"seal {middle.pk}: its entries do not hash" in result.problem
    assert result.broken_entry == trail[10].pk


def test_a_break_in_the_second_range_is_reported_as_the_first_broken_entry(
    trail: list[AuditEntry], lro: User, attacker: Execute
) -> None:
    assert trail[5].pk < cut_in_two() <= trail[25].pk

    edit(25)(trail, lro)
    assert broken(audit.verify(ranges=2), trail[25].pk)

    delete(3)(trail, lro)  # a deletion is reported only once every entry matches its MAC
    assert broken(audit.verify(ranges=2), trail[25].pk)

    edit(5)(trail, lro)
    assert broken(audit.verify(ranges=2), trail[5].pk)


def test_worker_processes_walk_the_ranges_on_one_snapshot(
    committed_world: None,
    cast: Callable[[str], User],
    attacker: Execute,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Committed for real (tests/conftest.py), as the workers read through connections of their
    own."""
    walked: list[int] = []  # how many ranges' results each verify() took
    walk_in_processes = audit_verify._walk_in_processes

    def spy(*args: Any) -> Any:
        parts = walk_in_processes(*args)
        walked.append(len(parts))
        return parts

    monkeypatch.setattr(audit_verify, "_walk_in_processes", spy)
    monkeypatch.setattr(audit, "_seal_soon", lambda: None)  # sealed below, in small seals
    lro = cast("dp.lro")
    with transaction.atomic():
        entries = [view(lro, n) for n in range(40)]
    audit.seal_pending(batch=7)  # so that some seals reach across the cuts
    one_walk = audit.verify(ranges=1)
    assert one_walk.ok, one_walk.problem
    if connection.vendor != "postgresql":
        # SQLite has no snapshot to export to workers: the same request walks in one process,
        # with the same verdict.
        in_three = audit.verify(ranges=3)
        assert in_three == one_walk
        assert in_three.processes == 1
        assert walked == []
        edit(20)(entries, lro)
        assert broken(audit.verify(ranges=3), entries[20].pk)
        return
    bounds = audit_verify._split(connection, 3, forking=True)
    assert len(bounds) == 3

    in_three = audit.verify(ranges=3)
    assert in_three == one_walk
    assert (in_three.processes, one_walk.processes) == (3, 1)
    assert walked == [3]

    def range_of(entry: AuditEntry) -> int:
        return next(
            i
            for i, (low, high) in enumerate(bounds)
            if (low is None or low <= entry.pk) and (high is None or entry.pk < high)
        )

    positions = (35, 20, 2)  # in the last range, the middle one and the first
    assert [range_of(entries[position]) for position in positions] == [2, 1, 0]
    for position in positions:  # each break earlier than the one before
        edit(position)(entries, lro)
        assert broken(audit.verify(ranges=3), entries[position].pk)
    # A break stops the walk in its range: later ranges' results are not waited for.
    assert walked == [3, 3, 2, 1]
