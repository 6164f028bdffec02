"""Sign-in refuses wrong passwords, unknown users and expired vetting, helping no attacker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

GENERIC = "The username or password is not right."


def sign_in(client, username, password=PASSWORD):
    return client.post("/sign-in/", {"username": username, "password": password})


def test_a_person_signs_in_and_lands_on_home(client, cast):
    cast("dp.lro")
    response = sign_in(client, "dp.lro")
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert "Dyfed-Powys Police" in home.content.decode()


def test_a_wrong_password_and_an_unknown_user_get_the_same_message(client, cast):
    cast("dp.lro")
    wrong = sign_in(client, "dp.lro", "not-the-password").content.decode()
    unknown = sign_in(client, "nobody.here").content.decode()
    assert GENERIC in wrong
    assert GENERIC in unknown
    assert "vetting" not in wrong.lower().split("</header>")[-1]
    assert "_auth_user_id" not in client.session


def test_expired_vetting_is_refused_with_a_clear_message(client, cast):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    cast("wilts.analyst", vetting_expires=yesterday)
    response = sign_in(client, "wilts.analyst")
    assert response.status_code == 200
    assert "Your vetting expired on" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_expired_vetting_is_not_revealed_to_someone_without_the_password(client, cast):
    cast("wilts.analyst", vetting_expires=timezone.localdate() - dt.timedelta(days=1))
    response = sign_in(client, "wilts.analyst", "guess")
    assert "expired" not in response.content.decode()
    assert GENERIC in response.content.decode()


def test_a_session_ends_when_vetting_expires(client, cast):
    person = cast("dp.analyst")
    client.force_login(person)
    assert client.get("/").status_code == 200
    person.vetting_expires = timezone.localdate() - dt.timedelta(days=1)
    person.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_a_deactivated_person_cannot_sign_in(client, cast):
    cast("dp.sio", is_active=False)
    response = sign_in(client, "dp.sio")
    assert GENERIC in response.content.decode()


def test_sign_out_needs_a_post_and_ends_the_session(client, cast):
    client.force_login(cast("dp.lro"))
    assert client.get("/sign-out/").status_code == 405
    client.post("/sign-out/")
    assert client.get("/")["Location"].startswith("/sign-in/")


def test_pages_need_sign_in(client, db):
    for path in ("/", "/organisations/", "/people/", "/profile/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/sign-in/?next=")
