"""The UI shell: header, navigation, language switch, demo banner, no internet assets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import concord

pytestmark = pytest.mark.django_db

SRC = Path(concord.__file__).parent


def test_the_header_shows_name_organisation_and_role(client, cast):
    client.force_login(cast("dp.lro"))
    page = client.get("/").content.decode()
    header = page.split("</header>")[0]
    assert "Carys Morgan" in header
    assert "Dyfed-Powys Police" in header
    assert "Lead responsible officer (LRO)" in header


def test_switching_to_welsh_translates_the_shell(client, cast):
    client.force_login(cast("dp.lro"))
    response = client.post("/i18n/setlang/", {"language": "cy", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="cy"' in page
    assert "Allgofnodi" in page  # Sign out
    assert "Heddlu Dyfed-Powys" in page  # the organisation's Welsh name
    assert ">English<" in page  # the way back


def test_the_demo_banner_shows_only_in_demo_mode(client, cast, settings):
    client.force_login(cast("dp.lro"))
    settings.DEMO_MODE = True
    assert "DEMO — synthetic data" in client.get("/").content.decode()
    settings.DEMO_MODE = False
    assert "DEMO — synthetic data" not in client.get("/").content.decode()


def test_navigation_shows_people_only_to_administrators(client, cast):
    client.force_login(cast("dp.lro"))
    assert 'href="/people/"' not in client.get("/").content.decode()
    client.force_login(cast("admin"))
    assert 'href="/people/"' in client.get("/").content.decode()


def test_no_page_loads_anything_from_the_internet(client, cast):
    client.force_login(cast("admin"))
    for path in (
        "/",
        "/organisations/",
        "/organisations/DYP/",
        "/people/",
        "/profile/",
        "/sign-in/",
    ):
        page = client.get(path).content.decode()
        external = re.findall(r'(?:src|href)="(?:https?:)?//[^"]+"', page)
        assert external == [], (path, external)


def test_vendored_css_and_js_reference_nothing_remote():
    for path in (SRC / "web" / "static").rglob("*"):
        if path.suffix in {".css", ".js"}:
            text = path.read_text(encoding="utf-8-sig")
            assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), path
            assert not re.search(r"""import[^;]*['"]https?://""", text), path


def test_static_assets_are_served(client):
    for asset in (
        "/static/vendor/govuk-frontend/govuk-frontend.min.css",
        "/static/vendor/htmx/htmx.min.js",
        "/static/concord/concord.css",
    ):
        response = client.get(asset)
        assert response.status_code == 200, asset


def test_organisation_list_filters_and_exports(client, cast):
    client.force_login(cast("dp.analyst"))
    page = client.get("/organisations/", {"region": "southern-wales"}).content.decode()
    assert "Dyfed-Powys Police" in page
    assert "Greater Manchester Police" not in page
    csv = b"".join(
        client.get("/organisations/", {"export": "csv", "kind": "rocu"}).streaming_content
    ).decode()
    assert csv.count("\n") == 10  # header and nine ROCUs
    assert "Tarian Regional Organised Crime Unit" in csv


def test_a_bad_list_filter_is_named_on_the_page(client, cast):
    client.force_login(cast("dp.analyst"))
    page = client.get("/organisations/", {"kind": "gang"}).content.decode()
    assert "kind:" in page
    assert "59 organisations" in page


def test_profile_issues_a_token_once_and_revokes_it(client, cast):
    client.force_login(cast("dp.lro"))
    client.post("/profile/tokens/", {"name": "report script", "days": "30"})
    page = client.get("/profile/").content.decode()
    token = re.search(r'data-testid="new-token">([^<]+)<', page).group(1)
    script = Client()  # no session: the token alone
    assert script.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert token not in client.get("/profile/").content.decode()  # shown once
    from concord.organisations.models import ApiToken

    client.post(f"/profile/tokens/{ApiToken.objects.get().pk}/revoke/")
    assert script.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
