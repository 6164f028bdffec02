"""Found by the form fuzzing (tests/web/test_form_fuzz.py) on PostgreSQL: a username longer than
any account's reached authentication and the lockout's log, whose column could not hold it."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["x" * 100_000, "😀" * 300])
def test_an_over_long_username_is_refused_as_a_field_error(client, username):
    response = client.post("/sign-in/", {"username": username, "password": "concord-demo"})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()
