"""Demo world: operations of Dyfed-Powys, Tarian, Greater Manchester and the North West ROCU
with planted overlaps (a person under two spellings, a shared phone, one vehicle written two
ways), and the North West ROCU's surveillance in Salford this evening, where GMP's warrant in
the walk-through will land. Registered through the services, so every check is audited and
the hits reach both parties and the watch desk as they would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.deconfliction import services
from concord.deconfliction.choices import DeploymentKind, OperationKind, SubjectKind
from concord.deconfliction.models import CheckLimit, Hit, Operation
from concord.organisations.models import User

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


def _people() -> list[str]:
    return ["dp.sio", "tarian.sio", "nwrocu.sio", "gmp.sio"]


def reset() -> None:
    Hit.objects.all().delete()
    Operation.objects.all().delete()
    CheckLimit.objects.all().delete()


def loaded() -> bool:
    return Operation.objects.exists()


STEP = SeedStep(name="deconfliction", order=29, run=seed, reset=reset, loaded=loaded)
