"""Deconfliction pages: registering through the forms, the watch desk's steps, exports, and
list pages whose number of queries does not grow with their rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.deconfliction.choices import HitStatus, SubjectKind
from concord.deconfliction.models import Hit
from tests.access.test_matrix import client_for
from tests.deconfliction.helpers import deployment, identifier, operation
from tests.factories import persona

pytestmark = pytest.mark.django_db


def test_an_operation_is_registered_and_a_subject_checked_through_the_pages():
    nw = operation("nwrocu.sio")
    identifier(nw, SubjectKind.PHONE, "07700 900777")
    client = client_for(persona("gmp.sio"))
    response = client.post(
        "/deconfliction/new/",
        {
            "name": "Operation Kestrel",
            "kind": "standalone",
            "contact_name": "GMP duty DS",
            "starts": timezone.localdate().isoformat(),
            "classification": "OFFICIAL",
        },
    )
    assert response.status_code == 302
    url = response["Location"]
    pk = int(url.strip("/").split("/")[-1])
    response = client.post(
        f"/deconfliction/{pk}/subjects/",
        {"subject-kind": "phone", "subject-value": "+447700900777"},
        follow=True,
    )
    page = response.content.decode()
    assert "Deconfliction hit" in page
    assert "North West" in page  # the other organisation, by name


def test_a_form_with_errors_says_which_field():
    op = operation("gmp.sio")
    client = client_for(persona("gmp.sio"))
    response = client.post(f"/deconfliction/{op.pk}/subjects/", {"subject-kind": "person"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Enter the person" in page
    response = client.post("/deconfliction/new/", {"name": ""})
    assert "govuk-error-summary" in response.content.decode()


def test_the_watch_desk_contacts_both_and_records_the_resolution_through_the_page():
    nw = operation("nwrocu.sio")
    gmp = operation("gmp.sio")
    identifier(nw, SubjectKind.VRM, "MA19XKD")
    _s, (hit,) = identifier(gmp, SubjectKind.VRM, "MA19 XKD")
    client = client_for(persona("nca.watchdesk"))
    url = f"/deconfliction/desk/{hit.reference}/"
    client.post(url, {"step": "contact_a"})
    client.post(url, {"step": "contact_b"})
    response = client.post(url, {"step": "resolve", "resolution": "deconflicted", "note": "ok"})
    assert response.status_code == 302
    hit = Hit.objects.get(pk=hit.pk)
    assert hit.status == HitStatus.RESOLVED
    assert hit.a_contacted_at is not None
    assert hit.b_contacted_at is not None


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured.captured_queries)


def _more_hits(n: int) -> None:
    for i in range(n):
        nw = operation("nwrocu.sio", name=f"Operation N{i}")
        gmp = operation("gmp.sio", name=f"Operation G{i}")
        identifier(nw, SubjectKind.PHONE, f"07700 90{i:04d}")
        identifier(gmp, SubjectKind.PHONE, f"07700 90{i:04d}")
        deployment(nw, postcode="M5 4WT")
        deployment(gmp, postcode="M5 4WT")


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("gmp.sio", "/deconfliction/"),
        ("gmp.sio", "/deconfliction/hits/"),
        ("gmp.sio", "/deconfliction/map/"),
        ("nca.watchdesk", "/deconfliction/desk/"),
    ],
)
def test_list_pages_take_a_fixed_number_of_queries(who, url, django_assert_max_num_queries):
    client = client_for(persona(who))
    _more_hits(1)
    one = _queries(client, url)
    _more_hits(3)
    with django_assert_max_num_queries(one):
        assert client.get(url).status_code == 200


def test_the_operation_page_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    gmp = operation("gmp.sio", name="Operation Many")
    client = client_for(persona("gmp.sio"))
    nw = operation("nwrocu.sio")
    identifier(nw, SubjectKind.PHONE, "07700 900100")
    identifier(gmp, SubjectKind.PHONE, "07700 900100")
    one = _queries(client, f"/deconfliction/{gmp.pk}/")
    for i in range(3):
        identifier(nw, SubjectKind.PHONE, f"07700 90020{i}")
        identifier(gmp, SubjectKind.PHONE, f"07700 90020{i}")
        deployment(gmp, postcode="M5 4WT", when=None)
    with django_assert_max_num_queries(one):
        assert client.get(f"/deconfliction/{gmp.pk}/").status_code == 200


def test_the_map_draws_offline_with_a_table():
    gmp = operation("gmp.sio")
    deployment(gmp, postcode="M5 4WT")
    page = client_for(persona("gmp.sio")).get("/deconfliction/map/").content.decode()
    assert "<circle" in page
    assert "map-table" in page
    assert "http://" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", ""
    )
    assert "https://" not in page


def test_exports_carry_the_pointer_rows():
    nw = operation("nwrocu.sio")
    gmp = operation("gmp.sio")
    identifier(nw, SubjectKind.VRM, "MA19XKD")
    _s, (hit,) = identifier(gmp, SubjectKind.VRM, "MA19 XKD")
    gmp_csv = client_for(persona("gmp.sio")).get("/deconfliction/hits/?export=csv")
    assert hit.reference in b"".join(gmp_csv.streaming_content).decode()
    desk = client_for(persona("nca.watchdesk")).get("/deconfliction/desk/?export=xlsx")
    assert desk.status_code == 200
    assert desk["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(desk.streaming_content) if desk.streaming else desk.content
    assert len(content) > 1000  # a workbook, its times written without a zone
