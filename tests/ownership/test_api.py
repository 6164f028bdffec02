"""The ownership API: the same services, policy and audit as the pages, with bearer tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concord.organisations.services import issue_api_token
from concord.ownership.models import TaskingRequest, TransferRequest
from tests.access.registry import make_ocg

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    _token, raw = issue_api_token(actor=user, person=user, name="script", days=30)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_nca_tasks_a_rocu_and_the_rocu_declines_through_the_api(client, cast):
    nca, chair = cast("nca.tasking"), cast("tarian.chair")
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    bad = client.post(
        "/api/v1/tasking",
        {
            "to_organisation": "DYP",
            "capability": "Surveillance",
            "asked": "Two weeks",
            "reason": "National firearms network",
            "respond_by": due,
        },
        content_type="application/json",
        **bearer(nca),
    )
    assert bad.status_code == 422
    assert "to_organisation" in bad.json()["errors"]
    assert not TaskingRequest.objects.exists()
    made = client.post(
        "/api/v1/tasking",
        {
            "to_organisation": "TARIAN",
            "capability": "Surveillance",
            "asked": "Two weeks",
            "reason": "National firearms network",
            "respond_by": due,
            "urgency": "urgent",
        },
        content_type="application/json",
        **bearer(nca),
    )
    assert made.status_code == 201
    reference = made.json()["reference"]
    as_chair = bearer(chair)
    listed = client.get("/api/v1/tasking", **as_chair).json()
    assert [t["reference"] for t in listed["items"]] == [reference]
    declined = client.post(
        f"/api/v1/tasking/{reference}/decision",
        {"decision": "decline", "reason": "Surveillance team committed elsewhere"},
        content_type="application/json",
        **as_chair,
    )
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert declined.json()["decision_reason"] == "Surveillance team committed elsewhere"
    outsider = bearer(cast("gmp.lro"))
    assert client.get(f"/api/v1/tasking/{reference}", **outsider).status_code == 404
    assert client.get("/api/v1/tasking", **outsider).json()["count"] == 0


def test_transfers_and_ownership_through_the_api(client, cast):
    dp_sio, chair = cast("dp.sio"), cast("tarian.chair")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    made = client.post(
        "/api/v1/transfers",
        {
            "item": ocg.reference,
            "kind": "support",
            "to_organisation": "TARIAN",
            "reason": "Firearms supply across three forces",
            "asked": "An SIO",
        },
        content_type="application/json",
        **bearer(dp_sio),
    )
    assert made.status_code == 201
    transfer_id = made.json()["id"]
    wrong = client.post(
        f"/api/v1/transfers/{transfer_id}/decision",
        {"decision": "accept"},
        content_type="application/json",
        **bearer(cast("tarian.sio")),  # not a decider: as if it were not there
    )
    assert wrong.status_code == 404
    accepted = client.post(
        f"/api/v1/transfers/{transfer_id}/decision",
        {"decision": "accept"},
        content_type="application/json",
        **bearer(chair),
    )
    assert accepted.json()["status"] == "accepted"
    assert TransferRequest.objects.get(pk=transfer_id).decided_by == chair
    owned = client.get(f"/api/v1/ownership/ocg/{ocg.reference}", **bearer(dp_sio)).json()
    assert owned["owner"] == "DYP"
    assert [p["organisation"] for p in owned["history"]] == ["DYP"]
    outsider = bearer(cast("gmp.lro"))
    assert client.get(f"/api/v1/transfers/{transfer_id}", **outsider).status_code == 404
    assert client.get(f"/api/v1/ownership/ocg/{ocg.reference}", **outsider).status_code == 404
