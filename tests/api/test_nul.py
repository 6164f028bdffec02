"""Text holding a NUL character (which PostgreSQL can neither store nor compare) is a 422
naming the field, wherever it comes: a path, a filter, a body; never a 500."""

from __future__ import annotations

import pytest

from concord.organisations.services import issue_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(cast):
    person = cast("nca.tasking")
    _token, raw = issue_api_token(actor=person, person=person, name="nul", days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/ocgs?q=a%00b", "q"),
        ("/api/v1/organisations?q=%00", "q"),
        ("/api/v1/intelligence?origin=peer%00", "origin"),
        ("/api/v1/ocgs/OCG%00", "reference"),
        ("/api/v1/organisations/DY%00P", "code"),
        ("/api/v1/ownership/ocg/OCG-%00", "reference"),
    ],
)
def test_a_nul_in_a_path_or_filter_answers_422(client, bearer, url, field):
    response = client.get(url, **bearer)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


def test_a_nul_in_a_body_answers_422_naming_the_field(client, bearer):
    response = client.post(
        "/api/v1/tasking",
        {
            "to_organisation": "TARIAN",
            "capability": "Covert\x00 surveillance",
            "asked": "Two weeks",
            "reason": "National firearms network",
            "respond_by": "2999-01-01",
        },
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"capability": ["Text cannot hold a NUL character."]}
    listed = client.post(
        "/api/v1/intelligence/INT-NONE-1/share",
        {"to": ["DYP", "GM\x00P"], "purpose": "Firearms supply"},
        content_type="application/json",
        **bearer,
    )
    assert listed.status_code == 422
    assert list(listed.json()["errors"]) == ["to.1"]


def test_without_a_token_a_nul_still_answers_401(client):
    assert client.get("/api/v1/ocgs?q=%00").status_code == 401
