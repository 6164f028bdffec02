"""Demo world: operations of Dyfed-Powys, Tarian, Greater Manchester and the North West ROCU
with planted overlaps (a person under two spellings, a shared phone, one vehicle written two
ways), and the North West ROCU's surveillance in Salford this evening, where GMP's warrant in
the walk-through will land. Registered through the services, so every check is audited and
the hits reach both parties and the watch desk as they would.

British Transport Police's own Concord is Tarian's peer: two of the subjects registered here
(Tarian's phone, Dyfed-Powys's Carmarthen station postcode) are also held on BTP's instance,
and their checks there are answered as a peer answers, so those hits name BTP's instance."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.deconfliction import encoding, federation, services
from concord.deconfliction.choices import DeploymentKind, OperationKind, SubjectKind
from concord.deconfliction.models import CheckLimit, FederatedCheck, Hit, Operation, Subject
from concord.intelligence.seed import btp_peer
from concord.organisations.models import User

# What British Transport Police's instance holds of ours: (operation's persona, subject's kind,
# BTP's desk to call, the fields its check agreed on).
ON_BTP = [
    (
        "tarian.sio",
        SubjectKind.PHONE,
        "BTP Wales and Western, Cardiff Central duty desk",
        ["phone"],
    ),
    (
        "dp.sio",
        SubjectKind.POSTCODE,
        "BTP Wales and Western, Swansea station CID",
        ["postcode"],
    ),
]

# (persona, name, contact, phone, e-mail, subjects, deployments)
Planted = tuple[str, str, str, str, list[services.SubjectDetails], list[dict[str, Any]]]


def _operations(today: dt.date) -> list[Planted]:
    person = SubjectKind.PERSON
    return [
        (
            "dp.sio",
            "Operation Tarmac (deconfliction)",
            "DCI Rhys Davies, SOC Team",
            "01267 226000",
            [
                services.SubjectDetails(
                    kind=person, given_name="Jason", surname="Pryce", dob=dt.date(1988, 3, 14)
                ),
                services.SubjectDetails(kind=SubjectKind.PHONE, value="07700 900123"),
                services.SubjectDetails(kind=SubjectKind.POSTCODE, postcode="SA31 1AB"),
            ],
            [],
        ),
        (
            "tarian.sio",
            "Operation Gwenllian",
            "Tarian Regional Task Force desk",
            "029 2000 0000",
            [
                services.SubjectDetails(
                    kind=person,
                    given_name="Jayson",
                    surname="Price",
                    aliases="Jay Price",
                    dob=dt.date(1988, 3, 14),
                ),
                services.SubjectDetails(kind=SubjectKind.PHONE, value="+44 7700 900123"),
            ],
            [],
        ),
        (
            "nwrocu.sio",
            "Operation Millstone",
            "North West ROCU surveillance desk",
            "0161 000 0000",
            [
                services.SubjectDetails(kind=SubjectKind.VRM, value="MA19XKD"),
                services.SubjectDetails(
                    kind=person, given_name="Kieran", surname="Doyle", dob=dt.date(1991, 11, 2)
                ),
            ],
            [
                {
                    "kind": DeploymentKind.SURVEILLANCE,
                    "place": "Trinity Way, Salford",
                    "postcode": "M5 4WT",
                    "radius_m": 400,
                    "hours": (17, 23),
                }
            ],
        ),
        (
            "gmp.sio",
            "Operation Kestrel",
            "GMP SOC Team duty DS",
            "0161 856 0000",
            [
                services.SubjectDetails(kind=SubjectKind.VRM, value="MA19 XKD"),
            ],
            [],
        ),
    ]


def seed(world: DemoWorld) -> None:
    today = timezone.localdate()
    if not CheckLimit.objects.exists():
        CheckLimit.objects.create()
    people = {u.username: u for u in User.objects.filter(username__in=_people())}
    made = 0
    for username, name, contact, phone, subjects, deployments in _operations(today):
        actor = people.get(username)
        if actor is None:
            continue
        operation = services.register_operation(
            actor=actor,
            details=services.OperationDetails(
                name=name,
                kind=OperationKind.STANDALONE,
                contact_name=contact,
                contact_phone=phone,
                contact_email=actor.email,
                starts=today - dt.timedelta(days=30),
                ends=today + dt.timedelta(days=90),
            ),
        )
        world.refs[f"deconfliction:{username}"] = operation
        for details in subjects:
            services.register_subject(actor=actor, operation=operation, details=details)
        for spec in deployments:
            start, end = spec["hours"]
            day = timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0)))
            services.register_deployment(
                actor=actor,
                operation=operation,
                details=services.DeploymentDetails(
                    kind=spec["kind"],
                    place=spec["place"],
                    postcode=spec["postcode"],
                    radius_m=spec["radius_m"],
                    starts=day + dt.timedelta(hours=start),
                    ends=day + dt.timedelta(hours=end, minutes=59),
                ),
            )
        made += 1
    world.counts["deconfliction operations"] = made
    _on_btp_instance(world)


def _on_btp_instance(world: DemoWorld) -> None:
    """Checks of two subjects answered by BTP's instance (as `federation.send` records a
    peer's answer), with references drawn from the demo's seed."""
    peer = btp_peer(Ed25519PrivateKey.generate())
    draw = random.Random(world.seed + 14)  # noqa: S311  # demo references, not security
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    for username, kind, desk, agreed in ON_BTP:
        operation = world.refs.get(f"deconfliction:{username}")
        subject = Subject.objects.filter(operation=operation, kind=kind).first()
        if operation is None or subject is None:
            continue
        tokens = sorted(encoding.encode(subject)) if encoding.configured() else []
        check = FederatedCheck.objects.create(
            check_id=uuid.UUID(int=draw.getrandbits(128)),
            direction=FederatedCheck.OUT,
            peer=peer,
            subject=subject,
            kind=kind,
            tokens=tokens,
            reference="DX-" + "".join(draw.choice(alphabet) for _ in range(8)),
            contact=services.contact_of(operation),
            attempts=1,
        )
        federation.record_answer(
            check,
            [
                federation.Pointer(
                    reference=check.reference,
                    organisation="BTP",
                    contact=desk,
                    score=1.0,
                    agreed=tuple(agreed),
                )
            ],
        )
        world.count("deconfliction hits on a peer instance", 1)


def _people() -> list[str]:
    return ["dp.sio", "tarian.sio", "nwrocu.sio", "gmp.sio"]


def reset() -> None:
    FederatedCheck.objects.all().delete()
    Hit.objects.all().delete()
    Operation.objects.all().delete()
    CheckLimit.objects.all().delete()


def loaded() -> bool:
    return Operation.objects.exists()


STEP = SeedStep(name="deconfliction", order=29, run=seed, reset=reset, loaded=loaded)
