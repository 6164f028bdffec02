"""The referrals API: the sender sends and reads its own; the receiving unit reads the checks
it may see and decides."""

from __future__ import annotations

import json

import pytest

from concord.referrals.models import Referral
from tests.referrals.conftest import PHONE, row

pytestmark = pytest.mark.django_db


def body(**overrides):
    values = row(**overrides)
    out = {k: v for k, v in values.items() if k not in ("people", "phones", "items")}
    out["items"] = values["items"].split("; ")
    out["people"] = [values["people"]] if values["people"] else []
    out["phones"] = [values["phones"]] if values["phones"] else []
    for key in ("addresses", "emails", "accounts"):
        out[key] = []
    return out


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_sender_sends_and_sees_the_outcome_but_no_checks(
    client, sender, triager, dyfed_nominal
):
    client.force_login(sender)
    made = post(client, "/api/v1/referrals", body(phones=PHONE))
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    again = post(client, "/api/v1/referrals", body(phones=PHONE))
    assert again.status_code == 201
    assert again.json()["id"] == pk
    seen = client.get(f"/api/v1/referrals/{pk}").json()
    assert seen["status"] == "received"
    assert seen["pointers"] is None
    assert seen["matches"] is None
    assert seen["priority"] is None
    listed = client.get("/api/v1/referrals?scope=sent").json()
    assert listed["count"] == 1
    # The sender cannot decide.
    refused = post(
        client, f"/api/v1/referrals/{pk}/decision", {"decision": "nfa", "note": "x" * 12}
    )
    assert refused.status_code == 404
    client.force_login(triager)
    shown = client.get(f"/api/v1/referrals/{pk}").json()
    assert shown["matches"] == []
    assert [p["owner"] for p in shown["pointers"]] == ["DYP"]
    assert dyfed_nominal.reference not in json.dumps(shown)
    assert client.get("/api/v1/referrals?scope=queue").json()["count"] == 1
    decided = post(
        client,
        f"/api/v1/referrals/{pk}/decision",
        {"decision": "intelligence", "source_evaluation": "1", "intelligence_assessment": "A"},
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["decision"] == "intelligence"
    client.force_login(sender)
    outcome = client.get(f"/api/v1/referrals/{pk}")
    assert outcome.json()["decision"] == "intelligence"
    assert dyfed_nominal.reference not in outcome.content.decode()
    assert "Xylander" not in outcome.content.decode()


def test_bad_input_is_refused_by_field(client, sender):
    client.force_login(sender)
    response = post(client, "/api/v1/referrals", body(postcode="nowhere"))
    assert response.status_code == 422
    assert "postcode" in response.json()["errors"]
    assert not Referral.objects.exists()


def test_nobody_else_reads_a_referral(client, sender):
    from tests.factories import persona

    client.force_login(sender)
    pk = post(client, "/api/v1/referrals", body()).json()["id"]
    for outsider in ("dp.analyst", "mcc.partner", "nca.tasking"):
        client.force_login(persona(outsider))
        assert client.get(f"/api/v1/referrals/{pk}").status_code == 404
        assert client.get(f"/referrals/{pk}/").status_code == 404
