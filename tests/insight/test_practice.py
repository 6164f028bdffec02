"""The good practice library: searchable in English and Welsh, adoptions recorded by those who
oversee the organisation, comments by anyone who works with records; CSV/XLSX."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from concord.core.models import AuditEntry
from concord.insight import services
from concord.insight.models import Adoption, Practice
from concord.insight.seed import PRACTICES
from tests.access.test_matrix import body, client_for
from tests.factories import organisation, persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    for data in PRACTICES:
        fields = {k: v for k, v in data.items() if k not in ("adopted_by", "originator")}
        Practice.objects.create(**fields)
    return Practice.objects.get(slug="lro-mentoring")


def test_search_finds_in_either_language(library):
    client = client_for(persona("dp.lro"))
    found = client.get("/insight/practice/", {"q": "mentor"}).content.decode()
    assert "LRO mentoring" in found
    assert "Programme Challenger" not in found
    welsh = client.get("/insight/practice/", {"q": "diogelu cymhleth"}).content.decode()
    assert "Complex safeguarding" in welsh
    assert "LRO mentoring" not in welsh
    exported = body(client.get("/insight/practice/", {"q": "Challenger", "export": "csv"}))
    assert "Programme Challenger" in exported
    assert "mentoring" not in exported


def test_the_practice_page_in_welsh(library):
    page = client_for(persona("dp.lro", language="cy")).get("/insight/practice/lro-mentoring/")
    text = page.content.decode()
    assert "Mentora LRO" in text
    assert "Tystiolaeth" in text


def test_a_comment_is_added_and_audited(library):
    lro = persona("dp.lro")
    response = client_for(lro).post(
        "/insight/practice/lro-mentoring/", {"step": "comment", "text": "It helped us."}
    )
    assert response.status_code == 302
    assert library.comments.get().author == lro
    assert AuditEntry.objects.filter(object_type="insight.practicecomment").exists()
    with pytest.raises(ValidationError) as error:
        services.comment_on_practice(actor=lro, practice=library, text="  ")
    assert "text" in error.value.message_dict
    page = client_for(lro).post("/insight/practice/lro-mentoring/", {"step": "comment", "text": ""})
    assert page.status_code == 200
    assert "govuk-error-summary" in page.content.decode()


def test_adoptions_by_those_who_oversee_the_organisation(library):
    chair = persona("tarian.chair")
    since = timezone.localdate() - dt.timedelta(days=30)
    services.record_adoption(
        actor=chair,
        practice=library,
        organisation=organisation("DYP"),
        status="adopted",
        since=since,
    )
    assert Adoption.objects.get(practice=library).organisation.code == "DYP"
    with pytest.raises(PermissionDenied):
        services.record_adoption(
            actor=chair,
            practice=library,
            organisation=organisation("GMP"),
            status="adopted",
            since=since,
        )
    with pytest.raises(ValidationError) as error:
        services.record_adoption(
            actor=chair,
            practice=library,
            organisation=organisation("DYP"),
            status="adopted",
            since=timezone.localdate() + dt.timedelta(days=3),
        )
    assert "since" in error.value.message_dict
    page = client_for(persona("dp.analyst")).get("/insight/practice/lro-mentoring/")
    assert "Record an adoption" not in page.content.decode()
    assert "Dyfed-Powys" in page.content.decode()


def test_the_list_costs_a_fixed_number_of_queries(library, django_assert_max_num_queries):
    client = client_for(persona("dp.lro"))
    client.get("/insight/practice/")
    Practice.objects.create(slug="another", title="Another", summary="s", body="b")
    with django_assert_max_num_queries(12):
        assert client.get("/insight/practice/").status_code == 200
