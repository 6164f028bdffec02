"""The TAXII 2.1 server against the OASIS specification (TAXII Version 2.1, sections 3 to
5): status codes and error messages for bad input, methods each resource allows,
unknown paths, what a sharing group's collection holds, and the audit of every read."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from concord.core.models import AuditEntry
from concord.intelligence import services, stix
from concord.intelligence.federation import register_peer
from concord.intelligence.models import FeedObject, IntelReport, SharingGroup, TaxiiStatus
from concord.intelligence.taxii import EXCHANGE, NAMESPACE, TAXII
from concord.organisations.models import User
from concord.organisations.services import issue_api_token
from tests.factories import organisation
from tests.intelligence.peering import PeerKey, envelope, objects_of, their_report

pytestmark = pytest.mark.django_db

ROOT = "/taxii2/api/"
EXCHANGE_URL = f"{ROOT}collections/{EXCHANGE}/"
IMPOSSIBLE = [
    "2026-02-30T00:00:00Z",  # well formed, no such day
    "2026-13-01T00:00:00Z",
    "2026-01-01T25:00:00Z",
    "0001-01-01T00:00:00+01:00",  # before the first representable instant in UTC
    "9999-12-31T23:59:59-01:00",  # after the last
    "2026-01-01T00:00:00+99:00",
    "yesterday",
]


class Taxii:
    """A TAXII client over Django's test client, with a bearer token and the TAXII Accept."""

    def __init__(self, client: Client, user: User) -> None:
        self.client = client
        self.user = user
        self.token = issue_api_token(actor=user, person=user, name="taxii", days=1)[1]

    def headers(self, **extra: str) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}", "HTTP_ACCEPT": TAXII, **extra}

    def get(self, path: str, params: dict[str, str] | None = None, **extra: str) -> Any:
        return self.client.get(path, params or {}, **self.headers(**extra))

    def call(self, method: str, path: str, **extra: str) -> Any:
        return getattr(self.client, method.lower())(path, **self.headers(**extra))

    def post(self, path: str, body: str | bytes, content_type: str = TAXII, **extra: str) -> Any:
        return self.client.post(path, body, content_type=content_type, **self.headers(**extra))


def is_taxii_error(response: Any, status: int, *words: str) -> dict[str, Any]:
    """The response is a TAXII error message with this status, naming these words in its
    title or description."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == TAXII
    body = json.loads(response.content)
    assert body["http_status"] == str(status)
    assert body["title"]
    text = f"{body['title']} {body.get('description', '')}"
    for word in words:
        assert word in text, text
    return body


def shared_report(author: str, to: str = "TARIAN", title: str = "Firearms moved") -> IntelReport:
    """A released P-coded report by this persona's organisation, disseminated to `to`."""
    from tests.factories import persona

    analyst = User.objects.filter(username=author).first() or persona(author)
    report = services.record_report(
        actor=analyst,
        title=f"{title} through Pembroke Dock",
        text="Two handguns moved by ferry on the 14th in a grey Transit.",
        information_date=timezone.localdate() - dt.timedelta(days=2),
        grading=services.Grading("1", "B", "P"),
        place="Pembroke Dock",
    )
    services.release(actor=analyst, report=report)
    services.disseminate(actor=analyst, report=report, to=[organisation(to)], purpose="Tasking")
    return report


def exports() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="export").order_by("pk"))


def group_collection(group: SharingGroup) -> str:
    return str(uuid.uuid5(NAMESPACE, f"collection:group:{group.pk}"))


@pytest.fixture
def reader(cast, client) -> Taxii:
    """Tarian's SIO, to whom Dyfed-Powys has disseminated one report."""
    cast("dp.analyst")
    shared_report("dp.analyst")
    return Taxii(client, cast("tarian.sio"))


class TestImpossibleTimestamps:
    """Filtering and paging: a timestamp the server cannot read is a request it did not
    understand: 400 with an error message naming the parameter."""

    @pytest.mark.parametrize("value", IMPOSSIBLE)
    @pytest.mark.parametrize("parameter", ["added_after", "next", "match[version]"])
    @pytest.mark.parametrize("where", ["objects/", "manifest/"])
    def test_objects_and_manifest(self, reader, parameter, value, where):
        before = exports()
        response = reader.get(EXCHANGE_URL + where, {parameter: value})
        is_taxii_error(response, 400, parameter)
        assert exports() == before

    @pytest.mark.parametrize("parameter", ["added_after", "next", "match[version]"])
    def test_one_object_and_its_versions(self, reader, parameter):
        report_id = stix.report_id(IntelReport.objects.get().reference)
        before = exports()
        for where in ("", "versions/"):
            if where and parameter == "match[version]":
                continue  # the versions resource takes no match[version] (section 5.8)
            url = f"{EXCHANGE_URL}objects/{report_id}/{where}"
            is_taxii_error(reader.get(url, {parameter: "2026-02-30T00:00:00Z"}), 400, parameter)
        assert exports() == before

    def test_a_version_in_a_list_is_checked_too(self, reader):
        response = reader.get(
            EXCHANGE_URL + "objects/", {"match[version]": "last,2026-02-30T00:00:00Z"}
        )
        is_taxii_error(response, 400, "match[version]")

    def test_good_timestamps_still_filter(self, reader):
        assert reader.get(EXCHANGE_URL + "objects/").json()["objects"]
        later = timezone.now() + dt.timedelta(days=1)
        for value in (later.strftime("%Y-%m-%dT%H:%M:%SZ"), later.isoformat(), "2026-02-28"):
            response = reader.get(EXCHANGE_URL + "objects/", {"added_after": value})
            assert response.status_code == 200
        response = reader.get(EXCHANGE_URL + "objects/", {"added_after": later.isoformat()})
        assert response.json()["objects"] == []


class TestMatchFilters:
    """match[id] and match[type] are lists of STIX ids and types; match[version] combines
    first, last, all and versions; limit is a positive whole number."""

    @pytest.mark.parametrize(
        ("parameter", "value"),
        [
            ("match[id]", "report--\x00"),
            ("match[id]", "not an id"),
            ("match[type]", "re\x00port"),
            ("match[type]", "Report!"),
            ("limit", "0"),
            ("limit", "ten"),
            ("limit", "-5"),
        ],
    )
    def test_a_bad_filter_is_400_naming_it(self, reader, parameter, value):
        before = exports()
        is_taxii_error(reader.get(EXCHANGE_URL + "objects/", {parameter: value}), 400, parameter)
        is_taxii_error(reader.get(EXCHANGE_URL + "manifest/", {parameter: value}), 400, parameter)
        assert exports() == before

    def test_first_and_last_together(self, reader, cast):
        report = IntelReport.objects.get()
        # A second version of the report in the same feed: changed, then shared again.
        IntelReport.objects.filter(pk=report.pk).update(
            updated_at=report.updated_at + dt.timedelta(hours=1)
        )
        report.refresh_from_db()
        services.disseminate(
            actor=cast("dp.analyst"), report=report, to=[organisation("TARIAN")], purpose="Again"
        )
        url = f"{EXCHANGE_URL}objects/{stix.report_id(report.reference)}/"
        first = reader.get(url, {"match[version]": "first"}).json()["objects"]
        last = reader.get(url, {"match[version]": "last"}).json()["objects"]
        assert len(first) == len(last) == 1
        assert first[0]["modified"] < last[0]["modified"]
        both = reader.get(url, {"match[version]": "first,last"}).json()["objects"]
        assert [o["modified"] for o in both] == [first[0]["modified"], last[0]["modified"]]
        named = reader.get(url, {"match[version]": f"{first[0]['modified']},last"}).json()
        assert [o["modified"] for o in named["objects"]] == [o["modified"] for o in both]
        assert reader.get(url, {"match[version]": "all"}).json()["objects"] == both
        versions = reader.get(url + "versions/").json()["versions"]
        assert versions == [o["modified"] for o in both]

    @pytest.mark.parametrize("microsecond", [0, 120000, 32990, 123456])
    def test_manifest_and_versions_name_the_version_the_object_carries(
        self, reader, cast, microsecond
    ):
        # STIX writes `modified` with trailing zeros dropped (to no fewer than three digits),
        # so a version written with all six digits would name no version a client can match.
        report = IntelReport.objects.get()
        changed = report.updated_at.replace(microsecond=microsecond) + dt.timedelta(hours=1)
        IntelReport.objects.filter(pk=report.pk).update(updated_at=changed)
        report.refresh_from_db()
        services.disseminate(
            actor=cast("dp.analyst"), report=report, to=[organisation("TARIAN")], purpose="Again"
        )
        report_id = stix.report_id(report.reference)
        url = f"{EXCHANGE_URL}objects/{report_id}/"
        served = [
            o["modified"] for o in reader.get(url, {"match[version]": "all"}).json()["objects"]
        ]
        assert len(served) == 2
        versions = reader.get(url + "versions/").json()["versions"]
        manifest = reader.get(EXCHANGE_URL + "manifest/", {"match[id]": report_id}).json()
        assert versions == served
        assert [m["version"] for m in manifest["objects"]] == served[-1:]
        for version in served:
            named = reader.get(url, {"match[version]": version}).json()["objects"]
            assert [o["modified"] for o in named] == [version]


class TestMethods:
    """Each resource answers only the methods sections 4 and 5 give it; anything else is 405
    with an Allow header (RFC 9110 section 15.5.6) and a TAXII error message."""

    def urls(self) -> dict[str, tuple[str, str]]:
        report_id = stix.report_id(IntelReport.objects.get().reference)
        status = TaxiiStatus.objects.create(
            id=uuid.uuid4(),
            user=User.objects.get(username="tarian.sio"),
            request_timestamp=timezone.now(),
            total_count=0,
            success_count=0,
        )
        return {
            "discovery": ("/taxii2/", "GET"),
            "api root": (ROOT, "GET"),
            "collections": (f"{ROOT}collections/", "GET"),
            "collection": (EXCHANGE_URL, "GET"),
            "objects": (f"{EXCHANGE_URL}objects/", "GET, POST"),
            "object": (f"{EXCHANGE_URL}objects/{report_id}/", "GET"),
            "versions": (f"{EXCHANGE_URL}objects/{report_id}/versions/", "GET"),
            "manifest": (f"{EXCHANGE_URL}manifest/", "GET"),
            "status": (f"{ROOT}status/{status.id}/", "GET"),
        }

    def test_every_other_method_is_405(self, reader):
        for name, (url, allowed) in self.urls().items():
            for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"):
                if method in allowed.split(", "):
                    continue
                response = reader.call(method, url)
                assert response.status_code == 405, (name, method, response.status_code)
                assert response["Allow"] == allowed, (name, method)
                assert response["Content-Type"] == TAXII
                if method != "HEAD":
                    is_taxii_error(response, 405, method)

    def test_delete_of_an_object_changes_nothing(self, reader):
        report_id = stix.report_id(IntelReport.objects.get().reference)
        url = f"{EXCHANGE_URL}objects/{report_id}/"
        rows = FeedObject.objects.count()
        before = exports()
        is_taxii_error(reader.call("DELETE", url), 405, "DELETE")
        assert FeedObject.objects.count() == rows
        assert exports() == before
        assert reader.get(url).status_code == 200

    def test_405_does_not_depend_on_the_collection(self, reader):
        """Method refusal says nothing about which collections exist."""
        unseen = f"{ROOT}collections/{uuid.uuid4()}/"
        assert reader.call("DELETE", unseen)["Allow"] == "GET"
        assert reader.call("DELETE", EXCHANGE_URL)["Allow"] == "GET"

    def test_allowed_methods_still_answer(self, reader):
        for name, (url, _allowed) in self.urls().items():
            assert reader.get(url).status_code == 200, name


class TestGroupCollection:
    """A sharing group's collection holds what the group's organisations originated (and the
    definitions those objects use); its object, versions and manifest resources serve nothing
    else (sections 5.3, 5.6 and 5.8: 404 for an object not in the collection)."""

    @pytest.fixture
    def setup(self, cast, client) -> dict[str, Any]:
        cast("dp.analyst")
        cast("wilts.analyst")
        outside = shared_report("dp.analyst", title="Outside the group")
        inside = shared_report("wilts.analyst", title="Inside the group")
        group = SharingGroup.objects.create(name="Tarian and Wiltshire", owner=organisation("WIL"))
        group.organisations.set([organisation("TARIAN"), organisation("WIL")])
        return {
            "reader": Taxii(client, cast("tarian.sio")),
            "outside": stix.report_id(outside.reference),
            "inside": stix.report_id(inside.reference),
            "url": f"{ROOT}collections/{group_collection(group)}/",
        }

    def test_an_object_outside_the_group_is_404(self, setup):
        reader, url = setup["reader"], setup["url"]
        before = exports()
        for where in ("", "versions/"):
            response = reader.get(f"{url}objects/{setup['outside']}/{where}")
            is_taxii_error(response, 404)
            assert b"Dyfed" not in response.content
        assert exports() == before
        # The same object is served through the exchange, which holds everything shared.
        assert reader.get(f"{EXCHANGE_URL}objects/{setup['outside']}/").status_code == 200
        assert reader.get(f"{EXCHANGE_URL}objects/{setup['outside']}/versions/").status_code == 200

    def test_an_object_inside_the_group_is_served(self, setup):
        reader, url = setup["reader"], setup["url"]
        got = reader.get(f"{url}objects/{setup['inside']}/")
        assert got.status_code == 200
        assert [o["id"] for o in got.json()["objects"]] == [setup["inside"]]
        assert len(reader.get(f"{url}objects/{setup['inside']}/versions/").json()["versions"]) == 1

    def test_objects_and_manifest_list_the_same_members_only(self, setup):
        reader, url = setup["reader"], setup["url"]
        objects = reader.get(f"{url}objects/").json()["objects"]
        manifest = reader.get(f"{url}manifest/").json()["objects"]
        ids = {o["id"] for o in objects}
        assert ids == {m["id"] for m in manifest}
        assert setup["inside"] in ids
        assert setup["outside"] not in ids
        # Not the identity of an organisation outside the group, though it is a definition.
        assert stix.identity_id("DYP") not in ids
        assert stix.identity_id("WIL") in ids
        for obj in objects:
            assert reader.get(f"{url}objects/{obj['id']}/").status_code == 200
        assert reader.get(f"{url}objects/{stix.identity_id('DYP')}/").status_code == 404


class TestUnknownPaths:
    """An unknown API root or resource is a 404 TAXII error message, not a page."""

    @pytest.mark.parametrize(
        "path",
        [
            "/taxii2/nope/",
            "/taxii2/nope/collections/",
            "/taxii2/api/nope/",
            f"/taxii2/api/collections/{EXCHANGE}/objects/report--x/versions/more/",
            "/taxii2/api/status/",
            "/taxii2/api",
        ],
    )
    def test_is_a_taxii_404(self, reader, path):
        for method in ("GET", "POST", "DELETE"):
            is_taxii_error(reader.call(method, path), 404)

    def test_a_missing_slash_is_pointed_out(self, reader):
        is_taxii_error(reader.get("/taxii2/api/collections"), 404, "/taxii2/api/collections/")

    def test_without_a_token_it_is_401_first(self, client):
        response = client.get("/taxii2/nope/", HTTP_ACCEPT=TAXII)
        is_taxii_error(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")


class TestAudit:
    """Every read of intelligence through TAXII is audited as an export, naming the
    resource: objects, one object, its versions, the manifest."""

    def test_manifest_and_versions_are_audited_like_objects(self, reader):
        report = IntelReport.objects.get()
        report_id = stix.report_id(report.reference)
        for where, what in (
            ("objects/", "objects"),
            (f"objects/{report_id}/", "object"),
            (f"objects/{report_id}/versions/", "versions"),
            ("manifest/", "manifest"),
        ):
            before = len(exports())
            assert reader.get(EXCHANGE_URL + where).status_code == 200
            entries = exports()[before:]
            assert len(entries) == 1, what
            entry = entries[0]
            assert entry.actor_username == "tarian.sio"
            assert entry.object_type == "intelligence.intelreport"
            assert entry.detail == {"taxii": what, "collection": EXCHANGE, "reports": [report.pk]}

    def test_nothing_read_nothing_audited(self, reader):
        before = exports()
        later = (timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        reader.get(EXCHANGE_URL + "manifest/", {"added_after": later})
        assert exports() == before


class TestStatusCodes:
    """The status codes of each endpoint's table in sections 4 and 5."""

    def test_401_without_or_with_a_bad_token(self, reader, client):
        for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer nope"}, {"HTTP_AUTHORIZATION": "x"}):
            response = client.get(f"{ROOT}collections/", HTTP_ACCEPT=TAXII, **headers)
            is_taxii_error(response, 401)
            assert response["WWW-Authenticate"] == 'Bearer realm="concord"'

    @pytest.mark.parametrize(
        "accept",
        [
            "text/html",
            "application/json",
            "application/taxii+json;version=2.0",
            "application/taxii+json;version=2.10",
            "application/stix+json;version=2.1",
            "application/taxii+json;version=2.1;q=0",
            "text/html, application/taxii+json;version=2.0",
        ],
    )
    def test_406_for_an_accept_we_cannot_answer(self, reader, accept):
        for url in ("/taxii2/", ROOT, EXCHANGE_URL + "objects/", "/taxii2/nope/"):
            is_taxii_error(reader.get(url, HTTP_ACCEPT=accept), 406)

    @pytest.mark.parametrize(
        "accept",
        [
            TAXII,
            "application/taxii+json",
            "application/taxii+json; version=2.1",
            "*/*",
            "application/*",
            "text/html;q=0.9, application/taxii+json;version=2.1",
            "application/taxii+json;version=2.0, application/taxii+json;version=2.1;q=0.5",
        ],
    )
    def test_accept_we_answer(self, reader, accept):
        response = reader.get(EXCHANGE_URL + "objects/", HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert response["Content-Type"] == TAXII

    def test_403_for_a_collection_the_reader_may_not_write(self, reader, cast, client):
        body = json.dumps(envelope(objects_of(their_report())))
        is_taxii_error(reader.post(EXCHANGE_URL + "objects/", body), 403)
        group = SharingGroup.objects.create(name="Group", owner=organisation("DYP"))
        group.organisations.set([organisation("DYP"), organisation("TARIAN")])
        peer = PeerKey()
        _peer, token = register_peer(
            name="tarian",
            organisation="TARIAN",
            local_organisation="DYP",
            url="http://127.0.0.1:9/taxii2/api/",
            public_key=peer.public,
        )
        signed = json.dumps(peer.sign(envelope(objects_of(their_report()))))
        response = client.post(
            f"{ROOT}collections/{group_collection(group)}/objects/",
            signed,
            content_type=TAXII,
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_ACCEPT=TAXII,
        )
        is_taxii_error(response, 403)
        assert not IntelReport.objects.filter(origin__isnull=False).exists()

    def test_404s(self, reader, cast):
        unseen = SharingGroup.objects.create(name="Elsewhere", owner=organisation("GMP"))
        unseen.organisations.set([organisation("GMP")])
        other = TaxiiStatus.objects.create(
            id=uuid.uuid4(),
            user=cast("gmp.sio"),
            request_timestamp=timezone.now(),
            total_count=0,
            success_count=0,
        )
        for url in (
            f"{ROOT}collections/{group_collection(unseen)}/",
            f"{ROOT}collections/{group_collection(unseen)}/objects/",
            f"{ROOT}collections/{group_collection(unseen)}/manifest/",
            f"{ROOT}collections/nope/objects/",
            f"{EXCHANGE_URL}objects/report--{uuid.uuid4()}/",
            f"{EXCHANGE_URL}objects/report--{uuid.uuid4()}/versions/",
            f"{EXCHANGE_URL}objects/not-an-id/",
            f"{ROOT}status/{uuid.uuid4()}/",
            f"{ROOT}status/nope/",
            f"{ROOT}status/{other.id}/",
        ):
            is_taxii_error(reader.get(url), 404)

    @pytest.mark.parametrize("path", [f"{EXCHANGE_URL}objects/report--%00/", "/taxii2/%00/"])
    def test_400_for_a_control_character_in_the_path(self, reader, path):
        is_taxii_error(reader.get(path), 400, "control character")
        assert not AuditEntry.objects.filter(action="not_found").exists()

    @pytest.fixture
    def peer(self, cast, client) -> tuple[PeerKey, str]:
        cast("dp.analyst")
        key = PeerKey()
        _peer, token = register_peer(
            name="tarian",
            organisation="TARIAN",
            local_organisation="DYP",
            url="http://127.0.0.1:9/taxii2/api/",
            public_key=key.public,
        )
        return key, token

    def add(self, client, token: str, body: bytes | str, **extra: Any) -> Any:
        extra.setdefault("content_type", TAXII)
        return client.post(
            f"{EXCHANGE_URL}objects/",
            body,
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_ACCEPT=TAXII,
            **extra,
        )

    @pytest.mark.parametrize(
        "content_type",
        [
            "application/json",
            "application/stix+json;version=2.1",
            "application/taxii+json;version=2.0",
            "text/plain",
            "",
        ],
    )
    def test_415_for_a_body_we_do_not_read(self, client, peer, content_type):
        key, token = peer
        body = json.dumps(key.sign(envelope(objects_of(their_report()))))
        is_taxii_error(self.add(client, token, body, content_type=content_type), 415)
        assert not IntelReport.objects.exists()

    def test_202_for_a_taxii_body(self, client, peer):
        key, token = peer
        for content_type in (TAXII, "application/taxii+json", f"{TAXII}; charset=utf-8"):
            body = json.dumps(key.sign(envelope(objects_of(their_report()))))
            response = self.add(client, token, body, content_type=content_type)
            assert response.status_code == 202, response.content
            assert response["Content-Type"] == TAXII

    def test_413_over_max_content_length(self, client, peer, settings):
        key, token = peer
        body = json.dumps(key.sign(envelope(objects_of(their_report()))))
        settings.TAXII_MAX_CONTENT_LENGTH = len(body) - 1
        is_taxii_error(self.add(client, token, body), 413, "max_content_length")
        assert not IntelReport.objects.exists()

    def test_400_for_a_content_length_that_is_not_a_number(self, client, peer):
        _key, token = peer
        is_taxii_error(self.add(client, token, "{}", CONTENT_LENGTH="lots"), 400, "Content-Length")

    @pytest.mark.parametrize("body", [b"not json", b"\xff\xfe", b"[" * 100_000])
    def test_422_for_a_malformed_body(self, client, peer, body):
        _key, token = peer
        is_taxii_error(self.add(client, token, body), 422)
        assert not IntelReport.objects.exists()

    def test_422_for_a_rejected_bundle(self, client, peer):
        _key, token = peer
        unsigned = json.dumps(envelope(objects_of(their_report())))
        is_taxii_error(self.add(client, token, unsigned), 422, "not signed")
        assert not IntelReport.objects.exists()
