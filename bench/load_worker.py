"""Runs inside a bench subprocess (Django set up by env) for bench/bench_load.py.

`prepare`: upgrades the demo sign-ins' password hashes one at a time (see below), makes the
instance's federation key (so that the web processes, which share it, do not race to make
it), issues API bearer tokens to the API clients' people (as `concord issue_token` does) and
registers a TAXII peer (as `concord federation add-peer` does) for the organisation with the
largest feed; prints what the locust scenario needs as JSON.

`cleanup`: revokes the tokens and sets the peer inactive, so the world is left as it was
found but for the work the scenario did.

`queue`: the background task queue by status (JSON), to show whether the worker kept up.
"""

from __future__ import annotations

import base64
import json
import sys

import django

django.setup()

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat  # noqa: E402
from django.db.models import Count  # noqa: E402
from django_tasks.backends.database.models import DBTaskResult  # noqa: E402

from concord.core import context  # noqa: E402
from concord.core.seeding import DEMO_PASSWORD  # noqa: E402
from concord.intelligence import feed, signing  # noqa: E402
from concord.intelligence.federation import register_peer  # noqa: E402
from concord.intelligence.models import FeedObject, Peer  # noqa: E402
from concord.intelligence.taxii import protocol  # noqa: E402
from concord.organisations import services  # noqa: E402
from concord.organisations.models import ApiToken, User  # noqa: E402
from concord.organisations.seed import PERSONA_USERNAMES  # noqa: E402

PEER = "bench-load"
TOKEN_NAME = "bench load"  # noqa: S105  # a token's label, not a secret
CURSORS = 20
# The demo sign-ins, by the part each plays in the working day (concord demo_signins).
READERS = [
    "dp.analyst",
    "wilts.analyst",
    "swrocu.triage",
    "dp.sio",
    "tarian.sio",
    "gmp.sio",
    "nwrocu.sio",
]
LROS = ["dp.lro", "gmp.lro", "dp.newlro"]
CHAIRS = ["tarian.chair", "nwrocu.chair", "nca.tasking"]
PARTNERS = ["bf.partner", "mcc.partner"]
API_CLIENTS = ["dp.analyst", "swrocu.triage", "tarian.sio"]


def prepare() -> dict[str, object]:
    missing = sorted(set(READERS + LROS + CHAIRS + PARTNERS) - set(PERSONA_USERNAMES))
    assert not missing, f"not demo sign-ins: {missing}"
    people = {u.username: u for u in User.objects.filter(username__in=PERSONA_USERNAMES)}
    absent = sorted(set(READERS + LROS + CHAIRS + PARTNERS) - set(people))
    if absent:
        raise SystemExit(f"The database has no demo world (no {', '.join(absent)}).")
    # Each person has signed in before, as on any working day. The seed hashes the demo
    # password with one fixed salt, which Django replaces (a new salt, so a new session
    # hash) at a person's first sign-in: two first sign-ins of one person at once would
    # sign one of them out. Checked here one at a time, the hash is upgraded once.
    for username in sorted(set(READERS + LROS + CHAIRS + PARTNERS)):
        if not people[username].check_password(DEMO_PASSWORD):
            raise SystemExit(f"{username} does not have the demo password.")
    signing.public_key_text()  # makes CONCORD_FEDERATION_KEY_FILE if absent
    tokens = []
    with context.acting(source="cli"):
        for username in API_CLIENTS:
            person = people[username]
            _token, plaintext = services.issue_api_token(
                actor=person, person=person, name=TOKEN_NAME, days=1
            )
            tokens.append({"username": username, "token": plaintext})
    # The peer speaks for the organisation whose feed is largest (the heaviest sync).
    biggest = (
        FeedObject.objects.values("organisation__code")
        .annotate(n=Count("id"))
        .order_by("-n", "organisation__code")
        .first()
    )
    theirs = biggest["organisation__code"] if biggest else "TARIAN"
    ours = "NCA" if theirs != "NCA" else "TARIAN"
    key = Ed25519PrivateKey.generate().public_key()
    public = base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    peer, token = register_peer(
        name=PEER,
        organisation=theirs,
        local_organisation=ours,
        url="http://127.0.0.1:9/taxii2/api/",  # never called: the scenario reads from us
        public_key=public,
        deconflicts=False,
    )
    # Where the peer's earlier syncs may have left its cursor: evenly spread through its feed,
    # so each sync in the scenario reads from a different point to the end.
    rows = feed.readable(peer.account, peer_id=peer.pk).order_by("date_added")
    added = list(rows.values_list("date_added", flat=True))
    readable = len(added)
    cursors = [""] + [
        protocol.stamp(added[readable * i // CURSORS]) for i in range(1, CURSORS) if readable
    ]
    return {
        "password": DEMO_PASSWORD,
        "readers": READERS,
        "lros": LROS,
        "chairs": CHAIRS,
        "partners": PARTNERS,
        "api_tokens": tokens,
        "peer": {
            "organisation": theirs,
            "token": token,
            "objects": readable,
            "cursors": cursors,
        },
    }


def cleanup() -> dict[str, int]:
    revoked = 0
    with context.acting(source="cli"):
        for token in ApiToken.objects.filter(name=TOKEN_NAME, revoked_at__isnull=True):
            services.revoke_api_token(actor=token.user, token=token)
            revoked += 1
    peers = Peer.objects.filter(name=PEER).update(active=False)
    return {"revoked": revoked, "peers": peers}


def queue() -> dict[str, int]:
    rows = DBTaskResult.objects.values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


if __name__ == "__main__":
    what = sys.argv[1]
    found = {"prepare": prepare, "cleanup": cleanup, "queue": queue}[what]()
    print(json.dumps(found))
