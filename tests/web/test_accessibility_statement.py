"""The accessibility statement (issue 18): open to anyone, linked from every page's footer, in
English and Welsh, naming the axe-core the suite really runs."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from concord.web.views import AXE_CORE_VERSION


@pytest.mark.django_db
def test_anyone_reads_the_statement_in_english_from_the_footer():
    page = Client().get("/accessibility/")
    assert page.status_code == 200
    text = page.content.decode()
    for heading in (
        "How accessible this service is",
        "What to do if you cannot use parts of this service",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Compliance status",
        "How we tested this service",
    ):
        assert heading in text
    assert f"axe-core {AXE_CORE_VERSION}" in text
    assert 'href="/accessibility/"' in Client().get("/sign-in/").content.decode()


@pytest.mark.django_db
def test_the_statement_is_in_welsh_for_a_welsh_reader():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    text = client.get("/accessibility/").content.decode()
    assert '<html lang="cy"' in text
    assert "Datganiad hygyrchedd" in text
    assert "Sut y gwnaethom brofi'r gwasanaeth hwn" in text


def test_the_statement_names_the_axe_core_the_suite_runs():
    from tests.browser import axe

    assert axe.VERSION == AXE_CORE_VERSION
