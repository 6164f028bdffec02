"""Display defects: references shown once, numbers as people read them, identifiers named
once, one date and one date-time format, members by role, a site icon."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

import concord
from concord.intelligence import services as intelligence
from concord.ownership import services as ownership
from concord.plans import services as plans
from concord.threats import services as threats
from concord.web.templatetags.concord import figure
from tests.access.registry import make_ocg

pytestmark = pytest.mark.django_db

SRC = Path(concord.__file__).parent


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A request in Welsh leaves Welsh active in the thread; later tests expect English."""
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_the_priority_picture_shows_a_reference_once_not_glued_to_its_kind(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("dp.analyst"))
    page = client.get("/priorities/").content.decode()
    cell = re.search(r'data-testid="picture-item">(.*?)</td>', page, re.S)
    assert cell is not None
    text = text_of(cell.group(1))
    assert "OCGOCG" not in text_of(page)
    assert text.startswith(f"{ocg.reference} {ocg.name}")
    assert text.count("OCG") == 2  # the reference's prefix and the kind, apart


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1.18800000000000"), "1.188"),
        (Decimal("12500.50"), "12,500.50"),
        (Decimal("12.000"), "12"),
        (3, "3"),
        (Decimal("1234567.8915"), "1,234,567.892"),
        (None, ""),
    ],
)
def test_figures_read_as_people_write_them(value, shown):
    assert figure(value) == shown


def test_validated_drug_seizures_are_shown_to_the_gram_not_to_fourteen_places(client, cast):
    sio, lro = cast("gmp.sio"), cast("gmp.lro")
    ocg = make_ocg("GMP", "OFFICIAL", False)
    ownership.appoint(actor=sio, item=ocg, role="sio", person=sio)
    ownership.appoint(actor=sio, item=ocg, role="lro", person=lro)
    for kg in ("1.1", "0.088"):
        claim = plans.claim_disruption(
            actor=sio,
            item=ocg,
            strand="pursue",
            impact="major",
            occurred_on=timezone.localdate(),
            narrative="Warrants executed",
            outcomes={"drugs_kg": kg},
        )
        plans.validate_disruption(actor=lro, disruption=claim, accept=True)
    client.force_login(lro)
    totals = re.search(
        r'data-testid="disruption-totals">(.*?)</table>',
        client.get("/disruptions/").content.decode(),
        re.S,
    )
    assert totals is not None
    assert "1.188" in totals.group(1)
    assert "1.1880" not in totals.group(1)


def test_an_identifier_is_named_by_its_kind_once(client, cast):
    analyst = cast("dp.analyst")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    person = ocg.members.get().nominal
    threats.add_entity(
        actor=analyst, kind="phone", value="07700 900123", link_type="uses", nominal=person
    )
    report = intelligence.record_report(
        actor=analyst,
        title="Deliveries by phone",
        text="The line is run from one handset.",
        information_date=timezone.localdate(),
        grading=intelligence.Grading("2", "B", "P"),
        nominals=[person.reference],
    )
    client.force_login(analyst)
    page = text_of(client.get(f"/intelligence/{report.reference}/").content.decode())
    assert "Phone: +44" in page
    assert "Phone: Phone" not in page


def test_members_are_listed_by_role_then_name(client, cast):
    analyst = cast("dp.analyst")
    ocg = threats.map_ocg(
        actor=analyst,
        details=threats.OcgDetails(
            name="Harbour Road Crew",
            criminality=["illegal-drugs"],
            force_areas=["DYP"],
            classification="OFFICIAL",
            members=[
                threats.MemberDetails(
                    nominal=threats.NominalDetails(forenames=forenames, surname=surname), role=role
                )
                for forenames, surname, role in (
                    ("Aled", "Ashby", "peripheral"),
                    ("Bethan", "Bowen", "significant"),
                    ("Zac", "Young", "principal"),
                    ("Anwen", "Young", "significant"),
                    ("Carl", "Adams", "principal"),
                )
            ],
        ),
    )
    client.force_login(analyst)
    page = client.get(f"/ocgs/{ocg.reference}/").content.decode()
    names = ["Carl Adams", "Zac Young", "Bethan Bowen", "Anwen Young", "Aled Ashby"]
    positions = [page.index(name) for name in names]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("language", "date", "moment"),
    [
        ("en-gb", "1 December 2026", "1 December 2026, 14:05"),
        ("cy", "1 Rhagfyr 2026", "1 Rhagfyr 2026, 14:05"),
    ],
)
def test_one_date_format_and_one_date_time_format_in_each_language(language, date, moment):
    template = Template('{{ day|date }}|{{ when|date:"DATETIME_FORMAT" }}')
    when = timezone.make_aware(dt.datetime(2026, 12, 1, 14, 5))
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        shown = template.render(Context({"day": dt.date(2026, 12, 1), "when": when}))
    assert shown == f"{date}|{moment}"


def test_no_page_spells_out_a_date_format_of_its_own():
    """Pages use `|date` or `|date:"DATETIME_FORMAT"`, or spell exactly those formats
    (meetings, owned elsewhere, aside)."""
    from concord.config.formats.en_GB import formats

    allowed = {"DATE_FORMAT", "DATETIME_FORMAT", formats.DATE_FORMAT, formats.DATETIME_FORMAT}
    own_formats = []
    for template in SRC.rglob("templates/**/*.html"):
        if "meetings" in template.parts:
            continue
        for found in re.findall(r'\|date:"([^"]*)"', template.read_text()):
            if found not in allowed:
                own_formats.append((template.relative_to(SRC), found))
    assert own_formats == []


def test_a_member_date_of_birth_is_in_the_one_date_format_in_welsh(client, cast):
    analyst = cast("dp.analyst")
    ocg = threats.map_ocg(
        actor=analyst,
        details=threats.OcgDetails(
            name="Quay Crew",
            criminality=["illegal-drugs"],
            force_areas=["DYP"],
            classification="OFFICIAL",
            members=[
                threats.MemberDetails(
                    nominal=threats.NominalDetails(
                        forenames="Dai", surname="Lloyd", date_of_birth=dt.date(1990, 3, 7)
                    ),
                    role="principal",
                )
            ],
        ),
    )
    client.force_login(analyst)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    assert "7 Mawrth 1990" in client.get(f"/ocgs/{ocg.reference}/").content.decode()
