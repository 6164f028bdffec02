"""Pointer-only hits: each party learns that a conflict exists, with whom and whom to call,
and nothing of the other's subject, operation or deployment; the watch desk sees both pointers
and no content of either; no count moves for records a person may not see."""

from __future__ import annotations

import json

import pytest

from concord.deconfliction.choices import DeploymentKind, SubjectKind
from tests.access.reading import text_of
from tests.access.test_matrix import client_for
from tests.deconfliction.helpers import identifier, operation, tonight
from tests.factories import persona

pytestmark = pytest.mark.django_db

# What each side registered: never to be read by the other side or the watch desk.
NW_CONTENT = ["Operation Obsidian Lantern", "Brindlecombe Court", "YX22 QZV", "YX22QZV"]
GMP_CONTENT = ["Operation Velvet Harrier", "Quarrington Mews"]


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    persona("nca.watchdesk")
    nw = operation(
        "nwrocu.sio", name="Operation Obsidian Lantern", contact_name="NW surveillance desk"
    )
    gmp = operation("gmp.sio", name="Operation Velvet Harrier", contact_name="GMP duty DS")
    from concord.deconfliction import services

    services.register_deployment(
        actor=nw.created_by,
        operation=nw,
        details=services.DeploymentDetails(
            kind=DeploymentKind.SURVEILLANCE,
            place="Brindlecombe Court",
            postcode="M5 4WT",
            radius_m=400,
            starts=tonight(17, 6)[0],
            ends=tonight(17, 6)[1],
        ),
    )
    identifier(nw, SubjectKind.VRM, "YX22 QZV")
    with django_capture_on_commit_callbacks(execute=True):
        _d, (event,) = services.register_deployment(
            actor=gmp.created_by,
            operation=gmp,
            details=services.DeploymentDetails(
                kind=DeploymentKind.WARRANT,
                place="Quarrington Mews",
                postcode="M5 4WT",
                radius_m=100,
                starts=tonight(21, 1)[0],
                ends=tonight(21, 1)[1],
            ),
        )
        _s, (target,) = identifier(gmp, SubjectKind.VRM, "yx22qzv")
    return {"nw": nw, "gmp": gmp, "event": event, "target": target}


def _surfaces(side_pks: list[int], operation_pk: int) -> list[str]:
    return [
        "/",
        "/notifications/",
        "/deconfliction/",
        "/deconfliction/?export=csv",
        "/deconfliction/hits/",
        "/deconfliction/hits/?export=csv",
        "/deconfliction/hits/?export=xlsx",
        "/deconfliction/map/",
        f"/deconfliction/{operation_pk}/",
        "/api/v1/deconfliction/hits",
        "/api/v1/deconfliction/operations",
        *[f"/deconfliction/hits/{pk}/" for pk in side_pks],
        *[f"/api/v1/deconfliction/hits/{pk}" for pk in side_pks],
    ]


@pytest.mark.parametrize(
    ("who", "mine", "theirs", "contact"),
    [
        ("gmp.sio", "gmp", NW_CONTENT, "NW surveillance desk"),
        ("nwrocu.sio", "nw", GMP_CONTENT, "GMP duty DS"),
        ("nwrocu.chair", "nw", GMP_CONTENT, "GMP duty DS"),
        ("gmp.lro", "gmp", NW_CONTENT, "GMP duty DS"),
    ],
)
def test_each_party_is_told_whom_to_call_and_nothing_of_the_other(
    world, who, mine, theirs, contact
):
    user = persona(who)
    client = client_for(user)
    op = world[mine]
    sides = [s.pk for s in op.hit_sides.all()]
    assert len(sides) == 2
    shown = ""
    for url in _surfaces(sides, op.pk):
        response = client.get(url)
        assert response.status_code == 200, url
        shown += text_of(response)
    for secret in theirs:
        assert secret not in shown, secret
    assert world["event"].reference in shown
    assert world["target"].reference in shown
    if who.endswith(".sio"):
        assert contact in shown  # whom to call


def test_the_other_sides_hit_pages_are_not_found_to_a_party(world):
    client = client_for(persona("gmp.sio"))
    for side in world["nw"].hit_sides.all():
        assert client.get(f"/deconfliction/hits/{side.pk}/").status_code == 404
        assert client.get(f"/api/v1/deconfliction/hits/{side.pk}").status_code == 404
    assert client.get(f"/deconfliction/{world['nw'].pk}/").status_code == 404


def test_the_watch_desk_sees_both_pointers_and_no_content(world):
    client = client_for(persona("nca.watchdesk"))
    shown = ""
    urls = [
        "/",
        "/notifications/",
        "/deconfliction/desk/",
        "/deconfliction/desk/?status=all&export=csv",
        "/deconfliction/desk/?export=xlsx",
        "/api/v1/deconfliction/desk",
        f"/deconfliction/desk/{world['event'].reference}/",
        f"/deconfliction/desk/{world['target'].reference}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        shown += text_of(response)
    for secret in NW_CONTENT + GMP_CONTENT:
        assert secret not in shown, secret
    for pointer in ("NW surveillance desk", "GMP duty DS", world["event"].reference):
        assert pointer in shown
    # The watch desk sees no record behind a hit.
    for page in (
        f"/deconfliction/{world['nw'].pk}/",
        f"/deconfliction/{world['gmp'].pk}/",
        "/deconfliction/",
        f"/api/v1/deconfliction/operations/{world['nw'].pk}",
    ):
        assert client.get(page).status_code == 404, page
    assert json.loads(client.get("/api/v1/deconfliction/hits").content)["count"] == 0


def test_the_desk_is_not_found_to_anyone_else(world):
    for who in ("gmp.sio", "nwrocu.chair", "nca.tasking", "psd.auditor"):
        client = client_for(persona(who))
        assert client.get("/deconfliction/desk/").status_code == 404
        assert client.get(f"/deconfliction/desk/{world['event'].reference}/").status_code == 404
        assert json.loads(client.get("/api/v1/deconfliction/desk").content)["count"] == 0
        response = client.post(
            f"/api/v1/deconfliction/desk/{world['event'].reference}/resolution",
            json.dumps({"resolution": "joint"}),
            content_type="application/json",
        )
        assert response.status_code == 404


def test_counts_do_not_move_for_another_organisations_registrations(world):
    client = client_for(persona("dp.sio"))
    before = json.loads(client.get("/api/v1/deconfliction/operations").content)["count"]
    hits = json.loads(client.get("/api/v1/deconfliction/hits").content)["count"]
    assert (before, hits) == (0, 0)
    operation("tarian.sio", name="Operation Elsewhere")
    assert json.loads(client.get("/api/v1/deconfliction/operations").content)["count"] == 0
