"""Demo world: 4P plans for many OCGs with actions (some given to partners), and disruptions,
most validated."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.organisations.models import Organisation
from concord.ownership.models import Appointment
from concord.plans.choices import ActionStatus, DisruptionStatus, Strand
from concord.plans.models import Action, Disruption, DisruptionImpact, Objective, Plan, PlanReview
from concord.threats.models import Ocg

OBJECTIVES = {
    Strand.PURSUE: ["Arrest and charge the principals", "Seize the group's firearms and cash"],
    Strand.PREVENT: ["Divert young people from the county line", "Deter new recruits"],
    Strand.PROTECT: ["Safeguard cuckooed addresses", "Harden the car washes against laundering"],
    Strand.PREPARE: ["Plan for violence when the line is taken out", "Brief A&E and schools"],
}
ACTIONS = [
    "Execute warrants at the stash addresses",
    "Financial investigation into the cash businesses",
    "Home visits to the young people identified",
    "Licensing review of the premises",
    "Community impact assessment",
]


def seed(world: DemoWorld) -> None:
    rng = world.rng
    today = timezone.localdate()
    lros = {
        a.ocg_id: a.person
        for a in Appointment.objects.filter(
            role="lro", ocg__isnull=False, ended_on__isnull=True
        ).select_related("person")
    }
    sios = {
        a.ocg_id: a.person
        for a in Appointment.objects.filter(
            role="sio", ocg__isnull=False, ended_on__isnull=True
        ).select_related("person")
    }
    partners = list(Organisation.objects.filter(kind="partner").order_by("code"))
    impacts = list(DisruptionImpact.objects.all())
    ocgs = [o for o in Ocg.objects.filter(pk__in=list(lros)).order_by("pk") if rng.random() < 0.6]
    plans = Plan.objects.bulk_create(
        [
            Plan(
                ocg=o,
                aim="Dismantle the group and protect the people it exploits.",
                partner_context="A county lines group exploiting children across the area.",
                next_review_on=today + dt.timedelta(days=rng.randint(-10, 28)),
            )
            for o in ocgs
        ],
        batch_size=1000,
    )
    objectives = []
    for plan in world.track(plans, total=len(plans), desc="4P plans"):
        for strand in rng.sample(list(Strand), k=rng.randint(2, 4)):
            objectives.append(
                Objective(plan=plan, strand=strand, text=rng.choice(OBJECTIVES[strand]))
            )
    Objective.objects.bulk_create(objectives, batch_size=2000)
    actions = []
    for objective in objectives:
        lro = lros[objective.plan.ocg_id]
        for _n in range(rng.randint(1, 3)):
            to_partner = objective.strand != Strand.PURSUE and partners and rng.random() < 0.3
            actions.append(
                Action(
                    objective=objective,
                    description=rng.choice(ACTIONS),
                    owner_person=None if to_partner else lro,
                    owner_organisation=rng.choice(partners) if to_partner else None,
                    due_on=today + dt.timedelta(days=rng.randint(-20, 90)),
                    status=rng.choice(
                        [ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE]
                    ),
                )
            )
    Action.objects.bulk_create(actions, batch_size=2000)
    reviews = [
        PlanReview(
            plan=p,
            reviewed_by=lros[p.ocg_id],
            reviewed_at=timezone.now() - dt.timedelta(days=rng.randint(1, 27)),
            notes="Progress against each strand reviewed with partners.",
        )
        for p in plans
        if rng.random() < 0.5
    ]
    PlanReview.objects.bulk_create(reviews, batch_size=1000)
    disruptions = []
    for plan in plans:
        for _n in range(rng.choice([0, 0, 1, 2])):
            lro = lros[plan.ocg_id]
            # A second person validates: the SIO, where there is one who is not the LRO.
            validator = sios.get(plan.ocg_id)
            validated = validator is not None and validator != lro and rng.random() < 0.8
            disruptions.append(
                Disruption(
                    ocg_id=plan.ocg_id,
                    strand=rng.choice(list(Strand)),
                    impact=rng.choice(impacts),
                    occurred_on=today - dt.timedelta(days=rng.randint(1, 300)),
                    narrative="Warrants executed; principals arrested and drugs seized.",
                    claimed_by=lro,
                    claimed_for_id=lro.organisation_id,
                    claimed_at=timezone.now(),
                    status=DisruptionStatus.VALIDATED if validated else DisruptionStatus.CLAIMED,
                    validated_by=validator if validated else None,
                    validated_at=timezone.now() if validated else None,
                    arrests=rng.randint(0, 6),
                    charges=rng.randint(0, 4),
                    drugs_kg=rng.randint(0, 5000) / 1000,
                    cash_gbp=rng.randint(0, 200) * 500,
                    firearms=rng.choice([0, 0, 0, 1, 2]),
                    children_safeguarded=rng.choice([0, 0, 1, 3]),
                )
            )
    Disruption.objects.bulk_create(disruptions, batch_size=1000)
    world.count("4P plans", len(plans))
    world.count("plan actions", len(actions))
    world.count("disruptions", len(disruptions))


def reset() -> None:
    Disruption.objects.all().delete()
    Plan.objects.all().delete()


STEP = SeedStep(name="plans", order=27, run=seed, reset=reset)
