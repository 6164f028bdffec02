"""Demo: last quarter's public statistics, prepared by nca.tasking and approved by another of
the national function's analysts, so the public page has a release from the start."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.insight import services, statistics
from concord.insight.models import StatisticsRelease
from concord.organisations.models import User


def seed(world: DemoWorld) -> None:
    preparer = world.refs.get("personas", {}).get("nca.tasking")
    if preparer is None:
        return
    approver = (
        User.objects.filter(organisation__code="NCA", is_active=True, roles__code="analyst")
        .exclude(pk=preparer.pk)
        .order_by("username")
        .first()
    )
    if approver is None:
        return
    year, quarter = statistics.quarter_of(timezone.localdate())
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    release = services.prepare_release(actor=preparer, year=year, quarter=quarter)
    services.approve_release(actor=approver, release=release)
    world.count("public statistics releases", 1)


def reset() -> None:
    StatisticsRelease.objects.all().delete()


STEP = SeedStep(name="insight", order=40, run=seed, reset=reset)


# The good practice library, written from the forces' responses to HMICFRS (shared seeds).
PRACTICES: list[dict[str, Any]] = [
    {
        "slug": "programme-challenger",
        "originator": "GMP",
        "title": "Programme Challenger: a city region's partnership response to SOC",
        "title_cy": "Rhaglen Challenger: ymateb partneriaeth dinas-ranbarth i SOC",
        "summary": "Police, the combined authority, probation, local authorities, prisons, "
        "Border Force, DWP and Immigration Enforcement run 4P plans together, with local "
        "Challenger teams holding the SIO function and the plan.",
        "summary_cy": "Mae'r heddlu, yr awdurdod cyfunol, y gwasanaeth prawf, awdurdodau lleol, "
        "carchardai, Llu'r Ffiniau, yr Adran Gwaith a Phensiynau a Gorfodi Mewnfudo yn cynnal "
        "cynlluniau 4P gyda'i gilydd, gyda thimau Challenger lleol yn dal swyddogaeth yr SIO "
        "a'r cynllun.",
        "body": "Greater Manchester manages serious and organised crime through a SOC "
        "partnership governance meeting, level 1 tactical tasking, covert commissioning, level 2 "
        "tasking and force and regional tasking. When resources are needed from the force or "
        "the North West ROCU they can be reached quickly, while the force keeps the SIO "
        "function and the 4P plan within local Challenger teams, which attend local partnership "
        "meetings that carry Prevent and Protect measures into every district.",
        "body_cy": "Mae Manceinion Fwyaf yn rheoli troseddau difrifol a chyfundrefnol drwy "
        "gyfarfod llywodraethu partneriaeth SOC, tasgio tactegol lefel 1, comisiynu cudd, "
        "tasgio lefel 2 a thasgio'r heddlu a'r rhanbarth. Pan fo angen adnoddau gan yr heddlu "
        "neu ROCU y Gogledd Orllewin gellir eu cael yn gyflym, tra bo'r heddlu'n cadw "
        "swyddogaeth yr SIO a'r cynllun 4P o fewn timau Challenger lleol, sy'n mynychu "
        "cyfarfodydd partneriaeth lleol sy'n cario mesurau Atal a Diogelu i bob ardal.",
        "evidence": "In 18 months only one OCG needed a full transfer to the North West ROCU; "
        "the rest were tackled through the partnership with access to ROCU capabilities.",
        "evidence_cy": "Mewn 18 mis dim ond un OCG a fu angen ei drosglwyddo'n llawn i ROCU y "
        "Gogledd Orllewin; ymdriniwyd â'r gweddill drwy'r bartneriaeth gyda mynediad at "
        "alluoedd y ROCU.",
        "source": "Greater Manchester's response to the HMICFRS inspection of ROCUs",
        "outcomes": ["arrests", "charges", "referrals"],
        "adopted_by": [("GMP", "adopted"), ("NWROCU", "adopted")],
    },
    {
        "slug": "complex-safeguarding",
        "originator": "GMP",
        "title": "Complex safeguarding: a joint response to extra-familial risk",
        "title_cy": "Diogelu cymhleth: ymateb ar y cyd i risg y tu allan i'r teulu",
        "summary": "Police and children's services answer together the risk that criminality "
        "poses to children outside their families, in every district.",
        "summary_cy": "Mae'r heddlu a gwasanaethau plant yn ymateb gyda'i gilydd i'r risg y mae "
        "troseddoldeb yn ei pheri i blant y tu allan i'w teuluoedd, ym mhob ardal.",
        "body": "A specialist joint safeguarding team of police officers and local authority "
        "children's services works on the exploitation that organised crime brings (county "
        "lines, criminal and sexual exploitation), so that safeguarding runs alongside Pursue "
        "in each 4P plan.",
        "body_cy": "Mae tîm diogelu arbenigol ar y cyd o swyddogion heddlu a gwasanaethau plant "
        "yr awdurdod lleol yn gweithio ar y camfanteisio a ddaw yn sgil troseddu cyfundrefnol "
        "(llinellau cyffuriau, camfanteisio troseddol a rhywiol), fel bod diogelu'n rhedeg "
        "ochr yn ochr ag Erlid ym mhob cynllun 4P.",
        "evidence": "Described by Greater Manchester as unique to the city region; it links "
        "SOC plans with children's services in every district.",
        "evidence_cy": "Disgrifir gan Fanceinion Fwyaf fel rhywbeth unigryw i'r dinas-ranbarth; "
        "mae'n cysylltu cynlluniau SOC â gwasanaethau plant ym mhob ardal.",
        "source": "Greater Manchester's response to the HMICFRS inspection of ROCUs",
        "outcomes": ["children_safeguarded", "victims_safeguarded"],
        "adopted_by": [("GMP", "adopted"), ("MER", "considering")],
    },
    {
        "slug": "lro-mentoring",
        "originator": "DYP",
        "title": "LRO mentoring and one-to-one guidance",
        "title_cy": "Mentora LRO a chanllawiau un-i-un",
        "summary": "Experienced lead responsible officers mentor new ones, with written "
        "guidance and one-to-one help from the force intelligence bureau.",
        "summary_cy": "Mae swyddogion cyfrifol arweiniol profiadol yn mentora rhai newydd, gyda "
        "chanllawiau ysgrifenedig a chymorth un-i-un gan y biwro cudd-wybodaeth.",
        "body": "Where formal LRO training could not run, Dyfed-Powys gives each new LRO "
        "specific guidance on the role, pairs them informally with an experienced LRO, and its "
        "force intelligence bureau gives one-to-one training as new LROs are appointed.",
        "body_cy": "Lle na ellid cynnal hyfforddiant LRO ffurfiol, mae Dyfed-Powys yn rhoi "
        "canllawiau penodol ar y rôl i bob LRO newydd, yn eu paru'n anffurfiol ag LRO profiadol, "
        "ac mae'r biwro cudd-wybodaeth yn rhoi hyfforddiant un-i-un wrth i LROs newydd gael eu "
        "penodi.",
        "evidence": "Regional LRO training for the three southern Welsh forces in 2019 could "
        "not be repeated in 2020; mentoring kept new LROs supported meanwhile.",
        "evidence_cy": "Ni ellid ailadrodd hyfforddiant LRO rhanbarthol i dri heddlu de Cymru "
        "yn 2019 yn 2020; roedd mentora'n cefnogi LROs newydd yn y cyfamser.",
        "source": "Dyfed-Powys Police's response to the HMICFRS inspection of ROCUs",
        "outcomes": ["victims_safeguarded", "referrals"],
        "adopted_by": [("DYP", "adopted"), ("TARIAN", "considering")],
    },
]


def seed_oversight(world: DemoWorld) -> None:
    """The good practice library with adoptions and a comment, and a consistency run so the
    comparison and every ROCU's oversight pack have exceptions to show."""
    import datetime as dt

    from concord.insight import consistency
    from concord.insight.models import Adoption, Practice, PracticeComment
    from concord.organisations.models import Organisation

    codes = dict(Organisation.objects.values_list("code", "pk"))
    recorder = world.refs.get("personas", {}).get("tarian.chair") or User.objects.first()
    today = timezone.localdate()
    for data in PRACTICES:
        fields = {k: v for k, v in data.items() if k not in ("adopted_by", "originator")}
        practice = Practice.objects.create(originator_id=codes.get(data["originator"]), **fields)
        for code, status in data["adopted_by"]:
            if code in codes and recorder is not None:
                Adoption.objects.create(
                    practice=practice,
                    organisation_id=codes[code],
                    status=status,
                    since=today - dt.timedelta(days=200),
                    recorded_by=recorder,
                )
    commenter = world.refs.get("personas", {}).get("dp.lro")
    if commenter is not None:
        PracticeComment.objects.create(
            practice=Practice.objects.get(slug="lro-mentoring"),
            author=commenter,
            text="Pairing worked best when the mentor had held an LRO role for a band 1 OCG.",
        )
    world.count("good practices", len(PRACTICES))
    run = consistency.run(today=today)
    world.count("consistency exceptions", run.found)


def reset_oversight() -> None:
    from concord.insight.models import ConsistencyRun, Practice

    ConsistencyRun.objects.all().delete()
    Practice.objects.all().delete()


OVERSIGHT_STEP = SeedStep(name="oversight", order=95, run=seed_oversight, reset=reset_oversight)
