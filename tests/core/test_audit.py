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

from concord.core import audit, context
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


def test_the_seal_command_seals_what_is_pending(trail: list[AuditEntry], lro: User) -> None:
    fresh = [view(lro, n) for n in range(30, 34)]
    out = io.StringIO()

    call_command("audit", "seal", stdout=out)

    assert out.getvalue().strip() == "Sealed 4 entries."
    assert sealed_ids(seals()[-1]) == [e.pk for e in fresh]
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "34 entries in 4 seals (0 awaiting their seal)" in out.getvalue()
