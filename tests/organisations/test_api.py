"""The API: bearer tokens and session auth, /me, organisations, the OpenAPI document."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.organisations import services
from concord.organisations.models import ApiToken

pytestmark = pytest.mark.django_db


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_me_with_a_token_returns_that_person(client, cast):
    person = cast("dp.lro")
    _, token = services.issue_api_token(actor=person, person=person, name="script", days=30)
    response = client.get("/api/v1/me", **bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "dp.lro"
    assert body["organisation"]["name"] == "Dyfed-Powys Police"
    assert body["roles"] == ["lro"]
    assert body["vetting_level"] == "NPPV3"


def test_a_token_is_stored_only_as_a_digest(cast):
    person = cast("dp.lro")
    token, plaintext = services.issue_api_token(actor=person, person=person, name="x", days=1)
    stored = ApiToken.objects.get(pk=token.pk)
    assert plaintext not in (stored.digest, stored.prefix)
    assert plaintext.startswith(stored.prefix)


@pytest.mark.parametrize(
    "case", ["unknown", "revoked", "expired_token", "expired_vetting", "inactive"]
)
def test_refused_tokens_get_one_undifferentiated_401(client, cast, case):
    person = cast("dp.lro")
    token, plaintext = services.issue_api_token(actor=person, person=person, name="x", days=30)
    if case == "unknown":
        plaintext = "cnc_" + "A" * 43
    elif case == "revoked":
        services.revoke_api_token(actor=person, token=token)
    elif case == "expired_token":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    elif case == "expired_vetting":
        person.vetting_expires = timezone.localdate() - dt.timedelta(days=1)
        person.save()
    elif case == "inactive":
        person.is_active = False
        person.save()
    response = client.get("/api/v1/me", **bearer(plaintext))
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_no_credentials_get_401(client, db):
    assert client.get("/api/v1/me").status_code == 401


def test_the_browser_session_works_for_reads(client, cast):
    client.force_login(cast("gmp.sio"))
    assert client.get("/api/v1/me").json()["organisation"]["code"] == "GMP"


def test_token_use_is_recorded(client, cast):
    person = cast("dp.lro")
    token, plaintext = services.issue_api_token(actor=person, person=person, name="x", days=30)
    client.get("/api/v1/me", **bearer(plaintext))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_organisations_are_listed_filtered_and_paginated(client, cast):
    client.force_login(cast("dp.analyst"))
    response = client.get("/api/v1/organisations", {"region": "southern-wales", "kind": "force"})
    body = response.json()
    assert body["count"] == 3
    assert {o["code"] for o in body["items"]} == {"DYP", "GWE", "SWP"}
    page = client.get("/api/v1/organisations", {"limit": 5, "offset": 5}).json()
    assert len(page["items"]) == 5
    assert page["count"] == 59


def test_a_bad_filter_is_named_in_the_error(client, cast):
    client.force_login(cast("dp.analyst"))
    response = client.get("/api/v1/organisations", {"kind": "gang"})
    assert response.status_code == 422
    assert "kind" in str(response.json()["detail"])


def test_one_organisation_by_code(client, cast):
    client.force_login(cast("dp.analyst"))
    body = client.get("/api/v1/organisations/tarian").json()
    assert body["region"] == "southern-wales"
    assert body["lead_force"] == "SWP"
    assert client.get("/api/v1/organisations/NOPE").status_code == 404


def test_openapi_document_is_served_and_describes_me(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/me" in spec["paths"]
    assert "/api/v1/organisations" in spec["paths"]


def test_the_api_list_query_count_does_not_grow_with_rows(client, cast):
    client.force_login(cast("dp.analyst"))
    client.get("/api/v1/organisations", {"limit": 1})  # warm up session and content types
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/organisations", {"limit": 2})
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/organisations", {"limit": 100})
    assert len(response.json()["items"]) == 59
    assert len(many) == len(few)
