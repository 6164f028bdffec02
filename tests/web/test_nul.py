"""A NUL character in a page address, a filter or a form is refused with 400 before anything
reads it (PostgreSQL stores no NUL in text: it was a 500 there), and nothing is stored."""

from __future__ import annotations

import pytest

from concord.threats.models import Ocg

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/ocgs/OCG%00/", "/ocgs/?q=%00", "/search/?q=Quentin%00", "/transfers/?status=%00"]
)
def test_a_nul_in_an_address_or_filter_is_refused(cast, signed_in, url):
    client = signed_in(cast("dp.analyst"))
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_a_form_is_refused_and_nothing_is_stored(cast, signed_in):
    client = signed_in(cast("dp.analyst"))
    response = client.post(
        "/ocgs/new/",
        {"name": "Nul\x00 crew", "criminality": "illegal-drugs", "force_areas": "DYP"},
    )
    assert response.status_code == 400
    assert not Ocg.objects.exists()


def test_the_api_names_the_field_instead(cast, signed_in):
    client = signed_in(cast("dp.analyst"))
    assert client.get("/api/v1/ocgs?q=%00").status_code == 422
