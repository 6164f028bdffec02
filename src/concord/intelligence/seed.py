"""Demo world: the scenarios first (graded reports from Dyfed-Powys, one shared with Wiltshire
and Tarian, one C-coded released and ready to share, a legacy 5x5x5 one; a C-coded North West
ROCU report awaiting release approval; a Tarian sharing group), then the body of intelligence
at the world's scale (seed_bulk.py), and British Transport Police's Concord peered with Tarian,
which has sent a C-coded report by federation."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.intelligence import services
from concord.intelligence.models import ConditionsAccepted, Feedback, IntelReport, SharingGroup
from concord.intelligence.seed_bulk import seed_bulk
from concord.organisations.models import Organisation

# The named reports of the scenarios below (four recorded here, one received from BTP).
SCENARIO_REPORTS = 5


def seed(world: DemoWorld) -> None:
    personas = world.refs.get("personas", {})
    analyst = personas.get("dp.analyst")
    if analyst is None:
        return
    today = timezone.localdate()
    scenario = world.refs.get("scenario_ocgs", {})

    def refs(*keys: str) -> list[str]:
        return [scenario[k].reference for k in keys if k in scenario]

    tarian = Organisation.objects.get(code="TARIAN")
    group = SharingGroup.objects.create(name="Southern Wales forces and Tarian", owner=tarian)
    group.organisations.set(
        Organisation.objects.filter(region=tarian.region).exclude(kind="partner")
    )
    # The scenario's reports first, so their references are the same at every scale:
    # INT-DYP-000001 to 000003 and INT-NWROCU-000001.
    shared = services.record_report(
        actor=analyst,
        title="County line phone rotating through Carmarthen addresses",
        text="The Tarmac line's deal phone moved between three addresses in Carmarthen over the "
        "last fortnight; runners travel by train from Swindon on Fridays.",
        information_date=today - dt.timedelta(days=4),
        grading=services.Grading("2", "B", "P"),
        place="Carmarthen",
        ocgs=refs("tarmac"),
    )
    services.release(actor=analyst, report=shared)
    services.disseminate(
        actor=analyst,
        report=shared,
        to=[Organisation.objects.get(code="WIL"), tarian],
        purpose="Supply into Wiltshire and regional tasking",
    )
    # C-coded, released with a second person's approval, not yet shared: dp.analyst shares it
    # with Tarian in the README's walk.
    firearm = services.record_report(
        actor=analyst,
        title="Firearm offered for sale in Haverfordwest",
        text="A converted pistol is being offered for sale in Haverfordwest by a member of the "
        "Gwenllian group; the buyer is said to be from Swansea.",
        information_date=today - dt.timedelta(days=1),
        grading=services.Grading(
            "1", "A", "C", "Not to be disclosed outside law enforcement; consult DYP before action."
        ),
        place="Haverfordwest",
        ocgs=refs("gwenllian"),
    )
    services.release(actor=analyst, report=firearm)
    approver = _approver(firearm.owner_id, exclude=analyst.pk)
    if approver is not None:
        services.approve_release(actor=approver, report=firearm)
    services.record_report(
        actor=analyst,
        title="Cash courier at Llanelli docks (2019 log)",
        text="A courier collected cash from the Llanelli car wash weekly and drove it east; "
        "recorded from a 2019 log with its 5x5x5 grading as given.",
        information_date=today - dt.timedelta(days=900),
        grading=services.Grading(legacy_grading="B2 4"),
        place="Llanelli",
    )
    # Awaiting nwrocu.chair's approval to release.
    if "nwrocu.sio" in personas:
        waiting = services.record_report(
            actor=personas["nwrocu.sio"],
            title="Cash couriers on the M62 for the Irwell Valley network",
            text="Two couriers drive cash from Salford to a money service business in Liverpool "
            "on Tuesday nights, using a hire car booked in a third party's name.",
            information_date=today - dt.timedelta(days=2),
            grading=services.Grading(
                "2", "B", "C", "North West law enforcement only; consult NWROCU before action."
            ),
            place="Salford",
            ocgs=refs("irwell"),
        )
        services.release(actor=personas["nwrocu.sio"], report=waiting)
    # Then the body of intelligence, taking the next references.
    seed_bulk(world, world.scale.intelligence_reports - SCENARIO_REPORTS)
    _received_from_btp(today)
    world.count("intelligence reports", IntelReport.objects.count())


def _approver(organisation_id: int, *, exclude: int) -> Any:
    """Someone of the organisation who approves releases (an SRO, chief officer or chair)."""
    from concord.organisations.models import User

    return (
        User.objects.filter(
            organisation_id=organisation_id,
            is_active=True,
            roles__code__in=services.APPROVER_ROLES,
            vetting_expires__gte=timezone.localdate(),
        )
        .exclude(pk=exclude)
        .order_by("username")
        .first()
    )


def btp_peer(key: Any) -> Any:
    """British Transport Police's own Concord as Tarian's peer (made again with a new key by
    each step that needs it: the deconfliction demo's hits on BTP's instance, then here)."""
    from concord.intelligence import signing
    from concord.intelligence.federation import register_peer

    peer, _token = register_peer(
        name="btp-concord",
        organisation="BTP",
        local_organisation="TARIAN",
        url="https://concord.btp.invalid/taxii2/api/",
        public_key=signing.encode_public(key.public_key()),
    )
    return peer


def _received_from_btp(today: dt.date) -> None:
    """British Transport Police's own Concord, peered with Tarian, has sent one report by
    federation: signed with a key made for the demo, taken in as any peer's bundle is."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from concord.intelligence import signing, stix
    from concord.intelligence.ingest import ingest

    key = Ed25519PrivateKey.generate()
    peer = btp_peer(key)
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
