"""The 4P plan API: a partner's actions and claims, the LRO's plan and validation."""

from __future__ import annotations

import pytest
from django.utils import timezone

from concord.organisations.services import issue_api_token
from concord.ownership import services as ownership
from concord.plans import services
from concord.plans.models import Disruption
from tests.access.registry import make_ocg
from tests.factories import organisation

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    _token, raw = issue_api_token(actor=user, person=user, name="script", days=30)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_partner_works_its_actions_through_the_api_and_sees_nothing_more(client, cast):
    sio, lro, partner = cast("gmp.sio"), cast("gmp.lro"), cast("mcc.partner")
    ocg = make_ocg("GMP", "OFFICIAL", False)
    ownership.appoint(actor=sio, item=ocg, role="lro", person=lro)
    prevent = services.add_objective(actor=lro, item=ocg, strand="prevent", text="Divert the young")
    mine = services.add_action(
        actor=lro,
        objective=prevent,
        description="Youth outreach",
        due_on=timezone.localdate(),
        owner_organisation=organisation("MCC"),
    )
    pursue = services.add_objective(actor=lro, item=ocg, strand="pursue", text="Charge them")
    theirs = services.add_action(
        actor=lro,
        objective=pursue,
        description="Warrants",
        due_on=timezone.localdate(),
        owner_person=sio,
    )
    as_partner = bearer(partner)
    listed = client.get("/api/v1/actions", **as_partner).json()
    assert [a["description"] for a in listed["items"]] == ["Youth outreach"]
    assert listed["items"][0]["item"] == ocg.reference
    assert client.get(f"/api/v1/plans/ocg/{ocg.reference}", **as_partner).status_code == 404
    assert (
        client.post(
            f"/api/v1/actions/{theirs.pk}",
            {"status": "done", "outcome": "x"},
            content_type="application/json",
            **as_partner,
        ).status_code
        == 404
    )
    done = client.post(
        f"/api/v1/actions/{mine.pk}",
        {"status": "done", "outcome": "Twenty reached"},
        content_type="application/json",
        **as_partner,
    )
    assert done.json()["status"] == "done"
    bad = client.post(
        "/api/v1/disruptions",
        {
            "item": ocg.reference,
            "strand": "prevent",
            "impact": "minor",
            "occurred_on": timezone.localdate().isoformat(),
            "narrative": "Two diverted from the line",
            "action": mine.pk,
            "outcomes": {"referrals": "-2"},
        },
        content_type="application/json",
        **as_partner,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"referrals": ["Cannot be negative."]}
    assert not Disruption.objects.exists()
    claimed = client.post(
        "/api/v1/disruptions",
        {
            "item": ocg.reference,
            "strand": "prevent",
            "impact": "minor",
            "occurred_on": timezone.localdate().isoformat(),
            "narrative": "Two diverted from the line",
            "action": mine.pk,
            "outcomes": {"referrals": 2},
        },
        content_type="application/json",
        **as_partner,
    )
    assert claimed.status_code == 201
    as_lro = bearer(lro)
    plan = client.get(f"/api/v1/plans/ocg/{ocg.reference}", **as_lro).json()
    assert [o["strand"] for o in plan["objectives"]] == ["prevent", "pursue"]
    validated = client.post(
        f"/api/v1/disruptions/{claimed.json()['id']}/validation",
        {"validate_it": True},
        content_type="application/json",
        **as_lro,
    )
    assert validated.json()["status"] == "validated"
    outsider = bearer(cast("dp.lro"))
    assert client.get("/api/v1/disruptions", **outsider).json()["count"] == 0
    assert client.get(f"/api/v1/plans/ocg/{ocg.reference}", **outsider).status_code == 404
