"""What the organisations app writes to the audit trail: the people list and its exports, API
tokens issued and revoked, and changes to people (roles, vetting, active) and secondments."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from concord.core import audit
from concord.core.models import AuditEntry
from concord.organisations import services
from concord.organisations.models import ApiToken, Role, Secondment, User
from tests.factories import UserFactory, organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def dp_admin(db):
    return UserFactory(
        username="dp.admin", organisation=organisation("DYP"), roles=["administrator"]
    )


def entries(**lookup) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**lookup).order_by("id"))


def text_of(rows: list[AuditEntry]) -> str:
    return json.dumps([[r.changes, r.detail, r.object_repr] for r in rows], default=str)


# --- the people list and its exports ------------------------------------------------------


def test_the_people_list_is_audited_as_listed_with_who_was_on_it(client, dp_admin, cast):
    lro = cast("dp.lro")
    client.force_login(dp_admin)
    assert client.get("/people/", {"q": "morgan"}).status_code == 200
    [entry] = entries(action="list")
    assert (entry.actor_username, entry.object_type) == ("dp.admin", "organisations.user")
    assert entry.source == "web"
    assert entry.detail["filters"] == {"q": "morgan"}
    assert entry.detail["ids"] == [str(lro.pk)]
    assert (entry.detail["rows"], entry.detail["count"], entry.detail["page"]) == (1, 1, 1)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exporting_the_people_list_is_audited(client, dp_admin, cast, fmt):
    cast("dp.lro")
    client.force_login(dp_admin)
    response = client.get("/people/", {"export": fmt, "role": "lro"})
    assert response.status_code == 200
    [entry] = entries(action="export")
    assert (entry.actor_username, entry.object_type) == ("dp.admin", "organisations.user")
    assert entry.detail == {"filters": {"role": "lro"}, "format": fmt, "count": 1}
    assert not entries(action="list")  # the download is not also a page view


# --- API tokens ---------------------------------------------------------------------------


def test_issuing_a_token_is_recorded_without_the_token_or_its_digest(cast):
    person = cast("dp.analyst")
    token, plaintext = services.issue_api_token(actor=person, person=person, name="R", days=30)
    [entry] = entries(action="create", object_type="organisations.apitoken")
    assert (entry.actor_username, entry.object_id) == ("dp.analyst", str(token.pk))
    assert entry.owner_code == "DYP"
    assert entry.changes["name"] == [None, "R"]
    assert entry.changes["prefix"] == [None, token.prefix]
    assert entry.changes["person"] == [None, "dp.analyst"]
    assert entry.changes["expires_at"][1].startswith(token.expires_at.date().isoformat())
    assert plaintext not in text_of([entry])
    assert token.digest not in text_of([entry])
    assert audit.verify().ok


def test_an_administrator_issuing_for_someone_else_is_the_actor(dp_admin, cast):
    person = cast("dp.analyst")
    services.issue_api_token(actor=dp_admin, person=person, name="script", days=7)
    [entry] = entries(action="create", object_type="organisations.apitoken")
    assert entry.actor_username == "dp.admin"
    assert entry.changes["person"] == [None, "dp.analyst"]


def test_revoking_a_token_is_recorded_once(cast):
    person = cast("dp.analyst")
    token, _plaintext = services.issue_api_token(actor=person, person=person, name="R", days=30)
    services.revoke_api_token(actor=person, token=token)
    services.revoke_api_token(actor=person, token=token)  # harmless, and nothing to record
    [entry] = entries(action="update", object_type="organisations.apitoken")
    assert (entry.actor_username, entry.object_id) == ("dp.analyst", str(token.pk))
    token.refresh_from_db()
    assert entry.changes["revoked_at"][0] is None
    assert entry.changes["revoked_at"][1].startswith(token.revoked_at.date().isoformat())


def test_the_token_pages_record_issue_and_revocation(client, cast):
    person = cast("dp.analyst")
    client.force_login(person)
    assert client.post("/profile/tokens/", {"name": "laptop", "days": "30"}).status_code == 302
    token = ApiToken.objects.get(user=person)
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 302
    made, revoked = entries(object_type="organisations.apitoken")
    assert (made.action, made.source, made.changes["name"]) == ("create", "web", [None, "laptop"])
    assert (revoked.action, revoked.source, revoked.object_id) == ("update", "web", str(token.pk))


def test_the_token_commands_record_issue_and_revocation_from_the_cli(cast):
    cast("dp.lro")
    out = io.StringIO()
    call_command("issue_token", "dp.lro", "--name", "cron", stdout=out, stderr=io.StringIO())
    plaintext = out.getvalue().strip()
    token = ApiToken.objects.get()
    call_command("revoke_token", token.prefix, stdout=io.StringIO())
    made, revoked = entries(object_type="organisations.apitoken")
    assert (made.action, made.source, made.actor_username) == ("create", "cli", "dp.lro")
    assert made.changes["name"] == [None, "cron"]
    assert (revoked.action, revoked.source) == ("update", "cli")
    assert revoked.changes["revoked_at"][0] is None
    assert plaintext not in text_of([made, revoked])


# --- people -------------------------------------------------------------------------------


def details(person: User, **changes) -> services.PersonDetails:
    values = {field: getattr(person, field) for field in services.PERSON_FIELDS}
    values.update(changes)
    return services.PersonDetails(**values)


def test_changing_roles_vetting_and_active_is_recorded(dp_admin, cast):
    person = cast("dp.analyst")
    old_expiry = person.vetting_expires
    new_expiry = timezone.localdate() + dt.timedelta(days=20)
    services.update_person(
        actor=dp_admin,
        person=person,
        details=details(person, vetting_level="SC", vetting_expires=new_expiry, is_active=False),
        roles=Role.objects.filter(code__in=["analyst", "sio"]),
        teams=person.teams.all(),
    )
    [entry] = entries(action="update", object_type="organisations.user")
    assert (entry.actor_username, entry.object_id) == ("dp.admin", str(person.pk))
    assert entry.owner_code == "DYP"
    assert entry.changes == {
        "vetting_level": ["NPPV3", "SC"],
        "vetting_expires": [old_expiry.isoformat(), new_expiry.isoformat()],
        "is_active": [True, False],
        "roles": [["analyst"], ["analyst", "sio"]],
    }


def test_saving_a_person_unchanged_records_nothing(dp_admin, cast):
    person = cast("dp.analyst")
    services.update_person(
        actor=dp_admin,
        person=person,
        details=details(person),
        roles=person.roles.all(),
        teams=person.teams.all(),
    )
    assert not entries(object_type="organisations.user", action="update")


def test_the_people_admin_page_records_the_change(client, dp_admin, cast):
    person = cast("dp.analyst")
    client.force_login(dp_admin)
    response = client.post(
        f"/people/{person.pk}/edit/",
        {
            "username": person.username,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "job_title": person.job_title,
            "roles": [Role.objects.get(code="lro").pk],
            "teams": [team.pk for team in person.teams.all()],
            "vetting_level": "NPPV2",
            "vetting_expires": "2031-03-31",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    [entry] = entries(action="update", object_type="organisations.user")
    assert (entry.actor_username, entry.source) == ("dp.admin", "web")
    assert entry.changes["roles"] == [["analyst"], ["lro"]]
    assert entry.changes["vetting_level"] == ["NPPV3", "NPPV2"]
    assert entry.changes["vetting_expires"][1] == "2031-03-31"
    assert "teams" not in entry.changes


def test_adding_a_person_is_recorded(dp_admin):
    person = services.create_person(
        actor=dp_admin,
        organisation=dp_admin.organisation,
        details=services.PersonDetails(
            username="nia.lewis",
            first_name="Nia",
            last_name="Lewis",
            email="nia@example.invalid",
            vetting_level="NPPV2",
            vetting_expires=dt.date(2030, 1, 31),
        ),
        roles=Role.objects.filter(code="analyst"),
        password="A-long-unusual-passphrase-77",
    )
    [entry] = entries(action="create", object_type="organisations.user")
    assert (entry.actor_username, entry.object_id) == ("dp.admin", str(person.pk))
    assert entry.changes["username"] == [None, "nia.lewis"]
    assert entry.changes["organisation"] == [None, "DYP"]
    assert entry.changes["roles"] == [None, ["analyst"]]
    assert entry.changes["vetting_expires"] == [None, "2030-01-31"]
    assert "password" not in text_of([entry])
    assert "A-long-unusual" not in text_of([entry])


def test_a_secondment_made_and_ended_is_recorded(dp_admin, cast):
    person = cast("dp.analyst")
    starts = timezone.localdate()
    secondment = services.second_person(
        actor=dp_admin, person=person, to=organisation("TARIAN"), starts=starts, reason="ROCU"
    )
    ends = starts + dt.timedelta(days=180)
    services.end_secondment(actor=dp_admin, secondment=secondment, ends=ends)
    made, ended = entries(object_type="organisations.secondment")
    assert (made.action, made.actor_username, made.object_id) == (
        "create",
        "dp.admin",
        str(secondment.pk),
    )
    assert made.owner_code == "DYP"
    assert made.changes == {
        "person": [None, "dp.analyst"],
        "organisation": [None, "TARIAN"],
        "starts": [None, starts.isoformat()],
        "reason": [None, "ROCU"],
    }
    assert (ended.action, ended.object_id) == ("update", str(secondment.pk))
    assert ended.changes == {"ends": [None, ends.isoformat()]}
    assert Secondment.objects.get().ends == ends


def test_ending_a_secondment_is_for_the_persons_administrator(cast):
    from django.core.exceptions import PermissionDenied, ValidationError

    person = cast("dp.analyst")
    gmp_admin = UserFactory(
        username="gmp.admin", organisation=organisation("GMP"), roles=["administrator"]
    )
    dp_admin = UserFactory(
        username="dp.admin", organisation=organisation("DYP"), roles=["administrator"]
    )
    starts = timezone.localdate()
    secondment = services.second_person(
        actor=dp_admin, person=person, to=organisation("TARIAN"), starts=starts
    )
    with pytest.raises(PermissionDenied):
        services.end_secondment(actor=gmp_admin, secondment=secondment, ends=starts)
    with pytest.raises(ValidationError):
        services.end_secondment(
            actor=dp_admin, secondment=secondment, ends=starts - dt.timedelta(days=1)
        )
    assert Secondment.objects.get().ends is None
    assert not entries(object_type="organisations.secondment", action="update")
