"""Demo world: every OCG and PI's ownership history begins; most have an SIO and an LRO."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from concord.core import policy
from concord.core.seeding import DemoWorld, SeedStep
from concord.organisations.models import User
from concord.ownership.choices import AppointmentRole
from concord.ownership.models import (
    Appointment,
    HandoverItem,
    OwnershipPeriod,
    TaskingMessage,
    TaskingRequest,
    TransferMessage,
    TransferRequest,
)
from concord.threats.models import Ocg, PriorityIndividual

POSTS = {AppointmentRole.SIO: "sio", AppointmentRole.LRO: "lro"}


def seed(world: DemoWorld) -> None:
    rng = world.rng
    today = timezone.localdate()
    # People who can hold each post, by organisation (the demo personas first).
    holders: dict[tuple[int, str], list[Any]] = {}
    for person in (
        User.objects.filter(is_active=True, roles__code__in=POSTS.values())
        .prefetch_related("roles")
        .order_by("username")
        .distinct()
    ):
        for code in person.role_codes & set(POSTS.values()):
            holders.setdefault((person.organisation_id, code), []).append(person)
    periods: list[OwnershipPeriod] = []
    appointments: list[Appointment] = []
    for field, model in (("ocg", Ocg), ("priority_individual", PriorityIndividual)):
        items = list(
            model.objects.only(
                "pk",
                "owner_id",
                "created_at",
                "created_by_id",
                "classification",
                "need_to_know_only",
            )
        )
        for item in world.track(items, total=len(items), desc=f"owners ({field})"):
            periods.append(
                OwnershipPeriod(
                    **{f"{field}_id": item.pk},
                    organisation_id=item.owner_id,
                    started_at=item.created_at,
                )
            )
            for role, code in POSTS.items():
                # Only people cleared to see the item hold a post on it (as `appoint` checks).
                people = [
                    p
                    for p in holders.get((item.owner_id, code), [])
                    if not item.need_to_know_only
                    and item.classification in policy.viewer_for(p).classifications
                ]
                # Some posts stay empty, so the demo shows vacancies.
                if not people or rng.random() < 0.15:
                    continue
                person = rng.choice(people)
                appointments.append(
                    Appointment(
                        **{f"{field}_id": item.pk},
                        role=role,
                        person=person,
                        organisation_id=person.organisation_id,
                        started_on=today - dt.timedelta(days=rng.randint(0, 400)),
                        appointed_by=person,
                    )
                )
    OwnershipPeriod.objects.bulk_create(periods, batch_size=2000, ignore_conflicts=True)
    Appointment.objects.bulk_create(appointments, batch_size=2000)
    world.count("ownership periods", len(periods))
    world.count("appointments", len(appointments))
    _scenarios(world)


def _scenarios(world: DemoWorld) -> None:
    """Requests waiting in the demo: the NCA tasks Tarian formally, one from Tarian to
    Dyfed-Powys is already overdue, and Greater Manchester has asked the North West ROCU to take
    a group on. Made through the services, so the people concerned are notified."""
    from concord.organisations.models import Organisation
    from concord.ownership import tasking, transfers

    personas = world.refs.get("personas", {})
    if not {"nca.tasking", "tarian.chair", "gmp.sio"} <= set(personas):
        return
    today = timezone.localdate()
    tarian, dyp, nwrocu = (
        Organisation.objects.get(code=code) for code in ("TARIAN", "DYP", "NWROCU")
    )
    tasking.request_tasking(
        actor=personas["nca.tasking"],
        to_organisation=tarian,
        capability="Regional asset recovery team",
        asked="Financial investigation into the cash businesses laundering for a national "
        "firearms supplier",
        reason="Links from a national operation into the Southern Wales region",
        respond_by=today + dt.timedelta(days=5),
        urgency="urgent",
    )
    overdue = tasking.request_tasking(
        actor=personas["tarian.chair"],
        to_organisation=dyp,
        capability="Local warrant team",
        asked="Support a regional warrant in Carmarthen",
        reason="Regional operation against a county line into Dyfed-Powys",
        respond_by=today,
    )
    TaskingRequest.objects.filter(pk=overdue.pk).update(respond_by=today - dt.timedelta(days=3))
    ocg = (
        Ocg.objects.restrict(personas["gmp.sio"], "change")
        .filter(owner__code="GMP", sensitive=False)
        .order_by("pk")
        .first()
    )
    if ocg is not None:
        transfers.request_transfer(
            actor=personas["gmp.sio"],
            item=ocg,
            kind="transfer",
            to_organisation=nwrocu,
            reason="Supply chain reaches across Lancashire and Merseyside",
            asked="Full transfer of THR management and the 4P plan",
        )


def reset() -> None:
    from concord.core.models import Share

    Share.objects.filter(content_type__app_label="ownership").delete()
    TaskingMessage.objects.all().delete()
    TaskingRequest.objects.all().delete()
    HandoverItem.objects.all().delete()
    TransferMessage.objects.all().delete()
    OwnershipPeriod.objects.all().delete()
    Appointment.objects.all().delete()
    TransferRequest.objects.all().delete()


STEP = SeedStep(name="ownership", order=25, run=seed, reset=reset)
