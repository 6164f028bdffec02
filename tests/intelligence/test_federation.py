"""Federation in one instance: signed bundles ingested whole or rejected whole, idempotently;
the TAXII 2.1 server as the OASIS client library `taxii2-client` sees it; what each reader's
collections answer under the access policy."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone
from taxii2client.v21 import Server

from concord.core.models import AuditEntry, Share
from concord.intelligence import ingest, services, signing, stix
from concord.intelligence.federation import register_peer
from concord.intelligence.models import FeedObject, IntelReport, Peer, ReceivedObject
from concord.intelligence.taxii import EXCHANGE
from concord.organisations.models import Notification
from tests.factories import organisation
from tests.intelligence.peering import PeerKey, envelope, objects_of, their_report

TODAY = timezone.localdate()


def tarian_peer(key: PeerKey, **extra) -> tuple[Peer, str]:
    return register_peer(
        name="tarian",
        organisation="TARIAN",
        local_organisation="DYP",
        url="http://127.0.0.1:9/taxii2/api/",
        public_key=key.public,
        **extra,
    )


def state() -> tuple[int, int, int, int]:
    return (
        IntelReport.objects.count(),
        ReceivedObject.objects.count(),
        Share.objects.count(),
        Notification.objects.count(),
    )


@pytest.mark.django_db
class TestIngest:
    def test_a_signed_bundle_becomes_shared_intelligence_once(self, cast):
        key = PeerKey()
        peer, _token = tarian_peer(key)
        dp_analyst = cast("dp.analyst")
        signed = key.sign(envelope(objects_of(their_report())))
        first = ingest.ingest(peer, signed)
        assert first.new == ["INT-TARIAN-000001"]
        report = IntelReport.objects.get(reference="INT-TARIAN-000001")
        assert (report.owner.code, report.origin, report.status) == ("TARIAN", peer, "released")
        assert (report.grading, report.marking, report.place) == (
            "2B C",
            "OFFICIAL-SENSITIVE",
            "Swansea",
        )
        assert report.handling_conditions.startswith("Law enforcement only")
        # Shared with the organisation we act for, whose analyst is told.
        assert IntelReport.objects.visible_to(dp_analyst).filter(pk=report.pk).exists()
        assert not IntelReport.objects.visible_to(cast("gmp.sio")).filter(pk=report.pk).exists()
        assert any(
            "INT-TARIAN" in n.subject for n in Notification.objects.filter(person=dp_analyst)
        )
        assert (
            AuditEntry.objects.filter(
                object_type="intelligence.intelreport", object_id=str(report.pk), action="create"
            ).count()
            == 1
        )
        # The same bundle again changes nothing.
        before = state()
        again = ingest.ingest(peer, signed)
        assert (again.new, again.updated, again.skipped) == ([], [], len(signed["objects"]))
        assert state() == before

    def test_a_newer_version_updates_and_a_revoked_one_recalls(self, cast):
        key = PeerKey()
        peer, _token = tarian_peer(key)
        made = timezone.now() - dt.timedelta(hours=2)
        ingest.ingest(peer, key.sign(envelope(objects_of(their_report(at=made)))))
        report = IntelReport.objects.get(reference="INT-TARIAN-000001")
        services.accept_conditions(actor=cast("dp.analyst"), report=report)
        changed = their_report(
            at=made, updated_at=made + dt.timedelta(hours=1), handling_conditions="Now stricter."
        )
        result = ingest.ingest(peer, key.sign(envelope(objects_of(changed))))
        assert result.updated == ["INT-TARIAN-000001"]
        report.refresh_from_db()
        assert report.handling_conditions == "Now stricter."
        # The conditions changed, so the earlier acceptance no longer opens the content.
        assert not services.conditions_accepted(cast("dp.analyst"), report)
        recalled = their_report(at=made, recalled_at=made + dt.timedelta(hours=1, minutes=5))
        result = ingest.ingest(
            peer, key.sign(envelope([json.loads(stix.tombstone(recalled).serialize())]))
        )
        assert result.recalled == ["INT-TARIAN-000001"]
        report.refresh_from_db()
        assert report.status == "recalled"
        assert not IntelReport.objects.visible_to(cast("dp.analyst")).filter(pk=report.pk).exists()
        # An older version arriving late (a replay) does not bring it back.
        ingest.ingest(peer, key.sign(envelope(objects_of(changed))))
        report.refresh_from_db()
        assert report.status == "recalled"

    @pytest.mark.parametrize(
        ("spoil", "message"),
        [
            (lambda e, k: e, "not signed"),
            (lambda e, k: {**k.sign(e), "objects": e["objects"][:-1]}, "does not verify"),
            (lambda e, k: PeerKey().sign(e), "does not verify"),
            (lambda e, k: k.sign({**e, "x_concord_to": "GMP"}), "addressed to"),
            (lambda e, k: k.sign({**e, "x_concord_from": "NCA"}), "from"),
            (
                lambda e, k: k.sign({**e, "objects": [*e["objects"], {"type": "report"}]}),
                "not valid STIX",
            ),
            (lambda e, k: k.sign({**e, "objects": [*e["objects"], "text"]}), "not a JSON object"),
            (
                lambda e, k: k.sign(
                    {**e, "objects": [*e["objects"], {"type": "malware", "id": "malware--1"}]}
                ),
                "does not exchange",
            ),
        ],
    )
    def test_bad_bundles_are_rejected_whole(self, cast, spoil, message):
        key = PeerKey()
        peer, _token = tarian_peer(key)
        cast("dp.analyst")
        good = envelope(objects_of(their_report(), their_report(number=2)))
        before = state()
        with pytest.raises(ingest.BundleRejectedError, match=message):
            ingest.ingest(peer, spoil(copy.deepcopy(good), key))
        assert state() == before

    def test_over_classified_and_foreign_reports_are_rejected_whole(self, cast):
        key = PeerKey()
        peer, _token = tarian_peer(key)
        fine = their_report(number=1)
        secret = their_report(number=2, classification="SECRET")
        before = state()
        with pytest.raises(ingest.BundleRejectedError, match="over-classified"):
            ingest.ingest(peer, key.sign(envelope(objects_of(fine, secret))))
        gmp = their_report(code="GMP")
        with pytest.raises(ingest.BundleRejectedError, match="not from"):
            ingest.ingest(peer, key.sign(envelope(objects_of(fine, gmp))))
        borrowed = their_report(number=3, reference="INT-DYP-000001")
        with pytest.raises(ingest.BundleRejectedError, match="not one of TARIAN's"):
            ingest.ingest(peer, key.sign(envelope(objects_of(fine, borrowed))))
        ungraded = objects_of(fine)
        ungraded[-1]["extensions"][stix.GRADING_EXTENSION_ID]["handling_code"] = "X"
        with pytest.raises(ingest.BundleRejectedError, match="wrongly graded"):
            ingest.ingest(peer, key.sign(envelope(ungraded)))
        top = objects_of(fine)
        for obj in top:
            if obj["type"] == "marking-definition":
                obj["definition"]["statement"] = "TOP SECRET"
        with pytest.raises(ingest.BundleRejectedError, match="TOP SECRET"):
            ingest.ingest(peer, key.sign(envelope(top)))
        assert state() == before
        # The same SECRET report is taken from a peer allowed to send SECRET.
        peer, _token = tarian_peer(key, max_classification="SECRET")
        assert ingest.ingest(peer, key.sign(envelope(objects_of(secret)))).new


def test_register_peer_names_the_field_that_is_wrong(db):
    from django.core.exceptions import ValidationError

    for kwargs, field in (
        ({"public_key": "not base64!"}, "public_key"),
        ({"public_key": "AAAA"}, "public_key"),
        ({"organisation": "NOPE"}, "organisation"),
        ({"local_organisation": "TARIAN"}, "organisation"),
        ({"url": "ftp://x"}, "url"),
        ({"name": "Bad Name"}, "name"),
    ):
        args = {
            "name": "tarian",
            "organisation": "TARIAN",
            "local_organisation": "DYP",
            "url": "http://127.0.0.1:9/taxii2/api/",
            "public_key": PeerKey().public,
            **kwargs,
        }
        with pytest.raises(ValidationError) as bad:
            register_peer(**args)
        assert field in bad.value.message_dict
    assert not Peer.objects.exists()


class Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def _shared_report(cast, to: str = "TARIAN") -> IntelReport:
    analyst = cast("dp.analyst")
    report = services.record_report(
        actor=analyst,
        title="Firearms moved through Pembroke Dock",
        text="Two handguns moved by ferry on the 14th in a grey Transit.",
        information_date=TODAY - dt.timedelta(days=2),
        grading=services.Grading("1", "B", "P"),
        place="Pembroke Dock",
    )
    services.release(actor=analyst, report=report)
    services.disseminate(actor=analyst, report=report, to=[organisation(to)], purpose="Tasking")
    return report


@pytest.mark.usefixtures("committed_world")
def test_taxii2_client_lists_fetches_and_adds(cast, live_server, capsys):
    report = _shared_report(cast)
    key = PeerKey()
    peer, token = tarian_peer(key)
    server = Server(f"{live_server.url}/taxii2/", auth=Bearer(token))
    assert server.title == "Concord TAXII 2.1"
    root = server.api_roots[0]
    assert root.versions == ["application/taxii+json;version=2.1"]
    titles = {c.title: c for c in root.collections}
    exchange = titles["Intelligence exchange"]
    assert (exchange.id, exchange.can_read, exchange.can_write) == (EXCHANGE, True, True)
    page = exchange.get_objects()
    # Signed by this instance, addressed from DYP to the peer's TARIAN.
    signing.verify(page, signing.public_key_text())
    assert (page["x_concord_from"], page["x_concord_to"]) == ("DYP", "TARIAN")
    reports = [o for o in page["objects"] if o["type"] == "report"]
    assert [r["id"] for r in reports] == [stix.report_id(report.reference)]
    manifest = exchange.get_manifest()
    assert {m["id"] for m in manifest["objects"]} == {o["id"] for o in page["objects"]}
    # Paging: one object a page, walked with added_after, gives the same objects in order.
    walked, after = [], None
    while True:
        part = exchange.get_objects(limit=1, **({"added_after": after} if after else {}))
        walked += part["objects"]
        if not part.get("more"):
            break
        after = part["next"]
    assert [o["id"] for o in walked] == [o["id"] for o in page["objects"]]
    # Adding: the peer's signed bundle, through the client, with a status resource.
    status = exchange.add_objects(json.dumps(key.sign(envelope(objects_of(their_report())))))
    assert (status.status, status.failure_count) == ("complete", 0)
    assert status.success_count == len(objects_of(their_report()))
    received = IntelReport.objects.get(reference="INT-TARIAN-000001")
    assert received.origin == peer
    # What we received from the peer is never served back to it.
    again = exchange.get_objects(type="report")
    assert [r["id"] for r in again["objects"]] == [stix.report_id(report.reference)]


@pytest.mark.usefixtures("committed_world")
def test_each_reader_gets_only_what_they_may_see(cast, live_server):
    from concord.organisations.services import issue_api_token

    report = _shared_report(cast, to="TARIAN")

    def client_for(user):
        _t, token = issue_api_token(actor=user, person=user, name="t", days=1)
        return Server(f"{live_server.url}/taxii2/", auth=Bearer(token)).api_roots[0]

    tarian = client_for(cast("tarian.sio"))
    exchange = next(c for c in tarian.collections if c.id == EXCHANGE)
    assert not exchange.can_write  # a person, not a peer
    ids = [o["id"] for o in exchange.get_objects()["objects"]]
    assert stix.report_id(report.reference) in ids
    gmp = next(c for c in client_for(cast("gmp.sio")).collections if c.id == EXCHANGE)
    assert gmp.get_objects()["objects"] == []
    # Ending the share takes effect at once.
    from concord.core.services import revoke_share

    revoke_share(actor=cast("dp.analyst"), share=Share.objects.get(object_id=report.pk))
    assert stix.report_id(report.reference) not in [
        o["id"] for o in exchange.get_objects()["objects"]
    ]
    # Reading is refused without a token; a person cannot add.
    assert requests.get(f"{live_server.url}/taxii2/api/collections/", timeout=5).status_code == 401
    added = requests.post(
        f"{live_server.url}/taxii2/api/collections/{EXCHANGE}/objects/",
        data="{}",
        headers={
            "Authorization": f"Bearer {_token_of(cast('tarian.sio'))}",
            "Content-Type": "application/taxii+json;version=2.1",
            "Accept": "application/taxii+json;version=2.1",
        },
        timeout=5,
    )
    assert added.status_code == 403
    missing = requests.get(
        f"{live_server.url}/taxii2/api/collections/00000000-0000-0000-0000-000000000000/",
        headers={"Authorization": f"Bearer {_token_of(cast('tarian.sio'))}"},
        timeout=5,
    )
    assert missing.status_code == 404


def _token_of(user) -> str:
    from concord.organisations.services import issue_api_token

    return issue_api_token(actor=user, person=user, name="t", days=1)[1]


@pytest.mark.django_db
def test_recall_puts_a_tombstone_in_each_feed_it_went_to(cast):
    report = _shared_report(cast, to="TARIAN")
    services.recall(actor=cast("dp.analyst"), report=report, reason="Source withdrawn the claim")
    rows = FeedObject.objects.filter(organisation=organisation("TARIAN"), report=report)
    tomb = rows.get(tombstone=True)
    assert json.loads(tomb.body)["revoked"] is True
    assert "Pembroke" not in tomb.body  # none of its content
    assert tomb.date_added > max(r.date_added for r in rows.filter(tombstone=False))


def test_federation_key_is_made_once_and_kept_private(tmp_path, settings, capsys):
    settings.FEDERATION_KEY_FILE = tmp_path / "key.pem"
    call_command("federation", "key")
    first = capsys.readouterr().out.strip()
    call_command("federation", "key")
    assert capsys.readouterr().out.strip() == first
    assert len(signing.parse_public(first).public_bytes_raw()) == 32
    assert (tmp_path / "key.pem").stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_received_intelligence_is_listed_by_its_peer_and_shows_where_it_came_from(client, cast):
    key = PeerKey()
    peer, _token = tarian_peer(key)
    ingest.ingest(peer, key.sign(envelope(objects_of(their_report()))))
    client.force_login(cast("dp.analyst"))
    listed = client.get("/intelligence/?origin=tarian").content.decode()
    assert "INT-TARIAN-000001" in listed
    assert '<option value="tarian"' in listed
    assert "INT-TARIAN-000001" not in client.get("/intelligence/?origin=other").content.decode()
    services.accept_conditions(
        actor=cast("dp.analyst"), report=IntelReport.objects.get(reference="INT-TARIAN-000001")
    )
    page = client.get(
        "/intelligence/INT-TARIAN-000001/", HTTP_X_ACCESS_REASON="Tarian's cash couriers"
    ).content.decode()
    assert "another Concord instance, by federation" in page
    assert "Swansea" in page  # the place the originator named
    # Someone it was never shared with has neither the report nor the peer to filter by.
    client.force_login(cast("gmp.sio"))
    assert '<option value="tarian"' not in client.get("/intelligence/").content.decode()


@pytest.mark.django_db
def test_a_business_named_in_a_report_is_served_only_with_the_report(cast):
    from concord.core.services import revoke_share
    from concord.intelligence import feed
    from concord.threats import services as threat_services
    from tests.access.registry import make_ocg

    analyst = cast("dp.analyst")
    person = make_ocg("DYP", "OFFICIAL", False).members.get().nominal
    threat_services.add_entity(
        actor=analyst, kind="business", value="Quayside Hire Ltd", link_type="uses", nominal=person
    )
    report = services.record_report(
        actor=analyst,
        title="Hire vans for cash runs",
        text="Vans hired from the quayside firm carry cash east on Thursdays.",
        information_date=TODAY - dt.timedelta(days=1),
        grading=services.Grading("1", "B", "P"),
        nominals=[person.reference],
    )
    services.release(actor=analyst, report=report)
    services.disseminate(
        actor=analyst, report=report, to=[organisation("TARIAN")], purpose="Tasking"
    )
    reader = cast("tarian.sio")
    business = FeedObject.objects.get(
        organisation=organisation("TARIAN"), kind="identity", body__contains="Quayside"
    )
    assert business.report == report  # the report's, not a definition
    assert feed.readable(reader).filter(pk=business.pk).exists()
    revoke_share(actor=analyst, share=Share.objects.get(object_id=report.pk))
    served = feed.readable(reader)
    assert not served.filter(pk=business.pk).exists()
    # The originator's own identity and the markings are definitions, still served.
    assert served.filter(kind="identity", report__isnull=True).exists()
