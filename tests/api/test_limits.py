"""Every API list pages with one bounded `limit` and `offset` (core/api.py): the OpenAPI document
says the bounds, and a value out of range is a 422 naming the field, never a 500."""

from __future__ import annotations

import pytest

from concord.organisations.services import issue_api_token

pytestmark = pytest.mark.django_db

# The documented bounds (README, the OpenAPI document; concord.core.api holds them).
MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000

OUT_OF_RANGE = [
    ("limit", 0),
    ("limit", -1),
    ("limit", MAX_LIMIT + 1),
    ("limit", 2**63),
    ("limit", 2**64 + 1),
    ("limit", 10**40),
    ("offset", -1),
    ("offset", MAX_OFFSET + 1),
    ("offset", 2**63 - 1),
    ("offset", 2**63),
    ("offset", 10**40),
]


def _pages(op) -> bool:
    ok = op.responses.get("200", {}).get("content", {}).get("application/json", {})
    return ok.get("schema", {}).get("$ref", "").startswith("#/components/schemas/Paged")


@pytest.fixture
def lists(operations):
    found = [op for op in operations if op.parameter("limit") is not None]
    # Every list endpoint of the API, and only lists, pages.
    assert {op.label for op in found} == {op.label for op in operations if _pages(op)}
    assert len(found) >= 9
    return found


@pytest.fixture
def bearer(cast):
    person = cast("dp.lro")
    _token, raw = issue_api_token(actor=person, person=person, name="limits", days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_every_list_documents_the_same_bounds(lists):
    for op in lists:
        limit = op.parameter("limit")["schema"]
        offset = op.parameter("offset")["schema"]
        assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, MAX_LIMIT, 100)
        assert (offset["minimum"], offset["maximum"], offset["default"]) == (0, MAX_OFFSET, 0)
        assert "422" in op.responses, op.label


@pytest.mark.parametrize(("field", "value"), OUT_OF_RANGE)
def test_out_of_range_answers_422_naming_the_field_on_every_list(
    client, lists, bearer, field, value
):
    for op in lists:
        response = client.get(op.url, {field: value}, **bearer)
        assert response.status_code == 422, (op.label, field, value)
        errors = response.json()["errors"]
        assert list(errors) == [field], (op.label, errors)
        assert errors[field]
        assert all(isinstance(message, str) for message in errors[field])


@pytest.mark.parametrize("value", ["ten", "1.5", "", "1e3"])
def test_a_limit_that_is_not_a_whole_number_answers_422(client, lists, bearer, value):
    for op in lists:
        response = client.get(op.url, {"limit": value}, **bearer)
        assert response.status_code == 422, (op.label, value)
        assert "limit" in response.json()["errors"]


@pytest.fixture
def chaired(cast):
    """A forum the bearer chairs, with a meeting: the lists under one answer 200 to them."""
    import datetime as dt

    from django.utils import timezone

    from concord.meetings import services as meetings
    from concord.meetings.choices import ForumKind, ForumLevel
    from concord.meetings.models import Forum
    from tests.factories import organisation

    chair = cast("dp.lro")
    forum = Forum.objects.create(
        organisation=organisation("DYP"),
        name="SOC tasking",
        level=ForumLevel.FORCE,
        kind=ForumKind.TACTICAL,
        chair=chair,
    )
    meeting = meetings.schedule(
        actor=chair, forum=forum, starts_at=timezone.now() + dt.timedelta(days=2), location="HQ"
    )
    return {"/api/v1/forums/{pk}": forum.pk, "/api/v1/meetings/{pk}": meeting.pk}


def test_the_bounds_themselves_are_accepted(client, lists, bearer, chaired):
    for op in lists:
        url = op.url
        for prefix, pk in chaired.items():
            if op.path.startswith(prefix):
                url = op.path.replace("{pk}", str(pk))
        response = client.get(url, {"limit": MAX_LIMIT, "offset": MAX_OFFSET}, **bearer)
        assert response.status_code == 200, op.label
        assert response.json()["items"] == []


def test_other_validation_errors_have_the_same_shape(client, bearer):
    response = client.get("/api/v1/organisations", {"kind": "gang", "limit": 5000}, **bearer)
    assert response.status_code == 422
    body = response.json()
    assert set(body["errors"]) == {"kind", "limit"}
    # pydantic's own account stays under "detail", located by source.
    assert {tuple(issue["loc"]) for issue in body["detail"]} == {
        ("query", "kind"),
        ("query", "limit"),
    }
