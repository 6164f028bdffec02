"""The CLI: issue_token, revoke_token, seed_demo."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from concord.organisations.models import ApiToken, Organisation, Secondment, Team, User

pytestmark = pytest.mark.django_db


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_issue_token_prints_a_token_that_signs_in_to_the_api(client, cast):
    cast("dp.lro")
    out, _ = run("issue_token", "dp.lro")
    token = out.strip()
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.json()["username"] == "dp.lro"


def test_issue_token_for_an_unknown_person_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No person has the username 'ghost'"):
        run("issue_token", "ghost")


def test_revoke_token_by_prefix_stops_it_working(client, cast):
    cast("dp.lro")
    token = run("issue_token", "dp.lro")[0].strip()
    prefix = ApiToken.objects.get().prefix
    out, _ = run("revoke_token", prefix)
    assert "Revoked" in out
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_seed_demo_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only in demo mode"):
        run("seed_demo", "--no-progress")
    assert not User.objects.exists()


def snapshot():
    """Everything seed_demo makes, without ids or timestamps."""
    return {
        "people": sorted(
            User.objects.values_list(
                "username",
                "first_name",
                "last_name",
                "email",
                "organisation__code",
                "job_title",
                "vetting_level",
                "vetting_expires",
                "password",
                "is_superuser",
            )
        ),
        "roles": sorted(User.roles.through.objects.values_list("user__username", "role__code")),
        "teams": sorted(Team.objects.values_list("organisation__code", "name")),
        "members": sorted(User.teams.through.objects.values_list("user__username", "team__name")),
        "secondments": sorted(
            Secondment.objects.values_list(
                "person__username", "organisation__code", "starts", "ends"
            )
        ),
        "organisations": sorted(Organisation.objects.values_list("code", "name", "region__code")),
    }


def test_the_same_seed_gives_identical_data(settings):
    settings.DEMO_MODE = True
    run("seed_demo", "--no-progress", "--seed", "7")
    first = snapshot()
    run("seed_demo", "--no-progress", "--seed", "7", "--reset")
    assert snapshot() == first
    run("seed_demo", "--no-progress", "--seed", "8", "--reset")
    assert snapshot()["people"] != first["people"]


def test_the_demo_world_has_every_named_sign_in(settings):
    settings.DEMO_MODE = True
    run("seed_demo", "--no-progress")
    expected = {
        "dp.lro": "DYP",
        "dp.sio": "DYP",
        "dp.analyst": "DYP",
        "tarian.sio": "TARIAN",
        "tarian.chair": "TARIAN",
        "gmp.sio": "GMP",
        "gmp.lro": "GMP",
        "nwrocu.sio": "NWROCU",
        "nwrocu.chair": "NWROCU",
        "wilts.analyst": "WIL",
        "nca.tasking": "NCA",
        "bf.partner": "BF",
        "mcc.partner": "MCC",
        "psd.auditor": "NCA",
        "admin": "NCA",
    }
    found = dict(
        User.objects.filter(username__in=expected).values_list("username", "organisation__code")
    )
    assert found == expected
    for person in User.objects.filter(username__in=expected):
        assert person.check_password("concord-demo")
        assert person.may_sign_in()


def test_seed_demo_twice_without_reset_is_refused_and_if_empty_is_quiet(settings):
    settings.DEMO_MODE = True
    run("seed_demo", "--no-progress")
    count = User.objects.count()
    with pytest.raises(CommandError, match="already loaded"):
        run("seed_demo", "--no-progress")
    out, _ = run("seed_demo", "--no-progress", "--if-empty")
    assert "already loaded" in out
    assert User.objects.count() == count


def test_demo_signins_lists_the_cast(settings):
    settings.DEMO_MODE = True
    run("seed_demo", "--no-progress")
    out, _ = run("demo_signins")
    assert "concord-demo" in out
    assert "tarian.chair" in out
    assert "Tarian Regional Organised Crime Unit" in out
