"""Deconfliction across two instances (issue 14, item 6): Tarian's ROCU instance holds a
person and a phone in an operation; Dyfed-Powys registers the same person under a nickname
with day and month swapped, and the phone written differently. The check travels as keyed
hashes in a signed envelope; both sides get a hit with the same reference and each other's
pointer, neither sees the other's subject, and the bytes on the wire hold no identifier.
A tampered envelope is refused and records nothing; a peer that is down leaves the local
registration intact and the check pending, sent once the peer is back, without duplicates."""

from __future__ import annotations

import json
import re

import requests

from tests.federation.conftest import Instance
from tests.federation.proxy import Proxy

REGISTER = """
import datetime as dt, json
from django.utils import timezone
from concord.deconfliction import services
from concord.deconfliction.models import FederatedCheck
from concord.organisations.models import User
actor = User.objects.get(username="{username}")
operation = services.register_operation(actor=actor, details=services.OperationDetails(
    name="{operation}", contact_name="{contact}", starts=timezone.localdate()))
refs = []
for details in [
    services.SubjectDetails(kind="person", given_name="{given}", surname="Jones",
                            dob=dt.date({dob})),
    services.SubjectDetails(kind="phone", value="{phone}"),
]:
    subject, hits = services.register_subject(actor=actor, operation=operation, details=details)
    refs += [h.reference for h in hits]
print(json.dumps({{"local_hits": refs, "operation": operation.pk,
                  "pending": FederatedCheck.objects.filter(status="pending").count()}}))
"""

HITS = """
import json
from concord.deconfliction.models import FederatedCheck, Hit, HitSide, Subject
print(json.dumps({
    "hits": sorted([
        {"reference": h.reference, "a": h.a_organisation.code, "a_contact": h.a_contact,
         "b": h.b_organisation.code, "b_contact": h.b_contact,
         "peer": h.peer.name if h.peer else None, "agreed": h.agreed,
         "sides": [[s.side, s.operation.owner.code, s.subject.kind] for s in h.sides.all()]}
        for h in Hit.objects.all()
    ], key=lambda h: h["reference"]),
    "subjects": sorted(f"{s.given_name} {s.surname} {s.value}".strip()
                       for s in Subject.objects.all()),
    "pending": FederatedCheck.objects.filter(status="pending").count(),
    "checks": sorted([c.direction, c.status] for c in FederatedCheck.objects.all()),
    "errors": [c.last_error for c in FederatedCheck.objects.exclude(last_error="")],
}))
"""

PAGE = """
import json
from django.test import Client
from concord.deconfliction.models import HitSide
from concord.organisations.models import User
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username="{username}"))
side = HitSide.objects.get(hit__reference="{ref}")
page = client.get(f"/deconfliction/hits/{{side.pk}}/", HTTP_X_ACCESS_REASON="Deconfliction",
                  follow=True)
print(json.dumps({{"status": page.status_code, "html": page.content.decode()}}))
"""

FORCE_CONTACT = "Dyfed desk DI Morgan"
ROCU_CONTACT = "Tarian intelligence desk"


def register_at_rocu(rocu: Instance) -> dict:
    result: dict = rocu.run(
        REGISTER.format(
            username="tarian.sio",
            operation="Operation Glas",
            contact=ROCU_CONTACT,
            given="William",
            dob="1988, 3, 7",
            phone="07700 900123",
        )
    )
    return result


# Background work queued in the database, as in production (the tests' default runs each
# task inline where it is enqueued), so that a worker sends the checks.
QUEUED = {"CONCORD_TASK_BACKEND": "database"}


def register_at_force(force: Instance) -> dict:
    result: dict = force.run(
        REGISTER.format(
            username="dp.analyst",
            operation="Operation Coch",
            contact=FORCE_CONTACT,
            given="Bill",
            dob="1988, 7, 3",
            phone="+44 7700 900123",
        ),
        env=QUEUED,
    )
    return result


def state(instance: Instance) -> dict:
    result: dict = instance.run(HITS)
    return result


def route(force: Instance, url: str) -> None:
    force.run(
        "from concord.intelligence.models import Peer\n"
        f"Peer.objects.filter(name='rocu').update(url='{url}')\nprint('null')"
    )


def work(force: Instance, attempts: int = 3) -> None:
    """Run the force's queued background work (the checks' sending) once, as a worker does."""
    force.concord("worker", "--batch", env={**QUEUED, "CONCORD_TASK_ATTEMPTS": str(attempts)})


# Each identifier in any format: the names, the phone's digits with or without separators,
# the date of birth as a year standing alone (not inside a hex hash) or written out.
IDENTIFIERS = [
    re.compile(rb"(?i)william"),
    re.compile(rb"(?i)bill"),
    re.compile(rb"(?i)jones"),
    re.compile(rb"7\D?7\D?0\D?0\D?9\D?0\D?0\D?1\D?2\D?3"),
    re.compile(rb"(?<![0-9a-fA-F])1988(?![0-9a-fA-F])"),
    re.compile(rb"(?i)march|july"),
    re.compile(rb"0?3\D0?7\D(19)?88|0?7\D0?3\D(19)?88"),
]


def test_a_nickname_with_a_swapped_date_and_a_phone_written_otherwise_meet_across_instances(
    pair,
):
    force, rocu = pair
    held = register_at_rocu(rocu)
    assert held["local_hits"] == []
    proxy = Proxy(rocu.port)
    try:
        route(force, proxy.url)
        registered = register_at_force(force)
        # Nothing local matched, and the registration is done before any peer is asked.
        assert registered["local_hits"] == []
        assert registered["pending"] == 2
        work(force)
        captured = proxy.captured
    finally:
        proxy.close()

    at_force, at_rocu = state(force), state(rocu)
    assert at_force["pending"] == 0, at_force["errors"]
    refs = [h["reference"] for h in at_force["hits"]]
    assert len(refs) == 2
    assert refs == [h["reference"] for h in at_rocu["hits"]]
    for mine, theirs in zip(at_force["hits"], at_rocu["hits"], strict=True):
        assert (mine["a"], mine["b"], theirs["a"], theirs["b"]) == ("DYP", "TARIAN") * 2
        assert mine["b_contact"] == ROCU_CONTACT
        assert theirs["a_contact"] == FORCE_CONTACT
        assert (mine["peer"], theirs["peer"]) == ("rocu", "force")
        # Each holds its own side only.
        assert [s[:2] for s in mine["sides"]] == [["a", "DYP"]]
        assert [s[:2] for s in theirs["sides"]] == [["b", "TARIAN"]]
        assert mine["agreed"] == theirs["agreed"]
    agreed = sorted(tuple(h["agreed"]) for h in at_force["hits"])
    assert agreed == [("given_name", "surname", "dob"), ("phone",)]
    # Neither instance holds the other's subjects.
    assert at_force["subjects"] == ["+44 7700 900123", "Bill Jones"]
    assert at_rocu["subjects"] == ["07700 900123", "William Jones"]

    # The wire carried the checks and the pointers, and no identifier in any format.
    assert b"/taxii2/api/deconfliction/check/" in captured
    assert all(ref.encode() in captured for ref in refs)
    assert ROCU_CONTACT.encode() in captured
    for pattern in IDENTIFIERS:
        assert not pattern.search(captured), pattern.pattern

    # Each party's hit page gives the pointer and says where the other party is.
    person = next(h["reference"] for h in at_force["hits"] if "dob" in h["agreed"])
    seen = force.run(PAGE.format(username="dp.analyst", ref=person))
    assert seen["status"] == 200
    assert ROCU_CONTACT in seen["html"]
    assert person in seen["html"]
    assert 'data-testid="on-peer"' in seen["html"]
    assert "William" not in seen["html"]
    seen = rocu.run(PAGE.format(username="tarian.sio", ref=person))
    assert seen["status"] == 200
    assert FORCE_CONTACT in seen["html"]
    assert "Bill" not in seen["html"]


def _request_of(raw: bytes) -> tuple[dict[str, str], bytes]:
    head, _sep, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")[1:]
    headers = dict(line.split(": ", 1) for line in lines)
    return headers, body[: int(headers["Content-Length"])]


def test_a_tampered_envelope_is_refused_and_a_replayed_one_too(pair):
    force, rocu = pair
    register_at_rocu(rocu)
    proxy = Proxy(rocu.port)
    try:
        route(force, proxy.url)
        proxy.tamper_requests = (b"Dyfed desk", b"Dyfed dosk")
        register_at_force(force)
        work(force, attempts=1)
        assert proxy.tampered >= 1
    finally:
        proxy.close()
    at_force, at_rocu = state(force), state(rocu)
    # Refused whole: nothing recorded at the peer; the checks wait at the force.
    assert at_rocu["hits"] == []
    assert ["in", "answered"] not in at_rocu["checks"]
    assert at_force["hits"] == []
    assert at_force["pending"] == 2
    assert any("Bad signature" in e for e in at_force["errors"]), at_force["errors"]

    # Sent again untampered, they are answered; an envelope replayed from the wire is refused.
    proxy = Proxy(rocu.port)
    try:
        route(force, proxy.url)
        force.concord("deconflict", "federate")
        first = next(bytes(r) for r in proxy.sent if b"deconfliction/check/" in r)
    finally:
        proxy.close()
    assert len(state(rocu)["hits"]) == 2
    headers, body = _request_of(first)
    replay = requests.post(
        f"http://127.0.0.1:{rocu.port}/taxii2/api/deconfliction/check/",
        data=body,
        headers={k: v for k, v in headers.items() if k in ("Authorization", "Content-Type")},
        timeout=30,
    )
    assert replay.status_code == 409
    assert json.loads(replay.content)["title"] == "Replayed"
    # Forged: the same envelope with a token changed is refused for its signature.
    envelope = json.loads(body)
    envelope["tokens"][0] = "0" * 32
    forged = requests.post(
        f"http://127.0.0.1:{rocu.port}/taxii2/api/deconfliction/check/",
        data=json.dumps(envelope).encode(),
        headers={"Authorization": headers["Authorization"], "Content-Type": "application/json"},
        timeout=30,
    )
    assert forged.status_code == 400
    assert json.loads(forged.content)["title"] == "Bad signature"
    assert len(state(rocu)["hits"]) == 2


def test_a_peer_that_is_down_gets_the_check_once_it_is_back_without_duplicates(pair):
    force, rocu = pair
    register_at_rocu(rocu)
    rocu.halt()
    registered = register_at_force(force)
    work(force, attempts=1)
    down = state(force)
    # The registration stands; the checks wait, their failed attempts recorded.
    assert down["subjects"] == ["+44 7700 900123", "Bill Jones"]
    assert registered["pending"] == 2
    assert down["pending"] == 2
    assert down["hits"] == []
    assert all("connection" in e for e in down["errors"])
    assert len(down["errors"]) == 2

    rocu.serve()
    sent = force.concord("deconflict", "federate").stdout
    assert "2 checks answered, 0 still pending" in sent
    at_force, at_rocu = state(force), state(rocu)
    assert len(at_force["hits"]) == 2
    assert len(at_rocu["hits"]) == 2
    # The answer lost and the checks sent again: the peer gives the same answer, and
    # neither side records anything twice.
    force.run(
        "from concord.deconfliction.models import FederatedCheck\n"
        "FederatedCheck.objects.update(status='pending')\nprint('null')"
    )
    assert "2 checks answered" in force.concord("deconflict", "federate").stdout
    assert state(force)["hits"] == at_force["hits"]
    assert state(rocu)["hits"] == at_rocu["hits"]
