"""Demo world: 4P plans for many OCGs, with objectives and actions fitting each strand (a
partner's actions only on groups in its own area), reviews and disruptions, most validated.
Operation Tarmac, and whichever group tops the picture, has a full plan in all four strands;
the scenario groups give Border Force and Manchester City Council actions falling due."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import F
from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.organisations.models import Organisation
from concord.ownership.models import Appointment
from concord.plans.choices import ActionStatus, DisruptionStatus, Strand
from concord.plans.models import Action, Disruption, DisruptionImpact, Objective, Plan, PlanReview
from concord.threats.models import Ocg

OBJECTIVES = {
    Strand.PURSUE: [
        "Arrest and charge the principals",
        "Seize the group's firearms, drugs and cash",
        "Restrain the group's assets",
    ],
    Strand.PREVENT: [
        "Divert young people from the group",
        "Deter new recruits",
        "Offer exit routes to peripheral members",
    ],
    Strand.PROTECT: [
        "Safeguard the people the group exploits",
        "Harden the businesses it uses against laundering",
        "Protect the addresses it takes over",
    ],
    Strand.PREPARE: [
        "Plan for violence when the principals are arrested",
        "Brief schools, A&E and housing providers",
        "Prepare the community impact response",
    ],
}
ACTIONS = {
    Strand.PURSUE: [
        "Execute warrants at the stash addresses",
        "Financial investigation into the cash businesses",
        "Telephone analysis of the deal lines",
        "Surveillance on the supply route",
    ],
    Strand.PREVENT: [
        "Home visits to the young people identified",
        "Youth outreach through schools and clubs",
        "Deterrence letters to associates",
    ],
    Strand.PROTECT: [
        "Safeguarding visits to the cuckooed addresses",
        "Licensing review of the premises",
        "Target-hardening advice to the businesses used",
    ],
    Strand.PREPARE: [
        "Community impact assessment",
        "Brief neighbourhood teams on the likely response",
        "Agree a reassurance plan with the council",
    ],
}
# What each kind of partner does in a plan, by strand (a partner never holds a Pursue action).
PARTNER_ACTIONS = {
    "border": "Targeted checks on freight and passengers at the ports the group uses",
    "local_authority": "Complex Safeguarding visits to the children the group recruits",
    "welfare": "Review benefit claims made at the group's addresses",
    "probation": "Tighten licence conditions for the members on licence",
    "tax": "Tax compliance checks on the group's cash businesses",
    "immigration": "Welfare and status checks on the workers the group houses",
}
# Local authorities work in their own force's area; other regional partners in their region;
# national partners anywhere.
PARTNER_FORCES = {"MCC": {"GMP"}, "CCC": {"DYP"}}
AIMS = [
    "Dismantle {name} and protect the people it exploits.",
    "Disrupt {name}'s supply and remove its principals from the area.",
    "Reduce the harm {name} causes and stop it recruiting.",
]
PARTNER_CONTEXT = (
    "{name} is known to the police in your area; your action helps protect the people it "
    "exploits. Please record what you did and who you referred."
)
REVIEW_NOTES = [
    "Progress against each strand reviewed with partners; Pursue actions on track.",
    "Reviewed with the SIO: Protect and Prevent actions carried forward to next month.",
    "Reviewed after the last warrant day; safeguarding referrals followed up.",
]
NARRATIVES = {
    Strand.PURSUE: "Warrants executed at two addresses; principals arrested and drugs seized.",
    Strand.PREVENT: "Young people identified and referred to diversion; two left the group.",
    Strand.PROTECT: "Cuckooed addresses secured and the tenants moved to safe housing.",
    Strand.PREPARE: "Community reassurance patrols after the arrests; no retaliation seen.",
}

# The full 4P plans of the scenario groups: per strand the objective, and actions as
# (description, owner: a persona username or an organisation code, due in days, status).
FULL_PLANS: dict[str, dict[str, Any]] = {
    "tarmac": {
        "aim": "Take the Tarmac line out of Carmarthen and Llanelli, and protect the children "
        "and adults it exploits along the M4.",
        "context": "A county line from Swindon into Carmarthen and Llanelli using local "
        "children as runners and taking over the flats of vulnerable adults.",
        "strands": {
            Strand.PURSUE: (
                "Arrest and charge the line holder and the Llanelli principals",
                [
                    ("Telephone analysis of the deal line", "dp.sio", 14, ActionStatus.IN_PROGRESS),
                    ("Warrants at the three Carmarthen addresses", "dp.sio", 30, ActionStatus.OPEN),
                ],
            ),
            Strand.PREVENT: (
                "Divert the children used as runners",
                [
                    (
                        "Home visits with Carmarthenshire children's services",
                        "CCC",
                        7,
                        ActionStatus.IN_PROGRESS,
                    ),
                ],
            ),
            Strand.PROTECT: (
                "Safeguard the adults whose flats are taken over",
                [
                    ("Safeguarding visits to the cuckooed flats", "dp.lro", 10, ActionStatus.OPEN),
                    (
                        "Targeted checks on passengers from Swindon at Carmarthen station",
                        "BF",
                        5,
                        ActionStatus.OPEN,
                    ),
                ],
            ),
            Strand.PREPARE: (
                "Prepare the community response to the warrant day",
                [
                    ("Community impact assessment", "dp.lro", 21, ActionStatus.OPEN),
                ],
            ),
        },
    },
    "gwenllian": {
        "aim": "Stop converted firearms reaching Pembrokeshire and Swansea through the ports.",
        "context": "Converted pistols are coming in through Pembroke Dock and being sold in "
        "Haverfordwest.",
        "strands": {
            Strand.PURSUE: (
                "Identify and arrest the supplier in Haverfordwest",
                [("Financial investigation into the supplier", "dp.sio", 20, ActionStatus.OPEN)],
            ),
            Strand.PROTECT: (
                "Close the route through Pembroke Dock",
                [
                    (
                        "Targeted freight checks on the Rosslare to Pembroke Dock crossing",
                        "BF",
                        4,
                        ActionStatus.OPEN,
                    )
                ],
            ),
        },
    },
    "hollinwood": {
        "aim": "Take the Hollinwood crew's deal lines out of Oldham and Rochdale and protect "
        "the children it recruits.",
        "context": "A group running deal lines from cuckooed flats in Oldham and Rochdale, "
        "recruiting children at the school gates.",
        "strands": {
            Strand.PURSUE: (
                "Arrest the line holders",
                [("Warrants at the Hollinwood flats", "gmp.sio", 25, ActionStatus.OPEN)],
            ),
            Strand.PREVENT: (
                "Divert the children the crew recruits",
                [
                    (
                        "Complex Safeguarding visits to the children identified in Oldham",
                        "MCC",
                        6,
                        ActionStatus.IN_PROGRESS,
                    ),
                    (
                        "Youth outreach at the schools the crew recruits from",
                        "MCC",
                        12,
                        ActionStatus.OPEN,
                    ),
                ],
            ),
            Strand.PROTECT: (
                "Protect the tenants whose flats are taken over",
                [("Safeguarding visits to the cuckooed flats", "gmp.lro", 9, ActionStatus.OPEN)],
            ),
        },
    },
}


def seed(world: DemoWorld) -> None:
    rng = world.rng
    today = timezone.localdate()
    personas = world.refs.get("personas", {})
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
    by_code = {p.code: p for p in partners}
    impacts = list(DisruptionImpact.objects.all())
    scenario = world.refs.get("scenario_ocgs", {})
    full = {scenario[key].pk: key for key in FULL_PLANS if key in scenario}
    # The top of the picture has a full plan too (scoring ran first).
    top = (
        Ocg.objects.filter(status="active", band_rank__isnull=False)
        .order_by(F("band_rank").asc(), F("risk_score").desc(), "reference")
        .values_list("pk", flat=True)
        .first()
    )
    if top is not None and top not in full:
        full[top] = ""
    areas: dict[int, set[str]] = {}
    for ocg_id, code in Ocg.force_areas.through.objects.values_list("ocg_id", "organisation__code"):
        areas.setdefault(ocg_id, set()).add(code)
    ocgs = [
        o
        for o in Ocg.objects.filter(pk__in=list(lros)).select_related("owner").order_by("pk")
        if o.pk in full or rng.random() < 0.6
    ]
    plans = Plan.objects.bulk_create(
        [
            Plan(
                ocg=o,
                aim=FULL_PLANS[full[o.pk]]["aim"]
                if full.get(o.pk)
                else rng.choice(AIMS).format(name=o.name),
                partner_context=FULL_PLANS[full[o.pk]]["context"]
                if full.get(o.pk)
                else PARTNER_CONTEXT.format(name=o.name),
                next_review_on=today + dt.timedelta(days=rng.randint(-10, 28)),
            )
            for o in ocgs
        ],
        batch_size=1000,
    )
    objectives: list[Objective] = []
    actions: list[Action] = []

    def due(days: int) -> dt.date:
        return today + dt.timedelta(days=days)

    for plan, ocg in world.track(zip(plans, ocgs, strict=True), total=len(plans), desc="4P plans"):
        lro, sio = lros[ocg.pk], sios.get(ocg.pk)
        story = FULL_PLANS.get(full.get(ocg.pk, ""))
        if story is not None:
            for strand, (text, planned) in story["strands"].items():
                objective = Objective(plan=plan, strand=strand, text=text)
                objectives.append(objective)
                for description, owner, days, status in planned:
                    person = personas.get(owner)
                    actions.append(
                        Action(
                            objective=objective,
                            description=description,
                            owner_person=person,
                            owner_organisation=None if person else by_code[owner],
                            due_on=due(days),
                            status=status,
                        )
                    )
            continue
        fitting = [p for p in partners if _works_on(p, ocg, areas.get(ocg.pk, set()))]
        strands = list(Strand) if ocg.pk in full else rng.sample(list(Strand), k=rng.randint(2, 4))
        for strand in strands:
            objective = Objective(plan=plan, strand=strand, text=rng.choice(OBJECTIVES[strand]))
            objectives.append(objective)
            for _n in range(rng.randint(1, 3)):
                partner = (
                    rng.choice(fitting)
                    if strand != Strand.PURSUE and fitting and rng.random() < 0.3
                    else None
                )
                owner = sio if strand == Strand.PURSUE and sio is not None else lro
                description = rng.choice(ACTIONS[strand])
                if partner is not None:
                    description = PARTNER_ACTIONS.get(partner.partner_type, description)
                actions.append(
                    Action(
                        objective=objective,
                        description=description,
                        owner_person=None if partner else owner,
                        owner_organisation=partner,
                        due_on=due(rng.randint(-20, 90)),
                        status=rng.choice(
                            [ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE]
                        ),
                    )
                )
    Objective.objects.bulk_create(objectives, batch_size=2000)
    Action.objects.bulk_create(actions, batch_size=2000)
    reviews = [
        PlanReview(
            plan=p,
            reviewed_by=lros[p.ocg_id],
            reviewed_at=timezone.now() - dt.timedelta(days=rng.randint(1, 27)),
            notes=rng.choice(REVIEW_NOTES),
        )
        for p in plans
        if p.ocg_id in full or rng.random() < 0.5
    ]
    PlanReview.objects.bulk_create(reviews, batch_size=1000)
    disruptions = [
        _disruption(rng, plan, lros[plan.ocg_id], sios.get(plan.ocg_id), impacts, today)
        for plan in plans
        for _n in range(rng.choice([0, 0, 1, 2]))
    ]
    Disruption.objects.bulk_create(disruptions, batch_size=1000)
    world.count("4P plans", len(plans))
    world.count("plan actions", len(actions))
    world.count("disruptions", len(disruptions))


def _works_on(partner: Organisation, ocg: Ocg, area_codes: set[str]) -> bool:
    """Whether a partner agency works where the group does."""
    codes = area_codes | {ocg.owner.code}
    if partner.code in PARTNER_FORCES:
        return bool(codes & PARTNER_FORCES[partner.code])
    if partner.region_id is not None:
        return partner.region_id == ocg.owner.region_id
    return True


def _disruption(
    rng: random.Random,
    plan: Plan,
    lro: Any,
    validator: Any,
    impacts: list[DisruptionImpact],
    today: dt.date,
) -> Disruption:
    """A claimed disruption whose figures fit its strand, validated by the SIO where there is
    one who is not the LRO (a second person)."""
    strand = rng.choice(list(Strand))
    validated = validator is not None and validator != lro and rng.random() < 0.8
    pursue = strand == Strand.PURSUE
    return Disruption(
        ocg_id=plan.ocg_id,
        strand=strand,
        impact=rng.choice(impacts),
        occurred_on=today - dt.timedelta(days=rng.randint(1, 300)),
        narrative=NARRATIVES[strand],
        claimed_by=lro,
        claimed_for_id=lro.organisation_id,
        claimed_at=timezone.now(),
        status=DisruptionStatus.VALIDATED if validated else DisruptionStatus.CLAIMED,
        validated_by=validator if validated else None,
        validated_at=timezone.now() if validated else None,
        arrests=rng.randint(1, 6) if pursue else 0,
        charges=rng.randint(0, 4) if pursue else 0,
        drugs_kg=rng.randint(0, 5000) / 1000 if pursue else 0,
        cash_gbp=rng.randint(0, 200) * 500 if pursue else 0,
        firearms=rng.choice([0, 0, 0, 1, 2]) if pursue else 0,
        children_safeguarded=0 if pursue else rng.choice([1, 2, 3]),
    )


def reset() -> None:
    Disruption.objects.all().delete()
    Plan.objects.all().delete()


STEP = SeedStep(name="plans", order=27, run=seed, reset=reset)
