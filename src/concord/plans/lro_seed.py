"""Demo world: guidance for LROs (English and Welsh) drawn from the forces' responses, the
workload limits, and a mentoring pairing in Dyfed-Powys: the new LRO `dp.newlro` takes two plans
and is paired with `dp.lro` by the force's SOC lead `dp.soclead`, with a couple of comments.

`load_guidance` writes the default guidance where none is recorded; administrators and the
national function edit it from then on."""

from __future__ import annotations

from typing import Any

from concord.core.seeding import DemoWorld, SeedStep
from concord.ownership.models import Appointment
from concord.plans.choices import Stage, Strand
from concord.plans.models import Guidance, MentorComment, Pairing, Plan, WorkloadLimit

# (stage, strand, title, title in Welsh, body, body in Welsh)
GUIDANCE: list[tuple[str, str, str, str, str, str]] = [
    (
        Stage.OPENING,
        "",
        "Open the plan as soon as the group is mapped and scored",
        "Agorwch y cynllun cyn gynted ag y caiff y grŵp ei fapio a'i sgorio",
        "In Dyfed-Powys an SIO and an LRO are appointed to each OCG as soon as it is mapped and "
        "scored. The LRO owns the whole 4P plan, even when the ROCU provides the SIO.\n\n"
        "- Write the **aim**: what disrupting or dismantling this group means here.\n"
        "- Write the **context shared with partners**: the least a partner needs to act, "
        "never intelligence they are not cleared for.\n"
        "- Agree with the SIO how you will keep each other informed.",
        "Yn Nyfed-Powys penodir SIO ac LRO i bob grŵp troseddu cyfundrefnol cyn gynted ag y "
        "caiff ei fapio a'i sgorio. Yr LRO sy'n berchen ar y cynllun 4P cyfan, hyd yn oed pan "
        "fydd yr uned ranbarthol yn darparu'r SIO.\n\n"
        "- Ysgrifennwch y **nod**: beth mae tarfu ar y grŵp hwn neu ei ddatgymalu yn ei olygu "
        "yma.\n"
        "- Ysgrifennwch y **cyd-destun a rennir â phartneriaid**: y lleiaf sydd ei angen ar "
        "bartner i weithredu, byth gudd-wybodaeth nad ydynt wedi'u clirio ar ei chyfer.\n"
        "- Cytunwch â'r SIO sut y byddwch yn rhoi gwybod i'ch gilydd.",
    ),
    (
        Stage.OBJECTIVES,
        "",
        "Set an objective in each of the four strands",
        "Gosodwch amcan ym mhob un o'r pedair elfen",
        "A 4P plan works on the group from every side, usually with partner agencies. Set at "
        "least one objective under Pursue, Prevent, Protect and Prepare; the checklist shows "
        "any strand still empty.",
        "Mae cynllun 4P yn gweithio ar y grŵp o bob cyfeiriad, gydag asiantaethau partner fel "
        "arfer. Gosodwch o leiaf un amcan o dan Erlyn, Atal, Diogelu a Pharatoi; mae'r rhestr "
        "wirio yn dangos unrhyw elfen sy'n dal yn wag.",
    ),
    (
        Stage.OBJECTIVES,
        Strand.PURSUE,
        "Pursue: prosecute and disrupt",
        "Erlyn: erlyn a tharfu",
        "The SIO decides the investigative tactics. Your Pursue objectives record what the "
        "plan expects of them (charges, seizures, assets restrained) so that disruptions can "
        "be claimed against them.",
        "Yr SIO sy'n penderfynu ar y tactegau ymchwilio. Mae eich amcanion Erlyn yn cofnodi'r "
        "hyn y mae'r cynllun yn ei ddisgwyl ganddynt (cyhuddiadau, atafaeliadau, asedau a "
        "ataliwyd) fel y gellir hawlio tarfu yn eu herbyn.",
    ),
    (
        Stage.OBJECTIVES,
        Strand.PREVENT,
        "Prevent: stop people being drawn in",
        "Atal: rhwystro pobl rhag cael eu denu i mewn",
        "Think of the young people and peripheral members around the group: diversion, "
        "deterrence letters, exit routes. Schools, youth services and the local authority are "
        "usually the owners of these actions.",
        "Meddyliwch am y bobl ifanc a'r aelodau ymylol o gwmpas y grŵp: dargyfeirio, "
        "llythyrau atal, llwybrau allan. Ysgolion, gwasanaethau ieuenctid a'r awdurdod lleol "
        "sydd fel arfer yn berchen ar y camau hyn.",
    ),
    (
        Stage.OBJECTIVES,
        Strand.PROTECT,
        "Protect: people, communities and organisations",
        "Diogelu: pobl, cymunedau a sefydliadau",
        "Safeguard those the group exploits (cuckooed addresses, children used to carry "
        "drugs) and harden the businesses it uses. In Greater Manchester, Complex "
        "Safeguarding gives a joint police and children's services response.",
        "Diogelwch y rhai y mae'r grŵp yn eu hecsbloetio (cyfeiriadau a feddiannwyd, plant a "
        "ddefnyddir i gario cyffuriau) a chryfhewch y busnesau y mae'n eu defnyddio. Ym "
        "Manceinion Fwyaf, mae Diogelu Cymhleth yn rhoi ymateb ar y cyd rhwng yr heddlu a "
        "gwasanaethau plant.",
    ),
    (
        Stage.OBJECTIVES,
        Strand.PREPARE,
        "Prepare: reduce the impact",
        "Paratoi: lleihau'r effaith",
        "Plan for what happens when Pursue succeeds: violence over a vacant market, the "
        "community's reaction, the people left behind. Brief A&E, housing providers and "
        "schools where it helps.",
        "Cynlluniwch ar gyfer yr hyn sy'n digwydd pan fydd Erlyn yn llwyddo: trais dros "
        "farchnad wag, ymateb y gymuned, y bobl a adawyd ar ôl. Rhowch wybod i adrannau brys, "
        "darparwyr tai ac ysgolion lle bo hynny'n helpu.",
    ),
    (
        Stage.ACTIONS,
        "",
        "Give each action one owner and a date",
        "Rhowch un perchennog a dyddiad i bob cam",
        "Programme Challenger in Greater Manchester brings probation, local authorities, "
        "HMPPS, Border Force, DWP and Immigration Enforcement to the plan. Give each action to "
        "one person or one agency, with a due date.\n\n"
        "- Every objective needs at least one action.\n"
        "- A partner sees only its own actions and the context you share.\n"
        "- Chase overdue actions before the review.",
        "Mae Rhaglen Challenger ym Manceinion Fwyaf yn dod â'r gwasanaeth prawf, awdurdodau "
        "lleol, HMPPS, Llu'r Ffiniau, yr Adran Gwaith a Phensiynau a Gorfodi Mewnfudo at y "
        "cynllun. Rhowch bob cam i un person neu un asiantaeth, gyda dyddiad dyledus.\n\n"
        "- Mae angen o leiaf un cam ar bob amcan.\n"
        "- Dim ond ei gamau ei hun a'r cyd-destun a rennwch a wêl partner.\n"
        "- Ewch ar ôl camau hwyr cyn yr adolygiad.",
    ),
    (
        Stage.REVIEW,
        "",
        "Review on the cycle, and record what changed",
        "Adolygwch yn ôl y cylch, a chofnodwch beth a newidiodd",
        "Plans are monitored through the monthly Force Intelligence Development Group and SOC "
        "tasking meetings. Review before the date falls due: Concord records the objectives "
        "and actions added or changed since the last review.",
        "Caiff cynlluniau eu monitro drwy Grŵp Datblygu Cudd-wybodaeth yr Heddlu a "
        "chyfarfodydd tasgio troseddau difrifol a chyfundrefnol bob mis. Adolygwch cyn y "
        "dyddiad dyledus: mae Concord yn cofnodi'r amcanion a'r camau a ychwanegwyd neu a "
        "newidiwyd ers yr adolygiad diwethaf.",
    ),
    (
        Stage.CLOSURE,
        "",
        "Close the plan cleanly",
        "Caewch y cynllun yn lân",
        "Before the group is archived, finish or cancel every open action (saying why), make "
        "sure every disruption is validated, and record the reason for closure. If the group "
        "moves to the ROCU in full, hand the plan over: risk must never be dropped in between.",
        "Cyn archifo'r grŵp, gorffennwch neu canslwch bob cam agored (gan ddweud pam), "
        "gwnewch yn siŵr bod pob tarfu wedi'i ddilysu, a chofnodwch y rheswm dros gau. Os yw'r "
        "grŵp yn symud yn llawn i'r uned ranbarthol, trosglwyddwch y cynllun: ni ddylid byth "
        "ollwng risg yn y canol.",
    ),
]

LIMITS = {"lro": 8, "sio": 10}


def load_guidance() -> int:
    """The default guidance and workload limits, where none are recorded yet."""
    made = 0
    if not Guidance.objects.exists():
        Guidance.objects.bulk_create(
            [
                Guidance(
                    stage=stage,
                    strand=strand,
                    title=title,
                    title_cy=title_cy,
                    body=body,
                    body_cy=body_cy,
                    rank=rank,
                )
                for rank, (stage, strand, title, title_cy, body, body_cy) in enumerate(GUIDANCE)
            ]
        )
        made = len(GUIDANCE)
    for role, limit in LIMITS.items():
        WorkloadLimit.objects.get_or_create(role=role, defaults={"max_plans": limit})
    return made


COMMENTS = [
    (
        "mentor",
        "Good start. The Prevent strand is still empty: the youth service in Llanelli has "
        "helped with groups like this before.",
    ),
    ("mentee", "Thanks, I will speak to them this week and add the action."),
]


def seed(world: DemoWorld) -> None:
    from concord.ownership.services import appoint
    from concord.plans import mentoring, services

    world.count("guidance", load_guidance())
    personas: dict[str, Any] = world.refs.get("personas", {})
    mentor, mentee, lead = (personas.get(n) for n in ("dp.lro", "dp.newlro", "dp.soclead"))
    if mentor is None or mentee is None or lead is None:
        return
    # The new LRO holds two active Dyfed-Powys groups (taken over from others where the
    # ownership step gave fewer, never a walk-through's group), each plan opened with a Pursue
    # objective (the other strands left for the checklist to show).
    scenario = [o.pk for o in world.refs.get("scenario_ocgs", {}).values()]
    items = [p.ocg for p in mentoring.lro_posts(mentee) if p.ocg is not None][:2]
    if len(items) < 2:
        more = (
            Appointment.objects.filter(
                role="lro", ended_on__isnull=True, ocg__owner__code="DYP", ocg__status="active"
            )
            .exclude(person=mentee)
            .exclude(ocg__in=scenario)
            .select_related("ocg")
            .order_by("ocg__reference")[: 2 - len(items)]
        )
        for ocg in [post.ocg for post in more if post.ocg is not None]:
            appoint(actor=lead, item=ocg, role="lro", person=mentee, check_permission=False)
            items.append(ocg)
    for item in items:
        if not Plan.objects.filter(ocg=item, objectives__strand="pursue").exists():
            services.add_objective(
                actor=mentee, item=item, strand="pursue", text="Arrest and charge the principals"
            )
    pairing = mentoring.start_pairing(actor=lead, mentor=mentor, mentee=mentee)
    plan = Plan.objects.filter(ocg__in=items).order_by("ocg__reference").first()
    if plan is not None:
        for who, text in COMMENTS:
            mentoring.add_comment(
                actor=mentor if who == "mentor" else mentee, pairing=pairing, plan=plan, text=text
            )
    world.count("mentoring pairings", 1)


def reset() -> None:
    MentorComment.objects.all().delete()
    Pairing.objects.all().delete()
    Guidance.objects.all().delete()
    WorkloadLimit.objects.all().delete()


STEP = SeedStep(name="lro_support", order=29, run=seed, reset=reset)
