"""Demo world: every OCG and PI's ownership history begins when it was mapped or designated;
most have an SIO and an LRO; the scenario groups have the personas in post."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from concord.core import policy
from concord.core.seeding import DemoWorld, SeedStep
from concord.organisations.models import User
from concord.ownership import services
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


# The scenario groups' posts (threats.seed.SCENARIO_OCGS): persona usernames, or None for a
# post left empty (the Ystwyth group has had no LRO for eight months: a vacancy).
SCENARIO_POSTS: dict[str, dict[str, str | None]] = {
    "tarmac": {"sio": "dp.sio", "lro": "dp.lro"},
    "gwenllian": {"sio": "dp.sio", "lro": "dp.lro"},
    "harbour": {"sio": "dp.sio", "lro": "dp.lro"},
    "ystwyth": {"sio": "dp.sio", "lro": None},
    "irwell": {"sio": "gmp.sio", "lro": "gmp.lro"},
    "hollinwood": {"sio": "gmp.sio", "lro": "gmp.lro"},
}


def _mapped_at(item: Any) -> dt.datetime:
    """The start of the day the item was mapped or designated: its first owner owned it from
    then, not from the moment the demo was loaded."""
    day = services.on_register_since(item)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def seed(world: DemoWorld) -> None:
    rng = world.rng
    today = timezone.localdate()
    personas = world.refs.get("personas", {})
    scenario_ids: dict[int, dict[str, str | None]] = {
        ocg.pk: SCENARIO_POSTS.get(key, {})
        for key, ocg in world.refs.get("scenario_ocgs", {}).items()
    }
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
        on_register = services.ON_REGISTER_SINCE[model.kind_code]
        items = list(
            model.objects.only(
                "pk",
                "owner_id",
                "created_at",
                "created_by_id",
                "classification",
                "need_to_know_only",
                on_register,
            )
        )
        for item in world.track(items, total=len(items), desc=f"owners ({field})"):
            mapped_at = _mapped_at(item)
            periods.append(
                OwnershipPeriod(
                    **{f"{field}_id": item.pk},
                    organisation_id=item.owner_id,
                    started_at=mapped_at,
                )
            )
            # Appointed on or after the day it was mapped.
            since = max(0, (today - timezone.localtime(mapped_at).date()).days)
            for role, code in POSTS.items():
                if field == "ocg" and item.pk in scenario_ids:
                    username = scenario_ids[item.pk].get(code)
                    chosen: User | None = personas.get(username) if username else None
                    if chosen is None:
                        continue
                    person = chosen
                else:
                    # Only people cleared to see the item hold a post (as `appoint` checks).
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
                        started_on=today - dt.timedelta(days=rng.randint(0, since)),
                        appointed_by=person,
                    )
                )
    OwnershipPeriod.objects.bulk_create(periods, batch_size=2000, ignore_conflicts=True)
    Appointment.objects.bulk_create(appointments, batch_size=2000)
    world.count("ownership periods", len(periods))
    world.count("appointments", len(appointments))
    _scenarios(world)


def _scenarios(world: DemoWorld) -> None:
    """Requests waiting in the demo, made through the services so the people concerned are
    notified: Dyfed-Powys has asked Tarian for SIO support on Operation Gwenllian (for the
    regional meeting), Greater Manchester has asked the North West ROCU to take the Irwell
    Valley network in full, the NCA tasks Tarian formally, GMP tasks the North West ROCU, and a
    request from Tarian to Dyfed-Powys is already overdue."""
    from concord.organisations.models import Organisation
    from concord.ownership import tasking, transfers

    personas = world.refs.get("personas", {})
    scenario = world.refs.get("scenario_ocgs", {})
    needed = {"nca.tasking", "tarian.chair", "gmp.sio", "dp.sio"}
    if not needed <= set(personas) or not scenario:
        return
    today = timezone.localdate()
    tarian, dyp, nwrocu = (
        Organisation.objects.get(code=code) for code in ("TARIAN", "DYP", "NWROCU")
    )
    transfers.request_transfer(
        actor=personas["dp.sio"],
        item=scenario["gwenllian"],
        kind="support",
        to_organisation=tarian,
        reason="Firearms come in through Pembroke Dock and reach Swansea: beyond the force",
        asked="A Tarian SIO and surveillance on the supply route; the LRO and 4P plan stay here",
        urgency="urgent",
    )
    transfers.request_transfer(
        actor=personas["gmp.sio"],
        item=scenario["irwell"],
        kind="transfer",
        to_organisation=nwrocu,
        reason="Supply chain reaches across Lancashire and Merseyside",
        asked="Full transfer of THR management and the 4P plan",
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
    tasking.request_tasking(
        actor=personas["gmp.sio"],
        to_organisation=nwrocu,
        capability="Covert surveillance team",
        asked="Two weeks of surveillance on the Hollinwood crew's flats in Oldham and Rochdale",
        reason="The crew rotates cuckooed flats faster than local teams can follow",
        respond_by=today + dt.timedelta(days=10),
        ocg=scenario["hollinwood"],
    )
    overdue = tasking.request_tasking(
        actor=personas["tarian.chair"],
        to_organisation=dyp,
        capability="Local warrant team",
        asked="Support a regional warrant in Carmarthen",
        reason="Regional operation against a county line into Dyfed-Powys",
        respond_by=today,
        ocg=scenario["tarmac"],
    )
    TaskingRequest.objects.filter(pk=overdue.pk).update(respond_by=today - dt.timedelta(days=3))


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
