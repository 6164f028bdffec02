"""Demo world: the forums the force responses describe, with a next meeting each."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.meetings.choices import ForumKind, ForumLevel
from concord.meetings.models import Forum, Meeting
from concord.organisations.models import Organisation, User

FORUMS = [
    # organisation, name, Welsh name, level, kind, cadence (days), chair persona
    (
        "DYP",
        "Force Intelligence Development Group",
        "Grŵp Datblygu Cudd-wybodaeth yr Heddlu",
        ForumLevel.FORCE,
        ForumKind.TACTICAL,
        28,
        "dp.lro",
    ),
    (
        "DYP",
        "SOC tasking and coordination",
        "Tasgio a chydlynu SOC",
        ForumLevel.FORCE,
        ForumKind.TACTICAL,
        28,
        "dp.lro",
    ),
    (
        "TARIAN",
        "Regional tasking and coordination group",
        "Grŵp tasgio a chydlynu rhanbarthol",
        ForumLevel.REGION,
        ForumKind.TACTICAL,
        28,
        "tarian.chair",
    ),
    (
        "GMP",
        "Tactical OCG management group",
        "Grŵp rheoli OCG tactegol",
        ForumLevel.FORCE,
        ForumKind.TACTICAL,
        60,
        "gmp.lro",
    ),
    (
        "NWROCU",
        "Regional tasking and coordination group",
        "Grŵp tasgio a chydlynu rhanbarthol",
        ForumLevel.REGION,
        ForumKind.TACTICAL,
        28,
        "nwrocu.chair",
    ),
    (
        "NCA",
        "National tasking and coordination group",
        "Grŵp tasgio a chydlynu cenedlaethol",
        ForumLevel.NATIONAL,
        ForumKind.STRATEGIC,
        90,
        "nca.tasking",
    ),
]


# The forum whose meeting is the README's walk through a meeting, from agenda to minutes.
TODAY = "TARIAN"


def seed(world: DemoWorld) -> None:
    """One forum per row of FORUMS whose chair persona exists, with its members and a meeting."""
    personas = world.refs.get("personas", {})
    made = 0
    for code, name, name_cy, level, kind, cadence, chair_name in FORUMS:
        chair = personas.get(chair_name)
        if chair is None:
            continue
        organisation = Organisation.objects.get(code=code)
        forum = Forum.objects.create(
            organisation=organisation,
            name=name,
            name_cy=name_cy,
            level=level,
            kind=kind,
            chair=chair,
            cadence_days=cadence,
            terms_of_reference=f"{name} of {organisation.display_name}: reviews the register, "
            "decides transfers and tasking, and follows up actions.",
        )
        forum.members.set(
            User.objects.filter(organisation=organisation, is_active=True, roles__isnull=False)
            .distinct()
            .order_by("username")[:12]
        )
        # Tarian's group meets today, so the demo's chair (tarian.chair) can build, issue and
        # decide its agenda and record it as held; the others meet next week.
        today = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
        Meeting.objects.create(
            forum=forum,
            starts_at=today + dt.timedelta(days=0 if code == TODAY else 7),
            location=f"{organisation.display_name}, conference room 1",
        )
        made += 1
    world.count("forums", made)


def reset() -> None:
    """Remove the demo's forums and meetings (with their agendas, decisions and actions)."""
    Meeting.objects.all().delete()
    Forum.objects.all().delete()


STEP = SeedStep(name="meetings", order=35, run=seed, reset=reset)
