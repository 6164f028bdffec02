"""The business plan: demand and capacity for four years, workforce, funding by year, what
each grant's end takes, as a page and a PDF, counted through the reader's access."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from concord.capabilities import business_plan, services
from concord.capabilities.choices import FundingKind
from concord.threats.models import Ocg
from tests.access.registry import make_ocg
from tests.access.test_matrix import client_for
from tests.factories import organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def tarian(cast):
    chair = cast("tarian.chair")
    org = organisation("TARIAN")
    today = timezone.localdate()
    year = business_plan.financial_year(today)
    grant = services.save_stream(
        actor=chair,
        organisation=org,
        details=services.StreamDetails(
            code="uplift",
            name="Home Office ROCU uplift grant",
            kind=FundingKind.HOME_OFFICE_GRANT,
            starts=dt.date(year - 1, 4, 1),
            ends=dt.date(year + 2, 3, 31),
        ),
        years={year - 1: "200000", year: "210000", year + 1: "220000"},
    )
    unit = services.save_unit(
        actor=chair,
        organisation=org,
        capability=services.capability("regional-task-force"),
        name="Tarian regional task force",
    )
    for n in range(2):
        services.save_post(
            actor=chair,
            unit=unit,
            details=services.PostDetails(
                reference=f"RTF-{n}",
                role="Detective constable",
                fte="1",
                hours="37",
                vetting="SC",
                starts=dt.date(year - 1, 4, 1),
                ends=dt.date(year + 2, 3, 31),
            ),
            funding=[(grant, "1")],
        )
    for classification in ("OFFICIAL", "SECRET"):
        ocg = make_ocg("DYP", classification, False)
        Ocg.objects.filter(pk=ocg.pk).update(band="1A")
    return chair, grant, year


def test_demand_capacity_and_the_grant_cliff(tarian, cast):
    chair, _grant, year = tarian
    plan = business_plan.build(chair, organisation("TARIAN"), today=timezone.localdate())
    assert {"TARIAN", "DYP", "SWP"} <= {o.code for o in plan.scope}
    assert plan.labels[0] == f"{year}/{str(year + 1)[-2:]}"
    row = next(r for r in plan.rows if r.capability.code == "regional-task-force")
    # Two band-1A OCGs need 80 hours a week each (the chair is SC: both count).
    assert row.demand[0] == 160
    assert row.capacity[0] == 74  # two officers, 37 hours, no abstraction
    assert row.capacity[2] == 0  # the posts end with the grant
    assert row.at_risk
    assert plan.workforce["fixed_term_share"] == 100
    assert plan.funding_totals[:2] == [210000, 220000]
    assert plan.grants[0].end.posts_lost == 2


def test_the_plan_counts_only_what_its_reader_may_see(tarian, cast):
    reader = cast("dp.lro")  # NPPV3: the SECRET OCG is not counted
    plan = business_plan.build(reader, organisation("TARIAN"), today=timezone.localdate())
    row = next(r for r in plan.rows if r.capability.code == "regional-task-force")
    assert row.demand[0] == 80
    assert plan.prioritised_now == 1


def test_page_pdf_and_who_may_open_them(tarian, cast):
    chair = client_for(cast("tarian.chair"))
    page = chair.get("/capabilities/plan/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Home Office ROCU uplift grant" in text
    assert "gap" in text
    pdf = chair.get("/capabilities/plan/TARIAN/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "OFFICIAL-SENSITIVE" in words
    assert "Home Office ROCU uplift grant" in words
    assert client_for(cast("gmp.sio")).get("/capabilities/plan/TARIAN/").status_code == 404
    assert client_for(cast("bf.partner")).get("/capabilities/plan/").status_code == 404
    assert client_for(cast("dp.analyst")).get("/capabilities/plan/TARIAN/").status_code == 200


def test_a_national_reader_chooses_a_plan_in_scope(tarian, cast):
    page = client_for(cast("nca.tasking")).get("/capabilities/plan/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "/capabilities/plan/TARIAN/" in text
    assert "/capabilities/plan/GMP/" in text
    # A force reader's chooser lists only what is in its scope.
    own = client_for(cast("dp.analyst")).get("/capabilities/plan/").content.decode()
    assert "/capabilities/plan/GMP/" not in own
