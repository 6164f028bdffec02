"""The language a person chooses is kept on their profile: the header switch and *Your profile*
set it, audited; it wins over the browser at sign-in and on every page; the cookie still
serves the sign-in page."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.utils import translation

from concord.core.models import AuditEntry
from concord.organisations.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A page served in Welsh leaves Welsh active in this thread (LocaleMiddleware and the
    profile's language activate, nothing deactivates): later tests expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


COOKIE = settings.LANGUAGE_COOKIE_NAME


def lang_of(response) -> str:
    page = response.content.decode()
    return page.split('<html lang="', 1)[1].split('"', 1)[0].lower()


def language_entries(person: User) -> list[AuditEntry]:
    return [
        e
        for e in AuditEntry.objects.filter(
            object_type="organisations.user", action="update"
        ).order_by("id")
        if e.object_id == str(person.pk) and "language" in (e.changes or {})
    ]


def test_the_header_switch_keeps_a_signed_in_persons_choice_on_the_profile(client, cast):
    lro = cast("dp.lro")
    client.force_login(lro)
    response = client.post("/i18n/setlang/", {"language": "cy", "next": "/profile/"})
    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    lro.refresh_from_db()
    assert lro.language == "cy"
    [entry] = language_entries(lro)
    assert entry.changes == {"language": ["", "cy"]}
    assert entry.actor_id == lro.pk
    # Choosing the same again writes nothing new.
    client.post("/i18n/setlang/", {"language": "cy", "next": "/"})
    assert len(language_entries(lro)) == 1


def test_a_stranger_switching_language_gets_the_cookie_only(client):
    response = client.post("/i18n/setlang/", {"language": "cy", "next": "/sign-in/"})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "cy"
    assert lang_of(client.get("/sign-in/")) == "cy"
    assert not AuditEntry.objects.filter(object_type="organisations.user").exists()


def test_an_unknown_language_from_the_switch_changes_nothing(client, cast):
    lro = cast("dp.lro", language="cy")
    client.force_login(lro)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    lro.refresh_from_db()
    assert lro.language == "cy"
    assert not language_entries(lro)


def test_the_profile_language_wins_over_the_browser_and_the_cookie(client, cast):
    client.force_login(cast("dp.lro", language="cy"))
    client.cookies[COOKIE] = "en-gb"
    response = client.get("/profile/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert lang_of(response) == "cy"
    assert "Allgofnodi" in response.content.decode()  # Sign out
    # The cookie is brought into line, so the sign-in page after signing out speaks it too.
    assert response.cookies[COOKIE].value == "cy"
    client.post("/sign-out/")
    assert lang_of(client.get("/sign-in/", HTTP_ACCEPT_LANGUAGE="en-GB")) == "cy"


def test_with_no_choice_kept_the_browser_decides(client, cast):
    client.force_login(cast("dp.lro"))
    assert lang_of(client.get("/profile/", HTTP_ACCEPT_LANGUAGE="cy")) == "cy"
    assert lang_of(client.get("/profile/", HTTP_ACCEPT_LANGUAGE="en-GB")) == "en-gb"


def test_signing_in_brings_the_profile_language(client, cast):
    cast("dp.lro", language="cy")
    client.cookies[COOKIE] = "en-gb"
    # The sign-in page follows the cookie: nobody is known yet.
    assert lang_of(client.get("/sign-in/", HTTP_ACCEPT_LANGUAGE="en-GB")) == "en-gb"
    response = client.post("/sign-in/", {"username": "dp.lro", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "cy"
    assert lang_of(client.get("/profile/", HTTP_ACCEPT_LANGUAGE="en-GB")) == "cy"


def test_your_profile_shows_the_language_and_changes_it(
    client, cast, django_assert_max_num_queries
):
    lro = cast("dp.lro")
    client.force_login(lro)
    with django_assert_max_num_queries(12):
        page = client.get("/profile/").content.decode()
    assert 'data-testid="profile-language">No preference (as the browser asks)<' in page
    response = client.post("/profile/language/", {"language": "cy"}, follow=True)
    lro.refresh_from_db()
    assert lro.language == "cy"
    page = html.unescape(response.content.decode())
    assert lang_of(response) == "cy"
    assert "Mae eich iaith wedi'i chadw." in page  # Your language is saved.
    assert 'data-testid="profile-language">Cymraeg<' in page
    [entry] = language_entries(lro)
    assert entry.changes == {"language": ["", "cy"]}
    # Back to no preference: blank is a choice too.
    response = client.post("/profile/language/", {"language": ""})
    lro.refresh_from_db()
    assert lro.language == ""
    assert response.cookies[COOKIE].value == ""  # the old cookie goes: the browser decides
    assert lang_of(client.get("/profile/", HTTP_ACCEPT_LANGUAGE="en-GB")) == "en-gb"
    assert [e.changes for e in language_entries(lro)][-1] == {"language": ["cy", ""]}


def test_a_bad_language_on_the_profile_is_named_and_changes_nothing(client, cast):
    lro = cast("dp.lro", language="cy")
    client.force_login(lro)
    response = client.post("/profile/language/", {"language": "klingon"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Iaith:" in page  # the field is named in the error summary (in Welsh: the profile's)
    assert 'href="#id_language"' in page
    lro.refresh_from_db()
    assert lro.language == "cy"
    assert not language_entries(lro)


def test_the_service_refuses_a_language_concord_does_not_speak(cast):
    from django.core.exceptions import ValidationError

    from concord.organisations.services import choose_language

    lro = cast("dp.lro")
    with pytest.raises(ValidationError) as refused:
        choose_language(actor=lro, language="fr")
    assert "language" in refused.value.message_dict
    lro.refresh_from_db()
    assert lro.language == ""


def test_a_token_caller_is_not_given_a_language_cookie(client, cast):
    """The API (a bearer token, no session) answers in the default language, no cookie set."""
    from concord.organisations.services import issue_api_token

    lro = cast("dp.lro", language="cy")
    _token, plaintext = issue_api_token(actor=lro, person=lro, name="script", days=1)
    response = client.get("/api/v1/ocgs", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert COOKIE not in response.cookies
