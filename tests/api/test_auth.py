"""Without a valid token or a signed-in session, every API operation answers 401 with
`WWW-Authenticate: Bearer`, whatever its method (the README's promise); only a signed-in
browser session's write without its CSRF token answers 403."""

from __future__ import annotations

import pytest
from django.test import Client

from concord.organisations.services import issue_api_token, revoke_api_token

pytestmark = pytest.mark.django_db

BAD_CREDENTIALS = [
    {},
    {"HTTP_AUTHORIZATION": "Bearer cnc_" + "A" * 43},
    {"HTTP_AUTHORIZATION": "Bearer "},
    {"HTTP_AUTHORIZATION": "Bearer"},
    {"HTTP_AUTHORIZATION": "bearer " + "x" * 500},
    {"HTTP_AUTHORIZATION": "Basic ZHAubHJvOmNvbmNvcmQtZGVtbw=="},
    {"HTTP_AUTHORIZATION": "Token abc"},
]


def _call(client: Client, op, **extra):
    if op.method == "get":
        return client.get(op.url, **extra)
    return client.generic(op.method.upper(), op.url, "{}", "application/json", **extra)


def _assert_401(response, label):
    assert response.status_code == 401, (label, response.status_code, response.content[:200])
    assert response["WWW-Authenticate"] == "Bearer", label
    assert response.json() == {"detail": "Unauthorized"}, label


@pytest.mark.parametrize("credentials", BAD_CREDENTIALS, ids=range(len(BAD_CREDENTIALS)))
def test_every_operation_without_valid_credentials_answers_401(operations, credentials):
    # A client that checks CSRF as a browser's would: no token is no reason for a 403.
    client = Client(enforce_csrf_checks=True)
    for op in operations:
        _assert_401(_call(client, op, **credentials), op.label)


def test_a_revoked_token_answers_401_on_writes_too(operations, cast):
    person = cast("dp.lro")
    token, raw = issue_api_token(actor=person, person=person, name="x", days=1)
    revoke_api_token(actor=person, token=token)
    client = Client(enforce_csrf_checks=True)
    for op in operations:
        _assert_401(_call(client, op, HTTP_AUTHORIZATION=f"Bearer {raw}"), op.label)


def test_a_valid_token_needs_no_csrf(cast):
    person = cast("dp.lro")
    _token, raw = issue_api_token(actor=person, person=person, name="x", days=1)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/intelligence",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422  # past authentication: the body is checked


def test_a_signed_in_session_writes_only_with_its_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast("dp.lro"))
    assert client.get("/api/v1/me").status_code == 200
    refused = client.post("/api/v1/intelligence", {}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check Failed"}
    client.get("/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    allowed = client.post(
        "/api/v1/intelligence", {}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert allowed.status_code == 422


def test_an_unsupported_method_answers_405_not_403(client):
    for method in ("PUT", "PATCH", "DELETE"):
        response = client.generic(method, "/api/v1/transfers", "{}", "application/json")
        assert response.status_code == 405
        assert "POST" in response["Allow"]
