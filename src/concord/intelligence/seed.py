"""Demo world: the body of intelligence at the world's scale (seed_bulk.py), then the
scenarios: graded reports from Dyfed-Powys, one shared with Wiltshire and Tarian, one C-coded
awaiting release approval, a legacy 5x5x5 one, a Tarian sharing group, and British Transport
Police's Concord peered with Tarian, which has sent a C-coded report by federation."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.intelligence import services
from concord.intelligence.models import ConditionsAccepted, Feedback, IntelReport, SharingGroup
from concord.intelligence.seed_bulk import seed_bulk
from concord.organisations.models import Organisation

# The named reports of the scenarios below (three from Dyfed-Powys, one received from BTP).
SCENARIO_REPORTS = 4


def seed(world: DemoWorld) -> None:
    analyst = world.refs.get("personas", {}).get("dp.analyst")
    if analyst is None:
        return
    today = timezone.localdate()
    # The body of intelligence first, so the scenario's reports take the next references.
    seed_bulk(world, world.scale.intelligence_reports - SCENARIO_REPORTS)
    tarian = Organisation.objects.get(code="TARIAN")
    group = SharingGroup.objects.create(name="Southern Wales forces and Tarian", owner=tarian)
    group.organisations.set(
        Organisation.objects.filter(region=tarian.region).exclude(kind="partner")
    )
    shared = services.record_report(
        actor=analyst,
        title="County line phone rotating through Carmarthen addresses",
        text="The Tarmac line's deal phone moved between three addresses in Carmarthen over the "
        "last fortnight; runners travel by train from Swindon on Fridays.",
        information_date=today - dt.timedelta(days=4),
        grading=services.Grading("2", "B", "P"),
        place="Carmarthen",
    )
    services.release(actor=analyst, report=shared)
    services.disseminate(
        actor=analyst,
        report=shared,
        to=[Organisation.objects.get(code="WIL"), tarian],
        purpose="Supply into Wiltshire and regional tasking",
    )
    waiting = services.record_report(
        actor=analyst,
        title="Firearm offered for sale in Haverfordwest",
        text="A converted pistol is being offered for sale by a member of a Pembrokeshire group.",
        information_date=today - dt.timedelta(days=1),
        grading=services.Grading(
            "1", "A", "C", "Not to be disclosed outside law enforcement; consult DYP before action."
        ),
        place="Haverfordwest",
    )
    services.release(actor=analyst, report=waiting)
    services.record_report(
        actor=analyst,
        title="Old grading: cash courier",
        text="Recorded from a 2019 log with its 5x5x5 grading as given.",
        information_date=today - dt.timedelta(days=900),
        grading=services.Grading(legacy_grading="B2 4"),
    )
    _received_from_btp(today)
    world.count("intelligence reports", IntelReport.objects.count())


def _received_from_btp(today: dt.date) -> None:
    """British Transport Police's own Concord, peered with Tarian, has sent one report by
    federation: signed with a key made for the demo, taken in as any peer's bundle is."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from concord.intelligence import signing, stix
    from concord.intelligence.federation import register_peer
    from concord.intelligence.ingest import ingest

    key = Ed25519PrivateKey.generate()
    peer, _token = register_peer(
        name="btp-concord",
        organisation="BTP",
        local_organisation="TARIAN",
        url="https://concord.btp.invalid/taxii2/api/",
        public_key=signing.encode_public(key.public_key()),
    )
    now = timezone.now()
    theirs = IntelReport(
        owner=peer.organisation,
        reference="INT-BTP-000041",
        title="Runners on the Swansea to Carmarthen line",
        text="Two teenagers travel most Fridays from Swindon to Carmarthen via Swansea, met at "
        "the station by an older male in a black Golf; staff report cash handed over.",
        information_date=today - dt.timedelta(days=3),
        place="Carmarthen railway station",
        classification="OFFICIAL",
        sensitive=True,
        source_evaluation="1",
        intelligence_assessment="B",
        handling_code="C",
        handling_conditions="For law enforcement in Wales only; tell BTP before any action on "
        "railway property.",
        created_at=now,
        updated_at=now,
        released_at=now,
    )
    objects = [json.loads(o.serialize()) for o in stix.report_objects(theirs, [])]
    ingest(
        peer,
        signing.sign({"objects": objects, "x_concord_from": "BTP", "x_concord_to": "TARIAN"}, key),
    )


def reset() -> None:
    from concord.core.models import Share
    from concord.intelligence.models import (
        FeedClock,
        FeedObject,
        Peer,
        ReceivedObject,
        SyncCursor,
        TaxiiStatus,
    )
    from concord.organisations.models import User

    for model in (FeedObject, FeedClock, ReceivedObject, SyncCursor, TaxiiStatus):
        model.objects.all().delete()
    Share.objects.filter(content_type__app_label="intelligence").delete()
    Feedback.objects.all().delete()
    ConditionsAccepted.objects.all().delete()
    IntelReport.ocgs.through.objects.all().delete()
    IntelReport.nominals.through.objects.all().delete()
    IntelReport.entities.through.objects.all().delete()
    IntelReport.objects.filter(sanitised_from__isnull=False).delete()
    IntelReport.objects.all().delete()
    SharingGroup.objects.all().delete()
    accounts = list(Peer.objects.values_list("account_id", flat=True))
    Peer.objects.all().delete()
    User.objects.filter(pk__in=accounts).delete()


STEP = SeedStep(name="intelligence", order=33, run=seed, reset=reset)
