"""Error pages: the service's layout, in English and Welsh, with a way back; a refusal reads
as "Page not found" (the access policy never says forbidden)."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.web.error_urls")]

TEXT = {
    "en-gb": {
        404: "Page not found",
        400: "The request could not be understood",
        500: "Sorry, there is a problem with the service",
        503: "Service unavailable",
        403: "The form could not be sent",
        "back": "Go back to the page you came from",
        "home": "Go to your home page",
        "lang": '<html lang="en-GB"',
    },
    "cy": {
        404: "Heb ddod o hyd i'r dudalen",
        400: "Nid oedd modd deall y cais",
        500: "Mae'n ddrwg gennym, mae problem gyda'r gwasanaeth",
        503: "Nid yw'r gwasanaeth ar gael",
        403: "Nid oedd modd anfon y ffurflen",
        "back": "Yn ôl i'r dudalen y daethoch ohoni",
        "home": "Ewch i'ch hafan",
        "lang": '<html lang="cy"',
    },
}


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A request in Welsh leaves Welsh active in the thread; later tests expect English."""
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


def in_language(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def assert_styled(page: str, language: str, heading: object) -> None:
    text = TEXT[language]
    page = html.unescape(page)
    assert text["lang"] in page
    assert 'class="concord-header"' in page  # the service's layout
    assert "/static/concord/concord.css" in page
    assert "favicon" in page
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in page
    assert text["back"] in page
    assert "data-concord-back" in page
    assert text["home"] in page
    assert 'href="/"' in page
    assert "forbidden" not in page.lower()


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_a_missing_page_says_page_not_found_in_the_base_layout(client, cast, language):
    client.force_login(cast("dp.lro"))
    response = in_language(client, language).get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert_styled(page, language, TEXT[language][404])
    assert 'data-testid="header-person"' in page  # the full layout, with the person and menu


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_a_refusal_answers_as_a_missing_page_does(client, cast, language):
    client.force_login(cast("bf.partner"))
    response = in_language(client, language).get("/test-errors/refused/")
    assert response.status_code == 404
    assert_styled(response.content.decode(), language, TEXT[language][404])


def test_the_way_back_is_the_page_the_person_came_from_when_it_is_on_this_site(client, cast):
    client.force_login(cast("dp.lro"))
    page = client.get("/nowhere/", HTTP_REFERER="http://testserver/ocgs/").content.decode()
    assert 'href="http://testserver/ocgs/" data-concord-back' in page
    page = client.get("/nowhere/", HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in page


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_a_bad_request_is_styled_and_translated(client, language):
    response = in_language(client, language).get("/test-errors/bad/")
    assert response.status_code == 400
    assert_styled(response.content.decode(), language, TEXT[language][400])


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_a_server_error_is_styled_and_translated_without_the_database(
    client, language, django_assert_num_queries
):
    client.raise_request_exception = False
    in_language(client, language)
    with django_assert_num_queries(0):
        response = client.get("/test-errors/broken/")
    assert response.status_code == 500
    assert_styled(response.content.decode(), language, TEXT[language][500])


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_a_lost_database_is_a_styled_translated_503_without_the_database(
    client, language, django_assert_num_queries
):
    client.raise_request_exception = False
    in_language(client, language)
    with django_assert_num_queries(0):
        response = client.get("/test-errors/database/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert_styled(response.content.decode(), language, TEXT[language][503])


def test_a_lost_database_answers_the_api_and_taxii_in_their_own_form(client):
    client.raise_request_exception = False
    api = client.get("/api/test-errors/database/")
    assert (api.status_code, api["Content-Type"], api["Retry-After"]) == (
        503,
        "application/json",
        "30",
    )
    assert api.json() == {
        "detail": "The service cannot use its database just now. Try again in a minute."
    }
    taxii = client.get("/taxii2/test-errors/database/")
    assert taxii.status_code == 503
    assert taxii["Content-Type"] == "application/taxii+json;version=2.1"
    assert taxii.json()["title"] == "Service unavailable"
    assert taxii.json()["http_status"] == "503"


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_a_form_refused_by_the_csrf_check_is_styled_and_translated(language):
    client = in_language(Client(enforce_csrf_checks=True), language)
    response = client.post("/sign-in/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert_styled(page, language, TEXT[language][403])


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/static/concord/favicon.ico"
    assert client.get("/static/concord/favicon.svg").status_code == 200
