"""Each person is offered only what they may do: the menu and every link on the pages it
leads to open for them (a refused page answers the styled "Page not found")."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from concord.organisations.seed import PERSONAS

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<nav class="concord-nav".*?</nav>', re.S)
HREF = re.compile(r'href="(/[^"#]*)"')
# Links that leave the pages (signing out is a form) or stream a file rather than a page.
NOT_PAGES = ("/static/", "/i18n/", "/api/", "/taxii2/", "/django-admin/")


def menu_of(client: Client) -> list[str]:
    page = client.get("/").content.decode()
    found = MENU.search(page)
    return HREF.findall(found.group(0)) if found else []


def links_on(client: Client, path: str) -> set[str]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return {
        href.replace("&amp;", "&")
        for href in HREF.findall(response.content.decode())
        if not href.startswith(NOT_PAGES) and "export=" not in href
    }


def test_a_partner_is_offered_only_its_actions_disruptions_referrals_and_the_directory(
    client, cast
):
    client.force_login(cast("bf.partner"))
    assert menu_of(client) == [
        "/",
        "/actions/",
        "/disruptions/",
        "/referrals/",
        "/organisations/",
        "/declarations/",
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/ocgs/new/",
        "/pis/new/",
        "/vulnerabilities/new/",
        "/intelligence/new/",
        "/tasking/new/",
        "/ocgs/import/",
    ],
)
def test_a_partner_asking_for_a_form_it_may_not_use_gets_the_styled_page_not_found(
    client, cast, path
):
    client.force_login(cast("mcc.partner"))
    response = client.get(path)
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert 'class="concord-header"' in page  # the service's own layout
    assert 'data-testid="way-back"' in page
    assert "forbidden" not in page.lower()


@pytest.mark.parametrize(
    "path", ["/ocgs/", "/pis/", "/vulnerabilities/", "/intelligence/", "/tasking/"]
)
def test_a_partner_reaching_a_register_list_is_offered_no_form_it_may_not_use(client, cast, path):
    client.force_login(cast("bf.partner"))
    page = client.get(path).content.decode()
    for form in ("/new/", "/ocgs/import/"):
        assert f'{form}"' not in page, (path, form)


def test_police_who_map_are_still_offered_the_forms(client, cast):
    client.force_login(cast("dp.analyst"))
    assert 'href="/ocgs/new/"' in client.get("/ocgs/").content.decode()
    assert 'href="/intelligence/new/"' in client.get("/intelligence/").content.decode()
    assert 'href="/tasking/new/"' in client.get("/tasking/").content.decode()
    assert client.get("/ocgs/new/").status_code == 200


@pytest.mark.parametrize("username", sorted({p[0] for p in PERSONAS} | {"admin"}))
def test_every_menu_item_and_every_link_on_its_page_opens_for_the_person(client, cast, username):
    """Each persona kind (force, ROCU, NCA, partner, auditor, administrator): nothing they are
    offered answers "Page not found"."""
    client.force_login(cast(username))
    menu = menu_of(client)
    assert menu, username
    seen: set[str] = set()
    for item in menu:
        for link in links_on(client, item) - seen:
            seen.add(link)
            if urlsplit(link).path in {"/sign-out/", "/logout/"}:
                continue
            status = client.get(link).status_code
            assert status in (200, 302), (username, item, link, status)
