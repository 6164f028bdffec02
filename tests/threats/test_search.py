"""One search across the register, intelligence and tasking (issue 12, build 3): each kind is
found and links through, nothing the reader may not see is shown or counted, the query count
does not grow with results, and every search is audited as before."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.core.models import AuditEntry, Share
from concord.intelligence import services as intelligence
from concord.threats import services
from concord.threats.models import OcgMember
from tests.access.registry import (
    make_entity,
    make_ocg,
    make_pi,
    make_report,
    make_tasking,
    make_vulnerability,
)
from tests.factories import organisation

pytestmark = pytest.mark.django_db


def counts(page: str) -> dict[str, int]:
    """The count shown beside each kind of result."""
    return {kind: int(n) for kind, n in re.findall(r'data-testid="count-([a-z]+)">(\d+)<', page)}


def search(client, q: str, **params: str) -> str:
    response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_each_kind_is_found_and_links_to_its_page(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    pi = make_pi("DYP", "OFFICIAL", False)
    vulnerability = make_vulnerability("DYP", "OFFICIAL", False)
    report = make_report("DYP", "OFFICIAL", False)
    tasking = make_tasking("DYP", "OFFICIAL", False)
    client.force_login(cast("dp.analyst"))

    page = search(client, "Zephyrine")
    assert f'href="/ocgs/{ocg.reference}/"' in page
    assert f'href="/vulnerabilities/{vulnerability.reference}/"' in page
    assert f'href="/intelligence/{report.reference}/"' in page
    assert f'href="/tasking/{tasking.reference}/"' in page
    assert counts(page)["ocg"] == 2  # the PI's own OCG is a Zephyrine Quarry Crew too
    assert counts(page)["report"] == 1
    assert counts(page)["tasking"] == 1

    page = search(client, "Xylander")
    assert f'href="/pis/{pi.reference}/"' in page
    assert f'href="/nominals/{pi.nominal.reference}/"' in page
    assert counts(page)["pi"] == 1

    page = search(client, pi.reference.lower())
    assert counts(page)["pi"] == 1


def test_an_identifier_is_found_in_any_form_it_is_written(client, cast):
    entity = make_entity("DYP", "OFFICIAL", False)
    assert entity.canonical == "+447700900999"
    nominal = entity.links.get().nominal
    client.force_login(cast("dp.analyst"))
    for written in ("07700 900999", "+44 (0)7700 900999", "0044 7700 900999"):
        page = search(client, written)
        assert counts(page)["identifier"] == 1, written
        assert "+447700900999" in page
        # The result links to the person the phone belongs to.
        assert f'href="/nominals/{nominal.reference}/"' in page


@pytest.mark.parametrize(
    ("who", "classification"),
    [
        ("gmp.lro", "OFFICIAL"),  # another force
        ("dp.lro", "SECRET"),  # SECRET without SC vetting
        ("bf.partner", "OFFICIAL"),  # a partner
    ],
)
def test_what_the_reader_may_not_see_is_neither_shown_nor_counted(
    client, cast, who, classification
):
    made = [
        make_pi("DYP", classification, False),
        make_vulnerability("DYP", classification, False),
        make_report("DYP", classification, False),
        make_tasking("DYP", classification, False),
        make_entity("DYP", classification, False),
    ]
    pi, vulnerability, report, tasking, _entity = made
    urls = [
        f"/pis/{pi.reference}/",
        f"/nominals/{pi.nominal.reference}/",
        f"/vulnerabilities/{vulnerability.reference}/",
        f"/intelligence/{report.reference}/",
        f"/tasking/{tasking.reference}/",
    ]
    client.force_login(cast(who))
    for q in ("Zephyrine", "Xylander", "07700 900999", *(m.reference for m in made[:4])):
        page = search(client, q)
        assert set(counts(page).values()) == {0}, (who, q, counts(page))
        for url in urls:
            assert url not in page, (who, q, url)
        if q in ("Zephyrine", "Xylander", "07700 900999"):
            for record in made[:4]:
                assert record.reference not in page
        assert "+447700900999" not in page
        response = client.get("/api/v1/search", {"q": q})
        assert response.status_code == 200
        assert response.json()["total"] == 0, (who, q)


def test_intelligence_is_found_only_through_sharing(client, cast):
    """A ROCU sees its region's OCGs by regional reach but intelligence only when shared."""
    ocg = make_ocg("DYP", "OFFICIAL", False)
    report = make_report("DYP", "OFFICIAL", False)
    client.force_login(cast("tarian.chair"))
    page = search(client, "Zephyrine")
    assert counts(page)["ocg"] == 1
    assert ocg.reference in page
    assert counts(page)["report"] == 0
    assert report.reference not in page

    intelligence.disseminate(
        actor=cast("dp.analyst"),
        report=report,
        to=[organisation("TARIAN")],
        purpose="Joint operation against the supply route",
    )
    page = search(client, "Zephyrine")
    assert counts(page)["report"] == 1
    assert f'href="/intelligence/{report.reference}/"' in page


def test_a_search_is_audited_with_its_query_and_counts(client, cast):
    make_pi("DYP", "OFFICIAL", False)
    make_report("DYP", "OFFICIAL", False)
    client.force_login(cast("dp.analyst"))
    search(client, "Zephyrine")
    entry = AuditEntry.objects.filter(action="search").latest("id")
    assert entry.object_type == "threats"
    assert entry.detail["query"] == "Zephyrine"
    assert entry.detail["ocgs"] == 1
    assert entry.detail["nominals"] == 0
    assert entry.detail["entities"] == 0
    assert entry.detail["reports"] == 1
    client.get("/api/v1/search", {"q": "Xylander"})
    entry = AuditEntry.objects.filter(action="search").latest("id")
    assert (entry.detail["query"], entry.detail["nominals"], entry.detail["pis"]) == (
        "Xylander",
        1,
        1,
    )


def test_one_kind_is_paged(client, cast):
    analyst = cast("dp.analyst")
    for n in range(12):
        services.map_ocg(
            actor=analyst,
            details=services.OcgDetails(
                name=f"Harbour Crew {n:02}", criminality=["fraud"], force_areas=["DYP"]
            ),
        )
    client.force_login(analyst)
    overview = search(client, "Harbour Crew")
    assert counts(overview)["ocg"] == 12
    assert overview.count('href="/ocgs/OCG-DYP-') == 10
    assert "kind=ocg" in overview  # "Show all 12"
    first = search(client, "Harbour Crew", kind="ocg")
    assert first.count('href="/ocgs/OCG-DYP-') == 12
    response = client.get("/api/v1/search", {"q": "Harbour Crew", "kind": "ocg", "per_kind": 5})
    body = response.json()
    assert [g["kind"] for g in body["groups"]] == ["ocg"]
    assert body["groups"][0]["count"] == 12
    assert len(body["groups"][0]["results"]) == 5
    second = client.get(
        "/api/v1/search", {"q": "Harbour Crew", "kind": "ocg", "per_kind": 5, "skip": 10}
    ).json()
    assert [r["title"] for r in second["groups"][0]["results"]] == [
        "Harbour Crew 10",
        "Harbour Crew 11",
    ]


def test_the_api_refuses_a_kind_it_does_not_know_naming_the_field(client, cast):
    client.force_login(cast("dp.analyst"))
    response = client.get("/api/v1/search", {"q": "x", "kind": "weather"})
    assert response.status_code == 422
    assert "kind" in response.json()["errors"]
    response = client.get("/api/v1/search", {"q": ""})
    assert response.status_code == 422


def test_the_search_query_count_does_not_grow_with_results(client, cast):
    client.force_login(cast("dp.analyst"))
    make_pi("DYP", "OFFICIAL", False)
    make_vulnerability("DYP", "OFFICIAL", False)
    make_report("DYP", "OFFICIAL", False)
    make_tasking("DYP", "OFFICIAL", False)
    make_entity("DYP", "OFFICIAL", False)
    search(client, "Zephyrine")
    with CaptureQueriesContext(connection) as few:
        search(client, "Zephyrine")
        search(client, "07700 900999")
    for _ in range(6):
        make_pi("DYP", "OFFICIAL", False)
        make_vulnerability("DYP", "OFFICIAL", False)
        make_report("DYP", "OFFICIAL", False)
        make_tasking("DYP", "OFFICIAL", False)
        make_entity("DYP", "OFFICIAL", False)
    with CaptureQueriesContext(connection) as many:
        page = search(client, "Zephyrine")
        search(client, "07700 900999")
    assert counts(page)["report"] == 7
    assert len(many) == len(few)


def test_a_persons_page_ties_their_ocgs_pi_record_and_intelligence_together(client, cast):
    pi = make_pi("DYP", "OFFICIAL", False)
    nominal = pi.nominal
    ocg = pi.ocgs.get()
    about = make_report("DYP", "OFFICIAL", False)
    about.nominals.add(nominal)
    unseen = make_report("GMP", "OFFICIAL", False)  # GMP's own, never shared with Dyfed-Powys
    unseen.nominals.add(nominal)
    client.force_login(cast("dp.analyst"))
    page = client.get(f"/nominals/{nominal.reference}/").content.decode()
    assert "Quentin Xylander" in page
    assert f'href="/ocgs/{ocg.reference}/"' in page
    assert "Principal" in page  # the role in the group
    assert f'href="/pis/{pi.reference}/"' in page
    assert f'href="/intelligence/{about.reference}/"' in page
    assert unseen.reference not in page
    # The PI page links to the person's page.
    pi_page = client.get(f"/pis/{pi.reference}/").content.decode()
    assert f'href="/nominals/{nominal.reference}/"' in pi_page


def test_a_persons_page_is_not_found_for_who_may_not_see_it(client, cast):
    pi = make_pi("DYP", "OFFICIAL", False)
    for who in ("gmp.lro", "bf.partner"):
        client.force_login(cast(who))
        assert client.get(f"/nominals/{pi.nominal.reference}/").status_code == 404


def test_a_persons_page_query_count_does_not_grow_with_what_it_shows(client, cast):
    pi = make_pi("DYP", "OFFICIAL", False)
    nominal = pi.nominal
    analyst = cast("dp.analyst")
    client.force_login(analyst)
    url = f"/nominals/{nominal.reference}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        ocg = services.map_ocg(
            actor=analyst,
            details=services.OcgDetails(
                name=f"Crew {n}", criminality=["fraud"], force_areas=["DYP"]
            ),
        )
        OcgMember.objects.create(ocg=ocg, nominal=nominal, role="peripheral")
        make_report("DYP", "OFFICIAL", False).nominals.add(nominal)
        services.add_entity(
            actor=analyst, kind="phone", value=f"07700 90012{n}", link_type="uses", nominal=nominal
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count('href="/ocgs/OCG-DYP-') == 6
    assert len(many) == len(few)


def test_shares_ending_take_search_results_away(client, cast):
    """A share that gave sight of a record, once revoked, no longer finds it."""
    report = make_report("DYP", "OFFICIAL", False)
    intelligence.disseminate(
        actor=cast("dp.analyst"),
        report=report,
        to=[organisation("WIL")],
        purpose="Joint operation against the supply route",
    )
    client.force_login(cast("wilts.analyst"))
    assert counts(search(client, "Zephyrine"))["report"] == 1
    Share.objects.filter(object_id=report.pk, to_organisation__code="WIL").delete()
    assert counts(search(client, "Zephyrine"))["report"] == 0
