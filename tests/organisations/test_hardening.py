"""Sign-in hardening: two-factor, lockout, idle timeout, security headers, password rules."""

from __future__ import annotations

import base64
import html
import re
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from concord.core.models import AuditAction, AuditEntry
from concord.organisations import services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=PASSWORD):
    return client.post("/sign-in/", {"username": username, "password": password})


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the person's authenticator app shows now (or `steps_ahead` codes later)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    accepted = {code_for(device, steps) for steps in range(-device.tolerance, device.tolerance + 1)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in accepted)


# --- two-factor ------------------------------------------------------------------------------


@pytest.fixture
def two_factor(settings):
    settings.REQUIRE_TWO_FACTOR = True


def test_a_person_without_an_authenticator_is_sent_to_set_one_up(two_factor, cast, signed_in):
    client = signed_in(cast("dp.lro"))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/two-factor/enrol/?next=/"


def test_the_enrolment_page_shows_a_key_for_a_new_unconfirmed_device(two_factor, cast, signed_in):
    person = cast("dp.lro")
    page = signed_in(person).get("/two-factor/enrol/").content.decode()
    device = TOTPDevice.objects.get(user=person)
    assert device.confirmed is False
    shown = base64.b32encode(device.bin_key).decode()  # as an authenticator app takes it
    assert " ".join(shown[i : i + 4] for i in range(0, len(shown), 4)) in page


def test_enrolling_signing_out_and_back_in_asks_for_a_code_again(two_factor, client, cast):
    person = cast("dp.lro")
    assert sign_in(client, "dp.lro").status_code == 302
    assert client.get("/")["Location"] == "/two-factor/enrol/?next=/"
    client.get("/two-factor/enrol/?next=/")
    device = TOTPDevice.objects.get(user=person)

    confirmed = client.post("/two-factor/enrol/", {"code": code_for(device), "next": "/"})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/").status_code == 200

    client.post("/sign-out/")
    assert sign_in(client, "dp.lro").status_code == 302
    assert client.get("/")["Location"] == "/two-factor/?next=/"
    assert client.get("/profile/")["Location"] == "/two-factor/?next=/profile/"
    # The code just used cannot be replayed; the app's next one is accepted.
    verified = client.post("/two-factor/", {"code": code_for(device, steps_ahead=1), "next": "/"})
    assert verified.status_code == 302
    assert verified["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_code_does_not_confirm_enrolment(two_factor, cast, signed_in):
    person = cast("dp.lro")
    client = signed_in(person)
    client.get("/two-factor/enrol/")
    device = TOTPDevice.objects.get(user=person)
    response = client.post("/two-factor/enrol/", {"code": wrong_code_for(device)})
    assert response.status_code == 200
    assert "That code is not right." in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert client.get("/")["Location"].startswith("/two-factor/enrol/")


def test_a_wrong_code_at_sign_in_is_refused_and_audited(two_factor, cast, signed_in):
    person = cast("dp.lro")
    device = TOTPDevice.objects.create(user=person, name="app", confirmed=True)
    client = signed_in(person)
    response = client.post("/two-factor/", {"code": wrong_code_for(device)})
    assert response.status_code == 200
    assert "That code is not right." in response.content.decode()
    assert client.get("/")["Location"] == "/two-factor/?next=/"
    refused = AuditEntry.objects.get(action=AuditAction.SIGN_IN_FAILED, actor_id=person.pk)
    assert refused.detail["why"] == "two_factor"


def test_the_page_asked_for_comes_back_whole_after_the_code(two_factor, cast, signed_in):
    person = cast("dp.lro")
    device = TOTPDevice.objects.create(user=person, name="app", confirmed=True)
    client = signed_in(person)
    asked = client.get("/organisations/?kind=force&q=dyfed")
    page = client.get(asked["Location"]).content.decode()
    # The last "next" on the page is the code form's (the first is the language switcher's).
    next_value = html.unescape(re.findall(r'name="next" value="([^"]*)"', page)[-1])
    assert next_value == "/organisations/?kind=force&q=dyfed"
    verified = client.post("/two-factor/", {"code": code_for(device), "next": next_value})
    assert verified["Location"] == "/organisations/?kind=force&q=dyfed"


def test_the_api_refuses_a_session_that_has_not_passed_two_factor(two_factor, cast, signed_in):
    response = signed_in(cast("dp.lro")).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Two-factor verification required"}


def test_the_api_accepts_a_bearer_token_without_two_factor(two_factor, client, cast):
    person = cast("dp.lro")
    _, token = services.issue_api_token(actor=person, person=person, name="script", days=30)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["username"] == "dp.lro"


def test_two_factor_is_off_when_not_required(cast, signed_in, settings):
    settings.REQUIRE_TWO_FACTOR = False
    assert signed_in(cast("dp.lro")).get("/").status_code == 200


# --- lockout ---------------------------------------------------------------------------------


def test_repeated_wrong_passwords_lock_the_account_even_against_the_right_one(
    client, cast, settings
):
    cast("dp.lro")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "dp.lro", "not-the-password")
        assert response.status_code == 200
        assert "The username or password is not right." in response.content.decode()
    sign_in(client, "dp.lro", "not-the-password")

    locked = sign_in(client, "dp.lro")
    assert locked.status_code == 429
    assert "Sign-in is locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_affect_other_usernames(client, cast, settings):
    cast("dp.lro")
    cast("dp.sio")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "dp.lro", "not-the-password")
    assert sign_in(client, "dp.lro").status_code == 429
    response = sign_in(client, "dp.sio")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_fewer_failures_than_the_limit_do_not_lock(client, cast, settings):
    cast("dp.lro")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "dp.lro", "not-the-password")
    assert sign_in(client, "dp.lro").status_code == 302


# --- idle timeout ----------------------------------------------------------------------------


def test_a_session_idle_for_too_long_is_signed_out(cast, signed_in, settings):
    settings.SESSION_IDLE_MINUTES = 1
    client = signed_in(cast("dp.lro"))
    session = client.session
    session["concord_last_seen"] = int(time.time()) - 120
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/"
    assert "_auth_user_id" not in client.session
    sign_in_page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 1 minutes without activity." in sign_in_page
    assert client.get("/profile/")["Location"].startswith("/sign-in/")


def test_a_recently_active_session_carries_on(cast, signed_in, settings):
    settings.SESSION_IDLE_MINUTES = 1
    client = signed_in(cast("dp.lro"))
    session = client.session
    session["concord_last_seen"] = int(time.time()) - 30
    session.save()
    assert client.get("/").status_code == 200


# --- security headers ------------------------------------------------------------------------


def test_pages_carry_security_headers(client, db):
    response = client.get("/sign-in/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_signed_in_pages_are_not_cached(cast, signed_in):
    response = signed_in(cast("dp.lro")).get("/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


# --- password rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("password1234", "password_too_common"),
        ("Zq9!xw", "password_too_short"),
        ("4815162342108", "password_entirely_numeric"),
    ],
)
def test_weak_passwords_are_refused(cast, password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=cast("dp.lro"))
    assert code in {error.code for error in refused.value.error_list}


def test_a_password_like_the_persons_name_is_refused(cast):
    person = cast("dp.lro")  # Carys Morgan
    with pytest.raises(ValidationError) as refused:
        validate_password("Morgan2024", user=person)
    assert "password_too_similar" in {error.code for error in refused.value.error_list}


def test_a_long_uncommon_password_is_accepted(cast):
    assert validate_password("violet-harbour-tandem-47", user=cast("dp.lro")) is None
