"""The leak matrix: people who must not see a record get 404 and never find it anywhere.

For every registered sensitive record type, every outsider persona and every surface (page,
API, lists, search, export, counts), the record must be invisible. Positive controls prove the
same surfaces do show it to the people entitled to it, so the matrix cannot pass vacuously.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from concord.core.models import ProtectedRecord
from concord.core.services import set_need_to_know
from tests.access.registry import RECORD_TYPES
from tests.factories import UserFactory, organisation, persona

pytestmark = pytest.mark.django_db

REASON = {"HTTP_X_ACCESS_REASON": "Checking a county lines link for a live job"}


def outsider(name: str):
    """People who must not see a Dyfed-Powys OFFICIAL record that is not shared with them."""
    if name == "expired.dp":
        return UserFactory(
            username="expired.dp",
            organisation=organisation("DYP"),
            roles=["analyst"],
            vetting_expires=timezone.localdate() - dt.timedelta(days=1),
        )
    if name == "admin.only.dp":
        return UserFactory(
            username="admin.only.dp", organisation=organisation("DYP"), roles=["administrator"]
        )
    return persona(name)


OUTSIDERS = [
    "gmp.lro",
    "nwrocu.sio",
    "wilts.analyst",
    "bf.partner",
    "mcc.partner",
    "psd.auditor",
    "expired.dp",
    "admin.only.dp",
]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response) -> str:
    """The text a person would read: a page, a CSV, or every cell of an XLSX workbook."""
    raw = (
        b"".join(response.streaming_content)
        if hasattr(response, "streaming_content")
        else response.content
    )
    if "spreadsheetml" in response.get("Content-Type", ""):
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            " ".join(str(cell) for cell in row if cell is not None)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return raw.decode()


def api_count(client: Client, url: str) -> int:
    response = client.get(url, {"limit": 1})
    return response.json()["count"] if response.status_code == 200 else -1


def refused(response) -> bool:
    """404 for a signed-in person; a session that may no longer sign in is sent to sign in
    (pages) or refused (API), before anything is looked up."""
    if response.status_code == 302:
        return response["Location"].startswith("/sign-in/")
    return response.status_code in (401, 404)


def assert_invisible(client: Client, kind, record, counts_before: dict[str, int]) -> None:
    label = kind.label(record)
    if kind.page:
        assert refused(client.get(kind.page(record)))
    if kind.api:
        assert refused(client.get(kind.api(record), **REASON))
    for url in kind.listings(record):
        response = client.get(url)
        assert response.status_code == 200 or refused(response), url
        assert label not in body(response), url
    for url, before in counts_before.items():
        assert api_count(client, url) == before, url


def assert_visible(client: Client, kind, record) -> None:
    label = kind.label(record)
    if kind.page:
        response = client.get(kind.page(record), follow=False)
        # Either the page, or a request for a reason first (a redirect to /access-reason/).
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert response["Location"].startswith("/access-reason/")
    if kind.api:
        assert client.get(kind.api(record), **REASON).status_code == 200
    assert any(label in body(client.get(url)) for url in kind.listings(record))


def test_every_protected_record_type_is_in_the_matrix():
    protected = {m for m in apps.get_models() if issubclass(m, ProtectedRecord)}
    assert protected == {kind.model for kind in RECORD_TYPES.values()}


@pytest.mark.parametrize("kind_name", sorted(RECORD_TYPES))
@pytest.mark.parametrize("who", OUTSIDERS)
def test_an_outsider_never_sees_an_unshared_record(kind_name, who):
    kind = RECORD_TYPES[kind_name]
    client = client_for(outsider(who))
    counts = {url: api_count(client, url) for url in kind.counted}
    record = kind.make("DYP", "OFFICIAL", False)
    assert_invisible(client, kind, record, counts)


@pytest.mark.parametrize("kind_name", sorted(RECORD_TYPES))
@pytest.mark.parametrize("who", ["dp.analyst", "dp.lro", "tarian.sio", "nca.tasking"])
def test_the_owner_region_and_nation_see_an_official_record(kind_name, who):
    """...unless the record type is shared only by dissemination (`wide_reach = False`:
    intelligence), when the region and the nation see it only once it is shared with them."""
    kind = RECORD_TYPES[kind_name]
    client = client_for(persona(who))
    counts = {url: api_count(client, url) for url in kind.counted}
    record = kind.make("DYP", "OFFICIAL", False)
    if who.startswith("dp.") or kind.model.wide_reach:
        assert_visible(client, kind, record)
    else:
        assert_invisible(client, kind, record, counts)


@pytest.mark.parametrize("kind_name", sorted(RECORD_TYPES))
@pytest.mark.parametrize("who", ["tarian.sio", "nca.tasking"])
def test_sensitive_records_have_no_regional_or_national_reach(kind_name, who):
    kind = RECORD_TYPES[kind_name]
    client = client_for(persona(who))
    counts = {url: api_count(client, url) for url in kind.counted}
    record = kind.make("DYP", "OFFICIAL", True)
    assert_invisible(client, kind, record, counts)
    assert_visible(client_for(persona("dp.lro")), kind, record)


@pytest.mark.parametrize("kind_name", sorted(RECORD_TYPES))
def test_secret_records_need_national_security_vetting(kind_name):
    kind = RECORD_TYPES[kind_name]
    nppv3 = persona("dp.lro")  # NPPV3: not cleared for SECRET
    client = client_for(nppv3)
    counts = {url: api_count(client, url) for url in kind.counted}
    record = kind.make("DYP", "SECRET", False)
    assert_invisible(client, kind, record, counts)
    if kind.model.wide_reach:
        assert_visible(client_for(persona("tarian.sio")), kind, record)  # SC, regional
    else:
        cleared = UserFactory(
            username="dp.cleared",
            organisation=organisation("DYP"),
            roles=["analyst"],
            vetting_level="SC",
        )
        assert_visible(client_for(cleared), kind, record)  # SC, the owner's own


@pytest.mark.parametrize("kind_name", sorted(RECORD_TYPES))
def test_a_need_to_know_list_limits_even_the_owners_staff(kind_name):
    kind = RECORD_TYPES[kind_name]
    analyst, lro, sio = persona("dp.analyst"), persona("dp.lro"), persona("dp.sio")
    record = kind.make("DYP", "OFFICIAL", False)
    set_need_to_know(actor=analyst, obj=record, people=[analyst, sio])
    lro_client = client_for(lro)
    assert_invisible(lro_client, kind, record, {})
    assert_visible(client_for(sio), kind, record)
    chief = UserFactory(
        username="dp.chief", organisation=organisation("DYP"), roles=["chief_officer"]
    )
    assert_visible(client_for(chief), kind, record)  # the owner's managers keep sight
    assert_invisible(client_for(persona("tarian.sio")), kind, record, {})


@pytest.mark.parametrize("kind_name", sorted(RECORD_TYPES))
def test_a_share_opens_a_record_to_its_recipient_only(kind_name):
    from concord.core.services import share_record

    kind = RECORD_TYPES[kind_name]
    record = kind.make("DYP", "OFFICIAL", False)
    share_record(
        actor=persona("dp.analyst"),
        obj=record,
        to_organisation=organisation("BF"),
        purpose="Port checks on named people",
    )
    assert_visible(client_for(persona("bf.partner")), kind, record)
    other = client_for(persona("mcc.partner"))
    assert_invisible(other, kind, record, {})


@pytest.mark.parametrize("kind_name", sorted(RECORD_TYPES))
def test_an_expired_share_closes_again(kind_name):
    from concord.core.models import Share
    from concord.core.services import share_record

    kind = RECORD_TYPES[kind_name]
    record = kind.make("DYP", "OFFICIAL", False)
    share = share_record(
        actor=persona("dp.analyst"),
        obj=record,
        to_organisation=organisation("WIL"),
        purpose="Joint operation",
    )
    Share.objects.filter(pk=share.pk).update(until=timezone.localdate() - dt.timedelta(days=1))
    assert_invisible(client_for(persona("wilts.analyst")), kind, record, {})
