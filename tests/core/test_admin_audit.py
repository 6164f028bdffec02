"""Every Django-admin save and delete is in the audit trail, with what changed and no secret."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.sites import all_sites
from django.utils import timezone

from concord.core import audit
from concord.core.admin import HIDDEN, AuditedModelAdmin, unaudited_admins
from concord.core.admin_site import AuditedAdminSite
from concord.core.models import AuditEntry
from concord.organisations.models import Organisation, Role, Secondment, User
from concord.threats.models import CriminalityType
from tests.factories import organisation

pytestmark = pytest.mark.django_db


class _FormReader(HTMLParser):
    """The fields of the change form on an admin page as a browser would post them."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((name, a.get("value") or "on"))
                return
            self.data.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.append((self._textarea, self._text.strip("\n")))
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data


def form_of(page: Any) -> dict[str, Any]:
    assert page.status_code == 200, page.status_code
    reader = _FormReader()
    reader.feed(page.content.decode())
    data: dict[str, Any] = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in data.items()}


@pytest.fixture
def operator(cast, client) -> User:
    person = cast("admin")
    client.force_login(person)
    return person


def admin_entries(**lookup: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(source="admin", **lookup).order_by("id"))


def nothing_secret(entries: list[AuditEntry], *secrets: str) -> None:
    text = json.dumps([[e.changes, e.detail, e.object_repr] for e in entries], default=str)
    for secret in secrets:
        assert secret not in text


# --- every admin is audited ---------------------------------------------------------------


def test_every_registered_admin_on_every_site_is_audited() -> None:
    assert isinstance(admin.site, AuditedAdminSite)
    registered = [(site, m, a) for site in all_sites for m, a in site._registry.items()]
    assert registered  # the walk found the admins
    missing = [
        f"{type(a).__name__} for {m._meta.label}"
        for _site, m, a in registered
        if not isinstance(a, AuditedModelAdmin)
    ]
    assert missing == [], f"admins that do not write the audit trail: {missing}"
    assert unaudited_admins() == []
    # The apps' own admins and those this project cannot edit (Django's, third parties').
    labels = {m._meta.label for m in admin.site._registry}
    assert {"organisations.User", "intelligence.Peer", "plans.DisruptionImpact"} <= labels
    assert {"meetings.Forum", "auth.Group", "otp_totp.TOTPDevice"} <= labels


def test_an_admin_registered_later_is_audited_too() -> None:
    site = AuditedAdminSite(name="later")

    class PlainAdmin(admin.ModelAdmin[Role]):
        list_display = ["code"]

    site.register(Role, PlainAdmin)
    site.register(Organisation)  # no admin class: Django's ModelAdmin, audited
    assert isinstance(site._registry[Role], AuditedModelAdmin)
    assert isinstance(site._registry[Role], PlainAdmin)
    assert isinstance(site._registry[Organisation], AuditedModelAdmin)


def test_an_unaudited_site_is_found() -> None:
    site = admin.AdminSite(name="careless")
    site.register(Role)
    try:
        assert any("careless" in name for name in unaudited_admins())
    finally:
        site.unregister(Role)


# --- people -------------------------------------------------------------------------------


def test_an_admin_change_to_a_person_records_vetting_organisation_roles_and_active(
    client, operator, cast
) -> None:
    person = cast("dp.analyst")
    before_roles = sorted(person.role_codes)
    page = client.get(f"/django-admin/organisations/user/{person.pk}/change/")
    data = form_of(page)
    expires = timezone.localdate() + dt.timedelta(days=30)
    data.update(
        vetting_level="SC",
        vetting_expires=expires.isoformat(),
        organisation=str(organisation("GMP").pk),
        roles=[
            str(pk)
            for pk in Role.objects.filter(code__in=["sio", "lro"]).values_list("pk", flat=True)
        ],
    )
    data.pop("is_active", None)  # unticked
    response = client.post(f"/django-admin/organisations/user/{person.pk}/change/", data)
    assert response.status_code == 302, form_of(response) if response.status_code == 200 else ""

    [entry] = admin_entries(object_type="organisations.user", object_id=str(person.pk))
    assert entry.action == "update"
    assert (entry.actor_username, entry.source) == ("admin", "admin")
    assert entry.changes["vetting_level"] == ["NPPV3", "SC"]
    assert entry.changes["vetting_expires"] == [
        person.vetting_expires.isoformat(),
        expires.isoformat(),
    ]
    assert entry.changes["organisation"] == ["DYP", "GMP"]
    assert entry.owner_code == "GMP"
    assert entry.changes["roles"] == [before_roles, ["lro", "sio"]]
    assert entry.changes["is_active"] == [True, False]
    assert "password" not in entry.changes  # unchanged, and never shown
    assert "last_name" not in entry.changes
    assert audit.verify().ok


def test_a_person_added_in_the_admin_is_recorded_without_the_password(client, operator) -> None:
    page = client.get("/django-admin/organisations/user/add/")
    data = form_of(page)
    data.update(
        username="new.officer",
        password1="Correct-Horse-Battery-9",
        password2="Correct-Horse-Battery-9",
        organisation=str(organisation("DYP").pk),
        email="new.officer@example.invalid",
    )
    data.pop("usable_password", None)
    data["usable_password"] = "true"
    response = client.post("/django-admin/organisations/user/add/", data)
    assert response.status_code == 302
    person = User.objects.get(username="new.officer")
    entries = admin_entries(object_type="organisations.user", object_id=str(person.pk))
    assert entries[0].action == "create"
    assert entries[0].changes["username"] == [None, "new.officer"]
    assert entries[0].changes["organisation"] == [None, "DYP"]
    assert entries[0].changes["password"] == [None, HIDDEN]
    nothing_secret(entries, "Correct-Horse-Battery-9", person.password)


def test_a_password_changed_in_the_admin_is_recorded_hidden(client, operator, cast) -> None:
    person = cast("dp.analyst")
    old_hash = person.password
    url = f"/django-admin/organisations/user/{person.pk}/password/"
    response = client.post(
        url,
        {
            "password1": "Another-Long-Phrase-42",
            "password2": "Another-Long-Phrase-42",
            "usable_password": "true",
            "set-password": "1",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    [entry] = admin_entries(object_type="organisations.user", object_id=str(person.pk))
    assert (entry.action, entry.actor_username) == ("update", "admin")
    assert entry.changes["password"] == [HIDDEN, HIDDEN]
    nothing_secret([entry], "Another-Long-Phrase-42", old_hash, person.password)


def test_secondments_made_and_ended_in_the_admin_are_recorded(client, operator, cast) -> None:
    person = cast("dp.analyst")
    url = f"/django-admin/organisations/user/{person.pk}/change/"
    data = form_of(client.get(url))
    starts = timezone.localdate()
    data.update(
        {
            "secondments-TOTAL_FORMS": "1",
            "secondments-0-organisation": str(organisation("TARIAN").pk),
            "secondments-0-starts": starts.isoformat(),
            "secondments-0-ends": "",
            "secondments-0-reason": "Regional firearms team",
            "secondments-0-person": str(person.pk),
        }
    )
    assert client.post(url, data).status_code == 302
    secondment = Secondment.objects.get(person=person)
    [made] = admin_entries(object_type="organisations.secondment")
    assert made.action == "create"
    assert made.object_id == str(secondment.pk)
    assert made.changes["organisation"] == [None, "TARIAN"]
    assert made.changes["starts"] == [None, starts.isoformat()]
    assert made.detail == {"parent": f"organisations.user:{person.pk}"}
    assert made.owner_code == "DYP"

    data = form_of(client.get(url))
    ends = starts + dt.timedelta(days=90)
    data["secondments-0-ends"] = ends.isoformat()
    assert client.post(url, data).status_code == 302
    ended = admin_entries(object_type="organisations.secondment")[-1]
    assert (ended.action, ended.object_id) == ("update", str(secondment.pk))
    assert ended.changes == {"ends": [None, ends.isoformat()]}

    data = form_of(client.get(url))
    data["secondments-0-DELETE"] = "on"
    assert client.post(url, data).status_code == 302
    removed = admin_entries(object_type="organisations.secondment")[-1]
    assert (removed.action, removed.object_id) == ("delete", str(secondment.pk))
    assert removed.changes["organisation"] == ["TARIAN", None]
    assert not Secondment.objects.filter(person=person).exists()


def test_a_token_revoked_in_the_admin_is_recorded_without_its_digest(
    client, operator, cast
) -> None:
    from concord.organisations import services

    person = cast("dp.analyst")
    token, plaintext = services.issue_api_token(actor=person, person=person, name="x", days=30)
    url = f"/django-admin/organisations/apitoken/{token.pk}/change/"
    data = form_of(client.get(url))
    now = timezone.localtime()
    data["revoked_at_0"] = now.date().isoformat()
    data["revoked_at_1"] = now.strftime("%H:%M:%S")
    assert client.post(url, data).status_code == 302
    [entry] = admin_entries(object_type="organisations.apitoken")
    assert (entry.action, entry.object_id) == ("update", str(token.pk))
    assert entry.changes["revoked_at"][0] is None
    assert entry.changes["revoked_at"][1].startswith(now.date().isoformat())
    nothing_secret([entry], plaintext, token.digest)


# --- reference data, peers, bulk deletion -------------------------------------------------


def test_a_list_edit_in_an_admin_this_project_did_not_change_is_recorded(client, operator):
    from concord.plans.models import DisruptionImpact

    impacts = list(DisruptionImpact.objects.order_by("pk"))
    assert impacts
    data: dict[str, Any] = {
        "form-TOTAL_FORMS": str(len(impacts)),
        "form-INITIAL_FORMS": str(len(impacts)),
        "_save": "Save",
    }
    for i, impact in enumerate(impacts):
        data[f"form-{i}-id"] = str(impact.pk)
        data[f"form-{i}-rank"] = str(impact.rank + (100 if i == 0 else 0))
    response = client.post("/django-admin/plans/disruptionimpact/", data)
    assert response.status_code == 302
    [entry] = admin_entries(object_type="plans.disruptionimpact")
    assert (entry.action, entry.object_id) == ("update", str(impacts[0].pk))
    assert entry.changes == {"rank": [impacts[0].rank, impacts[0].rank + 100]}


def test_deleting_in_the_admin_records_what_was_deleted(client, operator) -> None:
    kind = CriminalityType.objects.create(code="zz-test", name="Test criminality")
    response = client.post(
        f"/django-admin/threats/criminalitytype/{kind.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not CriminalityType.objects.filter(pk=kind.pk).exists()
    [entry] = admin_entries(action="delete")
    assert (entry.object_type, entry.object_id) == ("threats.criminalitytype", str(kind.pk))
    assert entry.changes["code"] == ["zz-test", None]
    assert entry.changes["name"] == ["Test criminality", None]
    assert entry.actor_username == "admin"


def test_the_bulk_delete_action_records_each_record(client, operator) -> None:
    kinds = [
        CriminalityType.objects.create(code=f"zz-bulk-{i}", name=f"Bulk {i}") for i in range(3)
    ]
    response = client.post(
        "/django-admin/threats/criminalitytype/",
        {
            "action": "delete_selected",
            "_selected_action": [str(k.pk) for k in kinds],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not CriminalityType.objects.filter(code__startswith="zz-bulk").exists()
    entries = admin_entries(action="delete", object_type="threats.criminalitytype")
    assert sorted(e.object_id for e in entries) == sorted(str(k.pk) for k in kinds)
    assert {e.changes["code"][0] for e in entries} == {k.code for k in kinds}
    assert audit.verify().ok


def test_a_peers_key_and_classification_limit_are_recorded_and_its_token_hidden(
    client, operator, cast
) -> None:
    from concord.intelligence.federation import register_peer
    from tests.intelligence.peering import PeerKey

    old_key, new_key = PeerKey(), PeerKey()
    peer, _token = register_peer(
        name="tarian",
        organisation="TARIAN",
        local_organisation="DYP",
        url="http://127.0.0.1:9/taxii2/api/",
        public_key=old_key.public,
    )
    url = f"/django-admin/intelligence/peer/{peer.pk}/change/"
    data = form_of(client.get(url))
    data.update(
        public_key=new_key.public,
        max_classification="SECRET",
        token="their-token-for-us-0123456789",
    )
    assert client.post(url, data).status_code == 302
    [entry] = admin_entries(object_type="intelligence.peer")
    assert (entry.action, entry.object_id) == ("update", str(peer.pk))
    assert entry.changes["max_classification"] == ["OFFICIAL", "SECRET"]
    before_key, after_key = entry.changes["public_key"]
    assert before_key.startswith("sha256:")
    assert after_key.startswith("sha256:")
    assert before_key != after_key
    assert entry.changes["token"][1] == HIDDEN
    nothing_secret([entry], "their-token-for-us-0123456789", old_key.public, new_key.public)


def test_changing_a_sharing_group_in_the_admin_records_its_members(client, operator) -> None:
    from concord.intelligence.models import SharingGroup

    group = SharingGroup.objects.create(name="Wales", owner=organisation("TARIAN"))
    group.organisations.set([organisation("DYP")])
    url = f"/django-admin/intelligence/sharinggroup/{group.pk}/change/"
    data = form_of(client.get(url))
    data["organisations"] = [str(organisation("DYP").pk), str(organisation("GMP").pk)]
    assert client.post(url, data).status_code == 302
    [entry] = admin_entries(object_type="intelligence.sharinggroup")
    assert entry.changes == {"organisations": [["DYP"], ["DYP", "GMP"]]}
    assert entry.owner_code == "TARIAN"


def test_masking_covers_secret_names_and_fingerprints_public_keys() -> None:
    from concord.core.admin import masked

    assert masked("password", "pbkdf2$x") == HIDDEN
    assert masked("digest", "ab" * 32) == HIDDEN
    assert masked("token", "") == ""  # cleared stays visible as cleared
    assert masked("key", "JBSWY3DPEHPK3PXP") == HIDDEN  # an authenticator's secret
    assert masked("public_key", "AAAA").startswith("sha256:")
    assert masked("name", "Wales") == "Wales"
    assert masked("notes", "x", hidden=["notes"]) == HIDDEN
