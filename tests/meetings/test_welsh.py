"""Welsh (defect 11, meetings): the agenda, the pack and its PDF are wholly Welsh for a Welsh
reader: the notes are stored as codes and rendered in the reader's language, forum names
have their Welsh form. Beyond references, names, numbers and what people wrote, no sentence of
the English rendering appears in the Welsh one."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.utils import translation

from concord.meetings import services
from concord.organisations.models import User
from tests.access.reading import text_of
from tests.meetings.test_pack import _group

pytestmark = pytest.mark.django_db

# Protective markings are the same words in both languages (the Government Security
# Classifications), as are the codes of organisations and bands.
SAME = {"OFFICIAL", "SECRET", "SENSITIVE", "DYP", "TARIAN", "SIO", "LRO", "4P"}


def _visible_text(page: str) -> str:
    """The text of a page's main content (no markup, scripts' absence taken as given)."""
    main = page.split("<main", 1)[-1].split(">", 1)[-1].split("</main>", 1)[0]
    return html.unescape(re.sub(r"<[^>]+>", "\n", main))


def _fragments(text: str, data: list[str]) -> list[str]:
    """The English sentences and phrases of a rendering, with data (what people wrote, names,
    references, numbers and dates) taken out: what must have been translated."""
    found = []
    for line in re.split(r"[\n.;:·()—→]+", text):
        for value in filter(None, data):
            line = line.replace(value, " ")
        line = re.sub(r"\b[A-Z]+-[A-Z]+-\d+\b|\d[\d.,/]*|\b[123][ABC]\b", " ", line)
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z'\u2019-]+", line) if w not in SAME]
        if len(words) >= 2:
            found.append(" ".join(words))
    return found


def _words(text: str) -> str:
    return " ".join(re.findall(r"[A-Za-z][A-Za-z'\u2019-]+", text))


def test_the_agenda_pack_and_pdf_are_welsh_for_a_welsh_reader(client, cast, meeting):
    ocg = _group(cast)
    ocg.refresh_from_db()
    chair = cast("tarian.chair")
    services.build_agenda(actor=chair, meeting=meeting)
    data = [
        ocg.name,
        ocg.summary,
        "Bridgend",
        *(person.get_full_name() for person in User.objects.all()),
        "Referral to children's services",
        "Warrant at the lock-up, group",
    ]
    client.force_login(chair)
    urls = [
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/pack/",
        f"/meetings/{meeting.pk}/pack/?format=pdf",
    ]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = {}
    for url in urls:
        with translation.override("en"):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        body = text_of(response)
        english[url] = body if url.endswith("pdf") else _visible_text(body)
    assert "Mapped by DYP on" in english[urls[1]]  # the English is what it should be
    client.post("/i18n/setlang/", {"language": "cy", "next": "/"})
    left_over = {}
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="cy")
        body = text_of(response)
        welsh = _words(body if url.endswith("pdf") else _visible_text(body))
        assert "Grŵp tasgio a chydlynu rhanbarthol" in body, url
        fragments = _fragments(english[url], data)
        assert len(fragments) > 10, url  # there was English to translate
        left_over[url] = [f for f in fragments if f in welsh]
    assert left_over == {key: [] for key in urls}, left_over
