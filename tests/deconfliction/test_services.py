"""Target deconfliction through the models: a registered subject is checked at once against
every active subject of every other operation, by index look-up and the matching engine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from concord.core.models import AuditAction, AuditEntry
from concord.deconfliction import services
from concord.deconfliction.choices import HitKind, HitStatus, Resolution, Side, SubjectKind
from concord.deconfliction.models import CheckLimit, Hit, HitSide, SubjectKey
from concord.organisations.models import Notification
from tests.deconfliction.helpers import identifier, operation, person
from tests.factories import persona

pytestmark = pytest.mark.django_db

DOB = dt.date(1988, 3, 14)


def test_a_person_under_another_spelling_is_a_hit_for_both_organisations():
    dyp = operation("dp.sio")
    tarian = operation("tarian.sio", name="Operation Gwenllian")
    person(dyp, "Jason", "Pryce", DOB)
    _subject, hits = person(tarian, "Jayson", "Price", DOB)
    assert len(hits) == 1
    hit = hits[0]
    assert hit.kind == HitKind.TARGET
    assert (hit.a_organisation.code, hit.b_organisation.code) == ("TARIAN", "DYP")
    assert {"surname", "dob"} <= set(hit.agreed)
    assert hit.b_contact.startswith("dp.sio duty desk")
    assert set(hit.sides.values_list("side", "operation")) == {
        (Side.A, tarian.pk),
        (Side.B, dyp.pk),
    }


def test_an_alias_finds_the_person():
    dyp = operation("dp.sio")
    tarian = operation("tarian.sio")
    person(dyp, "Jay", "Blackwood", DOB)
    _subject, hits = person(tarian, "Kyle", "Morrison", DOB, aliases="Jay Blackwood")
    assert len(hits) == 1


def test_a_different_person_is_no_hit():
    dyp = operation("dp.sio")
    tarian = operation("tarian.sio")
    person(dyp, "Jason", "Pryce", DOB)
    _subject, hits = person(tarian, "Margaret", "Pryce", dt.date(1951, 7, 2))
    assert hits == []


@pytest.mark.parametrize(
    ("kind", "one", "other"),
    [
        (SubjectKind.PHONE, "07700 900123", "+44 7700 900123"),
        (SubjectKind.VRM, "MA19 XKD", "ma19xkd"),
        (SubjectKind.EMAIL, "Jay.Price@Example.com", "jay.price@example.com"),
        (SubjectKind.IMEI, "490154203237518", "49-015420-323751-8"),
        (SubjectKind.HANDLE, "@jaybird_88", "jaybird_88"),
    ],
)
def test_the_same_identifier_written_two_ways_is_a_hit(kind, one, other):
    gmp = operation("gmp.sio")
    nw = operation("nwrocu.sio")
    identifier(gmp, kind, one)
    _subject, hits = identifier(nw, kind, other)
    assert len(hits) == 1, kind


def test_an_address_matches_its_address_and_a_postcode_matches_both():
    gmp = operation("gmp.sio")
    nw = operation("nwrocu.sio")
    identifier(gmp, SubjectKind.ADDRESS, "12 Trinity Way", postcode="M5 4WT")
    _s, by_address = identifier(nw, SubjectKind.ADDRESS, "12 trinity way", postcode="m54wt")
    assert len(by_address) == 1
    dyp = operation("dp.sio")
    _s, by_postcode = services.register_subject(
        actor=dyp.created_by,
        operation=dyp,
        details=services.SubjectDetails(kind=SubjectKind.POSTCODE, postcode="M5 4WT"),
    )
    assert len(by_postcode) == 2


def test_a_subject_of_the_same_operation_or_an_ended_one_is_no_hit():
    gmp = operation("gmp.sio")
    identifier(gmp, SubjectKind.VRM, "MA19XKD")
    _s, same = identifier(gmp, SubjectKind.VRM, "MA19 XKD")
    assert same == []
    ended = operation("nwrocu.sio")
    identifier(ended, SubjectKind.VRM, "YK70ABC")
    services.close_operation(actor=ended.created_by, operation=ended)
    assert not SubjectKey.objects.filter(operation=ended, active=True).exists()
    _s, none = identifier(gmp, SubjectKind.VRM, "YK70 ABC")
    assert none == []


def test_a_check_reaches_operations_the_checker_may_not_see():
    secret = operation("tarian.sio", classification="SECRET", sensitive=True)
    identifier(secret, SubjectKind.PHONE, "07700 900999")
    gmp = operation("gmp.sio")
    _s, hits = identifier(gmp, SubjectKind.PHONE, "07700900999")
    assert len(hits) == 1
    assert hits[0].b_organisation.code == "TARIAN"


def test_each_check_is_audited_with_a_fingerprint_not_the_subject():
    gmp = operation("gmp.sio")
    identifier(gmp, SubjectKind.PHONE, "07700 900555")
    entry = AuditEntry.objects.filter(action=AuditAction.SEARCH, object_type=services.CHECK).get()
    assert entry.actor_username == "gmp.sio"
    assert len(entry.detail["fingerprint"]) == 32
    assert "900555" not in str(entry.detail) + entry.object_repr


def test_checks_are_rate_limited_per_person():
    CheckLimit.objects.create(per_hour=2, per_day=10)
    gmp = operation("gmp.sio")
    identifier(gmp, SubjectKind.PHONE, "07700 900001")
    identifier(gmp, SubjectKind.PHONE, "07700 900002")
    with pytest.raises(ValidationError, match="in the last hour"):
        identifier(gmp, SubjectKind.PHONE, "07700 900003")
    # Another person is not held back by gmp.sio's checks.
    nw = operation("nwrocu.sio")
    identifier(nw, SubjectKind.PHONE, "07700 900003")


def test_bad_input_names_the_field_and_changes_nothing():
    gmp = operation("gmp.sio")
    with pytest.raises(ValidationError) as caught:
        identifier(gmp, SubjectKind.PHONE, "not a phone")
    assert "value" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        person(gmp, "Jason", "", DOB)
    assert "surname" in caught.value.message_dict
    assert not gmp.subjects.exists()


def test_only_the_owner_registers_subjects_and_a_partner_may_not_deconflict():
    gmp = operation("gmp.sio")
    with pytest.raises(PermissionDenied):
        services.register_subject(
            actor=persona("dp.sio"),
            operation=gmp,
            details=services.SubjectDetails(kind=SubjectKind.PHONE, value="07700900123"),
        )
    with pytest.raises(PermissionDenied):
        operation("bf.partner")


def test_both_parties_and_the_watch_desk_are_told_with_pointers_only(
    django_capture_on_commit_callbacks,
):
    desk = persona("nca.watchdesk")
    dyp = operation("dp.sio", name="Operation Quillfeather", contact_email="")
    tarian = operation("tarian.sio", name="Operation Zanzibar")
    person(dyp, "Jason", "Pryce", DOB)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _s, hits = person(tarian, "Jayson", "Price", DOB)
    hit = hits[0]
    told = Notification.objects.filter(params__ref=hit.reference)
    assert set(told.values_list("person__username", flat=True)) == {
        "dp.sio",
        "tarian.sio",
        desk.username,
    }
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        text = message.subject + message.body
        assert hit.reference in text
        for secret in ("Pryce", "Price", "Quillfeather", "Zanzibar", "1988"):
            assert secret not in text


def test_the_watch_desk_records_contact_and_resolution_against_the_clock():
    desk = persona("nca.watchdesk")
    gmp = operation("gmp.sio")
    nw = operation("nwrocu.sio")
    identifier(gmp, SubjectKind.VRM, "MA19XKD")
    _s, (hit,) = identifier(nw, SubjectKind.VRM, "MA19 XKD")
    assert hit.respond_by > timezone.now()
    services.record_contact(actor=desk, hit=hit, side=Side.A)
    hit = services.record_contact(actor=desk, hit=hit, side=Side.B)
    assert hit.status == HitStatus.CONTACTED
    hit = services.resolve_hit(actor=desk, hit=hit, resolution=Resolution.JOINT, note="Joint op")
    assert hit.status == HitStatus.RESOLVED
    assert hit.response_minutes == 0
    with pytest.raises(ValidationError):
        services.resolve_hit(actor=desk, hit=hit, resolution=Resolution.JOINT)
    assert AuditEntry.objects.filter(object_type="deconfliction.hit").count() == 3


def test_only_the_watch_desk_resolves():
    gmp = operation("gmp.sio")
    nw = operation("nwrocu.sio")
    identifier(gmp, SubjectKind.VRM, "MA19XKD")
    _s, (hit,) = identifier(nw, SubjectKind.VRM, "MA19 XKD")
    for who in ("gmp.sio", "nwrocu.chair", "nca.tasking"):
        with pytest.raises(PermissionDenied):
            services.resolve_hit(actor=persona(who), hit=hit, resolution=Resolution.JOINT)
    assert Hit.objects.get(pk=hit.pk).status == HitStatus.OPEN


def test_each_party_sees_only_its_own_side():
    gmp = operation("gmp.sio")
    nw = operation("nwrocu.sio")
    identifier(gmp, SubjectKind.VRM, "MA19XKD")
    identifier(nw, SubjectKind.VRM, "MA19 XKD")
    assert list(
        HitSide.objects.visible_to(persona("gmp.sio")).values_list("operation", flat=True)
    ) == [gmp.pk]
    assert list(
        HitSide.objects.visible_to(persona("nwrocu.sio")).values_list("operation", flat=True)
    ) == [nw.pk]
    assert not HitSide.objects.visible_to(persona("nca.watchdesk")).exists()
    assert not HitSide.objects.visible_to(persona("dp.sio")).exists()


def test_keys_stored_again_are_the_engines_keys_and_keep_whether_they_are_checked():
    from concord.deconfliction import checking
    from concord.deconfliction.models import Subject

    gmp = operation("gmp.sio")
    kept, _hits = person(gmp, "Jason", "Pryce", DOB, postcode="M1 1AA")
    ended = operation("nwrocu.sio")
    closed, _hits = identifier(ended, SubjectKind.VRM, "YK70ABC")
    services.close_operation(actor=ended.created_by, operation=ended)
    expected = {s.pk: checking.keys_of(s) for s in (kept, closed)}
    # Keys made by an older engine (and one lost) are replaced by what the engine makes now.
    SubjectKey.objects.filter(subject=kept).update(key="ny:OLD:1988")
    SubjectKey.objects.filter(subject=closed).delete()
    SubjectKey.objects.create(subject=closed, operation=ended, key="v:OLD", active=False)

    assert checking.rekey(Subject, SubjectKey, batch=1) == 2

    for subject in (kept, closed):
        stored = SubjectKey.objects.filter(subject=subject)
        assert set(stored.values_list("key", flat=True)) == expected[subject.pk]
    assert set(SubjectKey.objects.filter(subject=kept).values_list("active", flat=True)) == {True}
    assert set(SubjectKey.objects.filter(subject=closed).values_list("active", flat=True)) == {
        False
    }
    _s, hits = person(operation("dp.sio"), "Jayson", "Price", DOB)
    assert [h.b_organisation.code for h in hits] == ["GMP"]
