"""Demo world: a few graded reports from Dyfed-Powys, one shared with Wiltshire and Tarian,
one C-coded awaiting release approval, and a Tarian sharing group."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.intelligence import services
from concord.intelligence.models import ConditionsAccepted, Feedback, IntelReport, SharingGroup
from concord.organisations.models import Organisation


def seed(world: DemoWorld) -> None:
    analyst = world.refs.get("personas", {}).get("dp.analyst")
    if analyst is None:
        return
    today = timezone.localdate()
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
    world.count("intelligence reports", IntelReport.objects.count())


def reset() -> None:
    from concord.core.models import Share

    Share.objects.filter(content_type__app_label="intelligence").delete()
    Feedback.objects.all().delete()
    ConditionsAccepted.objects.all().delete()
    IntelReport.objects.filter(sanitised_from__isnull=False).delete()
    IntelReport.objects.all().delete()
    SharingGroup.objects.all().delete()


STEP = SeedStep(name="intelligence", order=33, run=seed, reset=reset)
