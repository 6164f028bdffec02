"""Administrators manage people of their own organisation only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.organisations import services
from concord.organisations.models import Role, Team, User
from tests.factories import UserFactory, organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def dp_admin(db):
    return UserFactory(
        username="dp.admin", organisation=organisation("DYP"), roles=["administrator"]
    )


def details(username="new.person", **extra):
    base = {
        "username": username,
        "first_name": "Nia",
        "last_name": "Lewis",
        "email": f"{username}@example.invalid",
        "vetting_level": "NPPV2",
    }
    base.update(extra)
    return services.PersonDetails(**base)


def test_an_administrator_adds_a_person_to_their_own_organisation(dp_admin):
    team = Team.objects.create(organisation=dp_admin.organisation, name="FIB")
    person = services.create_person(
        actor=dp_admin,
        organisation=dp_admin.organisation,
        details=details(),
        roles=Role.objects.filter(code="analyst"),
        teams=[team],
    )
    assert person.organisation.code == "DYP"
    assert person.role_codes == {"analyst"}
    assert list(person.teams.all()) == [team]
    assert not person.has_usable_password()


def test_an_administrator_cannot_add_people_to_another_organisation(dp_admin):
    with pytest.raises(PermissionDenied):
        services.create_person(actor=dp_admin, organisation=organisation("GMP"), details=details())
    assert not User.objects.filter(username="new.person").exists()


def test_a_person_without_the_role_cannot_administer(cast):
    with pytest.raises(PermissionDenied):
        services.create_person(
            actor=cast("dp.lro"), organisation=organisation("DYP"), details=details()
        )


def test_teams_must_belong_to_the_persons_organisation(dp_admin):
    foreign = Team.objects.create(organisation=organisation("GMP"), name="GMP team")
    with pytest.raises(ValidationError) as exc:
        services.create_person(
            actor=dp_admin, organisation=dp_admin.organisation, details=details(), teams=[foreign]
        )
    assert "teams" in exc.value.error_dict
    assert not User.objects.filter(username="new.person").exists()


def test_someone_elses_person_is_404_in_pages(client, dp_admin, cast):
    other = cast("gmp.sio")
    client.force_login(dp_admin)
    assert client.get(f"/people/{other.pk}/edit/").status_code == 404
    listing = client.get("/people/").content.decode()
    assert "gmp.sio" not in listing


def test_people_pages_are_404_for_non_administrators(client, cast):
    client.force_login(cast("dp.lro"))
    assert client.get("/people/").status_code == 404
    assert client.get("/people/new/").status_code == 404


def test_the_add_form_names_bad_fields_and_changes_nothing(client, dp_admin):
    client.force_login(dp_admin)
    response = client.post(
        "/people/new/",
        {
            "username": "Bad Name!",
            "first_name": "",
            "last_name": "Lewis",
            "email": "not-an-email",
            "vetting_level": "SC",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter a username of lower-case letters" in page
    assert "Enter a valid email address" in page
    assert "Give both the vetting level and its expiry date" in page
    assert User.objects.count() == 1


def test_the_add_form_creates_a_person(client, dp_admin):
    client.force_login(dp_admin)
    analyst = Role.objects.get(code="analyst")
    response = client.post(
        "/people/new/",
        {
            "username": "nia.lewis",
            "first_name": "Nia",
            "last_name": "Lewis",
            "email": "nia@example.invalid",
            "roles": [analyst.pk],
            "vetting_level": "NPPV3",
            "vetting_expires": "2030-01-31",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    person = User.objects.get(username="nia.lewis")
    assert person.organisation == dp_admin.organisation
    assert person.role_codes == {"analyst"}


def test_an_administrator_cannot_lock_themself_out(dp_admin):
    with pytest.raises(ValidationError):
        services.update_person(
            actor=dp_admin,
            person=dp_admin,
            details=details("dp.admin", is_active=False),
            roles=[],
            teams=[],
        )


def test_people_list_query_count_is_constant(client, dp_admin):
    client.force_login(dp_admin)
    for n in range(3):
        UserFactory(username=f"few{n}", organisation=dp_admin.organisation, roles=["analyst"])
    client.get("/people/")  # warm up: session and content types
    with CaptureQueriesContext(connection) as few:
        client.get("/people/")
    for n in range(30):
        UserFactory(username=f"many{n}", organisation=dp_admin.organisation, roles=["sio"])
    with CaptureQueriesContext(connection) as many:
        response = client.get("/people/")
    assert "many29" in response.content.decode()
    assert len(many) == len(few)


def test_people_export_as_csv_and_xlsx(client, dp_admin, cast):
    cast("dp.lro")
    cast("gmp.lro")
    client.force_login(dp_admin)
    csv = b"".join(client.get("/people/", {"export": "csv"}).streaming_content).decode()
    assert "dp.lro" in csv
    assert "gmp.lro" not in csv
    xlsx = client.get("/people/", {"export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx.content[:2] == b"PK"
