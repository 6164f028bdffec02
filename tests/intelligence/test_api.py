"""The intelligence API: the same services and policy as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.intelligence.models import IntelReport
from tests.factories import UserFactory, organisation

pytestmark = pytest.mark.django_db

REASON = {"HTTP_X_ACCESS_REASON": "Firearms tasking for Tarian"}
CONDITIONS = "Law enforcement only; consult DYP before any action."


def _new(client, **extra):
    payload = {
        "title": "Firearms moved through Pembroke Dock",
        "text": "Two handguns moved by ferry on the 14th in a grey Transit.",
        "information_date": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "source_evaluation": "2",
        "intelligence_assessment": "B",
        "handling_code": "C",
        "handling_conditions": CONDITIONS,
        **extra,
    }
    return client.post("/api/v1/intelligence", payload, content_type="application/json")


def test_record_release_share_accept_and_feedback(client, cast):
    analyst = cast("dp.analyst")
    approver = UserFactory(username="dp.sro", organisation=organisation("DYP"), roles=["sro"])
    client.force_login(analyst)
    bad = _new(client, information_date="2099-01-01")
    assert (bad.status_code, list(bad.json()["errors"])) == (422, ["information_date"])
    bad = _new(client, handling_conditions="")
    assert (bad.status_code, list(bad.json()["errors"])) == (422, ["handling_conditions"])
    assert not IntelReport.objects.exists()
    made = _new(client, nominals=["NOM-DYP-999999"])
    assert made.status_code == 422
    assert "nominals" in made.json()["errors"]
    made = _new(client)
    assert made.status_code == 201
    ref = made.json()["reference"]
    assert client.post(f"/api/v1/intelligence/{ref}/release").json()["status"] == "awaiting"
    client.force_login(approver)
    assert client.post(f"/api/v1/intelligence/{ref}/approve").json()["status"] == "released"
    unknown = client.post(
        f"/api/v1/intelligence/{ref}/share",
        {"to": ["TARIAN", "NOPE"], "purpose": "Regional firearms tasking"},
        content_type="application/json",
    )
    assert unknown.status_code == 422
    assert "to" in unknown.json()["errors"]
    shared = client.post(
        f"/api/v1/intelligence/{ref}/share",
        {"to": ["TARIAN"], "purpose": "Regional firearms tasking"},
        content_type="application/json",
    )
    assert shared.status_code == 200
    # Tarian's reader gets the conditions, not the content, until accepting them.
    client.force_login(cast("tarian.sio"))
    closed = client.get(f"/api/v1/intelligence/{ref}", **REASON).json()
    assert (closed["text"], closed["conditions_accepted"]) == (None, False)
    assert closed["handling_conditions"] == CONDITIONS
    opened = client.post(f"/api/v1/intelligence/{ref}/accept", **REASON).json()
    assert opened["text"].startswith("Two handguns")
    given = client.post(
        f"/api/v1/intelligence/{ref}/feedback",
        {"kind": "corroborated", "note": "Seen at the port"},
        content_type="application/json",
        **REASON,
    )
    assert given.status_code == 201
    # Greater Manchester never had it: 404, and it is not in its list.
    client.force_login(cast("gmp.sio"))
    assert client.get(f"/api/v1/intelligence/{ref}", **REASON).status_code == 404
    assert client.get("/api/v1/intelligence").json()["count"] == 0


def test_the_list_reads_in_a_fixed_number_of_queries(client, cast):
    analyst = cast("dp.analyst")
    client.force_login(analyst)
    for _n in range(3):
        _new(client, handling_code="P", handling_conditions="")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/intelligence").json()["count"] == 3
    for _n in range(5):
        _new(client, handling_code="P", handling_conditions="")
    with CaptureQueriesContext(connection) as more:
        assert client.get("/api/v1/intelligence?limit=50").json()["count"] == 8
    assert len(more) == len(few)
