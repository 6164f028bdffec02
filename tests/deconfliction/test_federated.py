"""Checks across instances, within one process: the keyed-hash encoding meets what the engine
tolerates (nicknames, swapped day and month, swapped names, phones written otherwise) and
nothing else; the endpoint answers a peer's signed check with pointers and refuses an
unsigned, tampered, stale or replayed one, or one from an account that is not a peer."""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from concord.core.models import AuditEntry
from concord.deconfliction import encoding, federation, services
from concord.deconfliction.choices import Side, SubjectKind
from concord.deconfliction.models import FederatedCheck, FederatedToken, Hit, HitSide, Subject
from concord.intelligence import signing
from concord.intelligence.federation import register_peer
from tests.access.test_matrix import client_for
from tests.deconfliction.helpers import identifier, operation, person
from tests.factories import persona

pytestmark = pytest.mark.django_db

SECRET = "a-federation-secret-for-the-tests-" + "x" * 20
URL = "/taxii2/api/deconfliction/check/"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.DECONFLICTION_SECRET = SECRET


def shared(a: Subject, b: Subject) -> set[str]:
    ta, tb = encoding.encode(a), encoding.encode(b)
    return {ta[t] for t in set(ta) & set(tb)}


def who(given: str, surname: str, dob: dt.date | None, postcode: str = "") -> Subject:
    return Subject(
        kind=SubjectKind.PERSON, given_name=given, surname=surname, dob=dob, postcode=postcode
    )


def test_a_nickname_with_day_and_month_swapped_meets_and_is_a_match():
    kinds = shared(
        who("William", "Jones", dt.date(1988, 3, 7)), who("Bill", "Jones", dt.date(1988, 7, 3))
    )
    assert "name_dob" in kinds
    verdict = encoding.verdict("person", "person", kinds)
    assert verdict is not None
    assert verdict.agreed == ("given_name", "surname", "dob")


def test_swapped_given_and_family_names_meet():
    kinds = shared(
        who("Rhys", "Morgan", dt.date(1990, 1, 2)), who("Morgan", "Rhys", dt.date(1990, 1, 2))
    )
    assert encoding.verdict("person", "person", kinds) is not None


def test_a_name_and_postcode_meet_without_a_date_of_birth():
    kinds = shared(who("Dai", "Price", None, "SA31 1AB"), who("Dai", "Pryce", None, "sa311ab"))
    assert kinds == {"name_postcode"}


def test_another_person_and_a_surname_and_date_alone_are_no_match():
    dob = dt.date(1975, 5, 20)
    assert shared(who("William", "Jones", dob), who("Margaret", "Evans", dob)) == set()
    kinds = shared(who("William", "Jones", dob), who("Gareth", "Jones", dob))
    assert kinds == {"surname_dob"}
    assert encoding.verdict("person", "person", kinds) is None


def test_a_phone_written_otherwise_meets_and_no_other_kind_does():
    uk = Subject(kind=SubjectKind.PHONE, value="07700 900123")
    intl = Subject(kind=SubjectKind.PHONE, value="+44 (0)7700-900123")
    assert shared(uk, intl) == {"phone"}
    handle = Subject(kind=SubjectKind.HANDLE, value="07700900123")
    assert shared(uk, handle) == set()


def test_a_postcode_meets_an_address_there_but_two_addresses_need_the_same_words():
    at = Subject(kind=SubjectKind.ADDRESS, value="12 High Street", postcode="SA31 1AB")
    same = Subject(kind=SubjectKind.ADDRESS, value="12 high st", postcode="SA311AB")
    next_door = Subject(kind=SubjectKind.ADDRESS, value="14 High Street", postcode="SA31 1AB")
    area = Subject(kind=SubjectKind.POSTCODE, value="SA31 1AB")
    assert encoding.verdict("address", "address", shared(at, same)) is not None
    assert encoding.verdict("address", "address", shared(at, next_door)) is None
    assert encoding.verdict("postcode", "address", shared(area, at)) is not None


def test_the_hashes_hold_no_value_and_change_with_the_secret(settings):
    subject = who("William", "Jones", dt.date(1988, 3, 7))
    first = encoding.encode(subject)
    assert all(len(t) == encoding.TOKEN_LENGTH for t in first)
    assert not any("jns" in t.lower() or "1988" in t for t in first)
    settings.DECONFLICTION_SECRET = "another-federation-secret-" + "y" * 20
    assert set(encoding.encode(subject)).isdisjoint(first)


# --- the endpoint -------------------------------------------------------------------------


@pytest.fixture
def peer():
    """Tarian's instance as a peer of this one (which acts for Dyfed-Powys), with its key."""
    key = Ed25519PrivateKey.generate()
    made, token = register_peer(
        name="rocu",
        organisation="TARIAN",
        local_organisation="DYP",
        url="http://127.0.0.1:9/taxii2/api/",
        public_key=signing.encode_public(key.public_key()),
    )
    return made, token, key


def envelope(subject: Subject, key: Ed25519PrivateKey, **changes: object) -> dict:
    body = {
        "type": federation.ENVELOPE_TYPE,
        "version": 1,
        "check_id": str(uuid.uuid4()),
        "nonce": secrets.token_hex(16),
        "sent_at": timezone.now().isoformat(),
        "kind": subject.kind,
        "tokens": sorted(encoding.encode(subject)),
        "contact": "Tarian intelligence desk",
        "reference": "DX-ABCDEFGH",
        "secret_id": encoding.secret_id(),
        "x_concord_from": "TARIAN",
        "x_concord_to": "DYP",
        **changes,
    }
    return signing.sign(body, key)


def post(token: str, body: object) -> tuple[int, dict]:
    response = Client().post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT="application/taxii+json;version=2.1",
    )
    return response.status_code, json.loads(response.content)


def test_a_peer_check_is_answered_with_pointers_and_recorded_on_our_side_only(peer):
    rocu, token, key = peer
    mine = operation("dp.sio")
    subject, _hits = person(mine, "William", "Jones", dt.date(1988, 3, 7))
    assert FederatedToken.objects.filter(subject=subject).count() >= 3
    theirs = who("Bill", "Jones", dt.date(1988, 7, 3))
    status, answer = post(token, envelope(theirs, key))
    assert status == 200, answer
    signing.verify(answer, signing.public_key_text())
    [pointer] = answer["hits"]
    assert pointer["reference"] == "DX-ABCDEFGH"
    assert pointer["organisation"] == "DYP"
    assert pointer["contact"] == services.contact_of(mine)
    assert pointer["agreed"] == ["given_name", "surname", "dob"]
    # The answer says nothing of our subject or operation.
    text = json.dumps(answer)
    assert "William" not in text
    assert mine.name not in text
    hit = Hit.objects.get(reference="DX-ABCDEFGH")
    assert hit.peer == rocu
    assert (hit.a_organisation.code, hit.a_contact) == ("TARIAN", "Tarian intelligence desk")
    assert list(hit.sides.values_list("side", "subject")) == [(Side.B, subject.pk)]
    assert hit.b_peer_organisation is None
    assert hit.a_peer_organisation.code == "TARIAN"
    # Audited as the peer's check, never as a person's (no rate limit, no fishing count).
    entry = AuditEntry.objects.get(object_type=federation.PEER_CHECK)
    assert entry.actor_id == rocu.account_id
    assert entry.detail["hits"] == ["DX-ABCDEFGH"]
    assert services.checks_made(rocu.account, timezone.now() - dt.timedelta(hours=1)) == 0
    # The party's API and the watch desk's name the instance the other side is on.
    [mine_api] = json.loads(
        client_for(persona("dp.sio")).get("/api/v1/deconfliction/hits").content
    )["items"]
    assert (mine_api["reference"], mine_api["other_on_peer"]) == ("DX-ABCDEFGH", "TARIAN")
    [desk_api] = json.loads(
        client_for(persona("nca.watchdesk")).get("/api/v1/deconfliction/desk").content
    )["items"]
    assert (desk_api["reference"], desk_api["on_peer"]) == ("DX-ABCDEFGH", "TARIAN")


def test_a_check_that_matches_nothing_records_no_hit(peer):
    _rocu, token, key = peer
    person(operation("dp.sio"), "William", "Jones", dt.date(1988, 3, 7))
    status, answer = post(token, envelope(who("Margaret", "Evans", dt.date(1950, 1, 1)), key))
    assert status == 200
    assert answer["hits"] == []
    assert not Hit.objects.exists()


def test_unsigned_tampered_stale_replayed_and_foreign_checks_are_refused(peer):
    _rocu, token, key = peer
    subject, _hits = identifier(operation("dp.sio"), SubjectKind.PHONE, "07700 900123")
    theirs = Subject(kind=SubjectKind.PHONE, value="+44 7700 900123")
    good = envelope(theirs, key)

    unsigned = {k: v for k, v in good.items() if k != signing.SIGNATURE}
    assert post(token, unsigned)[0] == 400
    tampered = {**good, "contact": "Someone else"}
    assert post(token, tampered) == (400, post(token, tampered)[1])
    assert post(token, tampered)[1]["title"] == "Bad signature"
    other_key = Ed25519PrivateKey.generate()
    assert post(token, envelope(theirs, other_key))[0] == 400
    stale = envelope(theirs, key, sent_at=(timezone.now() - dt.timedelta(hours=1)).isoformat())
    assert post(token, stale)[1]["title"] == "Stale check"
    wrong_secret = envelope(theirs, key, secret_id="0" * 16)
    assert post(token, wrong_secret)[0] == 409
    assert not Hit.objects.exists()
    assert not FederatedCheck.objects.filter(direction=FederatedCheck.IN).exists()

    assert post(token, good)[0] == 200
    status, body = post(token, good)
    assert (status, body["title"]) == (409, "Replayed")
    # A retry of the same check (a new envelope): the same answer, nothing made twice.
    retry = signing.sign(
        {**{k: v for k, v in good.items() if k != signing.SIGNATURE}, "nonce": "f" * 32}, key
    )
    status, again = post(token, retry)
    assert status == 200
    assert [h["reference"] for h in again["hits"]] == ["DX-ABCDEFGH"]
    assert Hit.objects.count() == 1

    # A person's own token is not a peer's.
    from concord.organisations.services import issue_api_token

    analyst = persona("dp.analyst")
    _t, plaintext = issue_api_token(actor=analyst, person=analyst, name="mine", days=30)
    assert post(plaintext, envelope(theirs, key))[0] == 403
    assert Subject.objects.filter(pk=subject.pk).exists()


def test_a_registration_queues_a_check_per_peer_and_a_peer_that_is_down_leaves_it_pending(
    peer, django_capture_on_commit_callbacks
):
    rocu, _token, _key = peer
    rocu.token = "our-token-on-the-rocu"
    rocu.save()
    mine = operation("dp.sio")
    with django_capture_on_commit_callbacks(execute=True):
        subject, _hits = identifier(mine, SubjectKind.PHONE, "07700 900123")
    # The tests' task backend runs the send at once: the peer (nothing listens) is down.
    [check] = FederatedCheck.objects.filter(direction=FederatedCheck.OUT)
    assert check.subject == subject
    assert check.status == FederatedCheck.PENDING
    assert check.attempts == 1
    assert "connection" in check.last_error
    assert check.tokens == sorted(encoding.encode(subject))
    assert federation.send_pending() == (0, 1)
    check.refresh_from_db()
    assert check.attempts == 2


# --- the demo -----------------------------------------------------------------------------


def test_the_demo_has_hits_on_british_transport_polices_instance(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", "--scale", "demo", "--no-progress", stdout=io.StringIO())
    hits = Hit.objects.filter(peer__name="btp-concord").order_by("reference")
    assert sorted(h.b_organisation.code for h in hits) == ["BTP", "BTP"]
    assert sorted(h.a_organisation.code for h in hits) == ["DYP", "TARIAN"]
    assert all(h.sides.count() == 1 for h in hits)
    desk = Client()
    desk.force_login(persona("nca.watchdesk"))
    queue = desk.get("/deconfliction/desk/").content.decode()
    assert "on British Transport Police&#x27;s instance" in queue or (
        "on British Transport Police's instance" in queue
    )
    side = HitSide.objects.get(hit__peer__name="btp-concord", operation__owner__code="TARIAN")
    party = Client()
    party.force_login(persona("tarian.sio"))
    page = party.get(
        f"/deconfliction/hits/{side.pk}/", HTTP_X_ACCESS_REASON="Deconfliction", follow=True
    ).content.decode()
    assert "BTP Wales and Western, Cardiff Central duty desk" in page
    assert "British Transport Police" in page
    assert 'data-testid="on-peer"' in page


def test_a_new_secret_is_taken_up_by_reindexing(settings):
    subject, _hits = person(operation("dp.sio"), "William", "Jones", dt.date(1988, 3, 7))
    before = set(FederatedToken.objects.filter(subject=subject).values_list("token", flat=True))
    assert before == set(encoding.encode(subject))
    settings.DECONFLICTION_SECRET = "the-federation-s-next-secret-" + "z" * 20
    out = io.StringIO()
    call_command("deconflict", "federate", "--reindex", stdout=out)
    assert "re-made for 1 subjects" in out.getvalue()
    after = set(FederatedToken.objects.filter(subject=subject).values_list("token", flat=True))
    assert after == set(encoding.encode(subject))
    assert after.isdisjoint(before)


def test_the_operator_writes_the_federation_secret_to_its_file(settings, tmp_path):
    from django.core.management.base import CommandError

    settings.DECONFLICTION_SECRET = ""
    settings.DECONFLICTION_SECRET_FILE = tmp_path / "deconfliction.secret"
    assert not encoding.configured()
    out = io.StringIO()
    call_command("federation", "deconfliction-secret", stdout=out, stderr=io.StringIO())
    made = out.getvalue().strip()
    assert len(made) >= 32
    assert settings.DECONFLICTION_SECRET_FILE.read_text().strip() == made
    assert settings.DECONFLICTION_SECRET_FILE.stat().st_mode & 0o777 == 0o600
    assert encoding.configured()
    with pytest.raises(CommandError, match="exists"):
        call_command("federation", "deconfliction-secret", "--set", "x" * 40)
    with pytest.raises(CommandError, match="at least 32"):
        call_command("federation", "deconfliction-secret", "--set", "short", "--force")
    agreed = "the-secret-the-coordinator-gave-us-" + "q" * 10
    call_command(
        "federation",
        "deconfliction-secret",
        "--set",
        agreed,
        "--force",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert settings.DECONFLICTION_SECRET_FILE.read_text().strip() == agreed
    # Taken up without a restart: the file is read again once it has changed.
    assert encoding.secret() == agreed.encode()
