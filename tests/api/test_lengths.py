"""Text longer than its column is a 422 naming the field, not a 500 from PostgreSQL (which
refuses it) nor a silent write on SQLite (which does not): the request schemas bound what the
columns bound, and the OpenAPI document says so."""

from __future__ import annotations

import datetime as dt

import pytest

from concord.organisations.services import issue_api_token
from tests.access.registry import make_report

pytestmark = pytest.mark.django_db


def _bearer(person):
    _token, raw = issue_api_token(actor=person, person=person, name="lengths", days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def _report(**overrides):
    return {
        "title": "Supply route",
        "text": "Cash couriers use the M4 services on Fridays.",
        "information_date": dt.date.today().isoformat(),
        "source_evaluation": "1",
        "intelligence_assessment": "B",
        "handling_code": "P",
        **overrides,
    }


def test_a_tasking_capability_past_its_column_answers_422(client, cast):
    due = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    body = {
        "to_organisation": "TARIAN",
        "capability": "C" * 201,
        "asked": "Two weeks",
        "reason": "National firearms network",
        "respond_by": due,
    }
    response = _post(client, "/api/v1/tasking", body, _bearer(cast("nca.tasking")))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["capability"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "T" * 201), ("place", "P" * 201), ("legacy_grading", "L" * 21)],
)
def test_a_report_field_past_its_column_answers_422(client, cast, field, value):
    body = _report(**{field: value})
    if field == "legacy_grading":
        body.update(source_evaluation="", intelligence_assessment="", handling_code="")
    response = _post(client, "/api/v1/intelligence", body, _bearer(cast("dp.analyst")))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


def test_a_sharing_purpose_past_its_column_answers_422(client, cast):
    report = make_report("DYP", "OFFICIAL", False)
    response = _post(
        client,
        f"/api/v1/intelligence/{report.reference}/share",
        {"to": ["GMP"], "purpose": "P" * 301},
        _bearer(cast("dp.analyst")),
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["purpose"]


def test_at_their_bounds_they_are_accepted(client, cast):
    headers = _bearer(cast("dp.analyst"))
    made = _post(client, "/api/v1/intelligence", _report(title="T" * 200), headers)
    assert made.status_code == 201
    assert made.json()["title"] == "T" * 200
