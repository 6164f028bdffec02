"""The demo world's body of intelligence at scale (DOMAIN.md: 1,000,000 reports nationally):
graded reports from every force, ROCU and the NCA, some about their OCGs, a fifth of those
released shared with their region's ROCU or a neighbour for a purpose, written in chunks so
memory stays flat. Drafts, reports awaiting approval and recalls are in proportion.

Shared reports are published into the recipients' TAXII feeds as dissemination does, up to
FEED_CAP of them (the newest): publishing costs about a millisecond a report, and the federation
benchmark builds a feed of its own at scale.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from concord.core.choices import Classification, OrganisationKind, RoleCode, ShareCause
from concord.core.models import Share
from concord.core.seeding import DemoWorld
from concord.intelligence import feed
from concord.intelligence.choices import ReportStatus
from concord.intelligence.models import IntelReport
from concord.organisations.models import Organisation, User
from concord.threats import demo_places
from concord.threats.models import ReferenceCounter

CHUNK = 20_000
FEED_CAP = 20_000
WHAT = [
    "A deal line is being run from an address in {town}; runners arrive by train on {day}s.",
    "Cash is collected weekly from a car wash in {town} and driven out of the area by car.",
    "A converted firearm is being offered for sale by an associate in {town}.",
    "Two vulnerable adults in {town} have had their flats taken over for supply.",
    "A hire van is used on {day}s to move cannabis from a farm unit outside {town}.",
    "Money mules recruited at a gym in {town} are paid to open accounts.",
    "Women are being moved between short-let flats in {town} and advertised online.",
    "A warehouse near {town} is storing counterfeit cigarettes ahead of distribution.",
]
TITLES = [
    "Deal line activity in {town}",
    "Cash collection, {town}",
    "Firearm offered for sale, {town}",
    "Cuckooing in {town}",
    "Cannabis movements near {town}",
    "Money mule recruitment, {town}",
    "Possible exploitation, {town}",
    "Counterfeit goods store near {town}",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
CONDITIONS = "Not to be disclosed outside law enforcement; consult the originator before action."
LEGACY = ["B2 4", "A1 1", "C3 2", "B3 4", "E4 5"]


def _originators() -> dict[int, list[int]]:
    """Who records intelligence in each organisation (analysts and intelligence officers,
    else anyone with a role)."""
    found: dict[int, list[int]] = defaultdict(list)
    wanted = [RoleCode.ANALYST, RoleCode.INTELLIGENCE_OFFICER]
    for user_id, org_id in (
        User.objects.filter(roles__code__in=wanted, is_active=True)
        .values_list("pk", "organisation_id")
        .distinct()
        .order_by("pk")
    ):
        found[org_id].append(user_id)
    for user_id, org_id in (
        User.objects.filter(roles__isnull=False, is_active=True)
        .exclude(organisation_id__in=list(found))
        .values_list("pk", "organisation_id")
        .distinct()
        .order_by("pk")
    ):
        found[org_id].append(user_id)
    return found


def _recipients(
    owner: Organisation, peers: dict[int, list[Organisation]], rng: random.Random
) -> list[Organisation]:
    choices = peers.get(owner.pk, [])
    if not choices:
        return []
    return rng.sample(choices, k=min(len(choices), rng.choice([1, 1, 2])))


def _towns(organisations: list[Organisation]) -> dict[int, list[str]]:
    """Where each organisation's intelligence is about: a force its own area, a ROCU its
    region's forces' areas, a national agency anywhere."""
    forces = list(Organisation.objects.filter(kind=OrganisationKind.FORCE).order_by("code"))
    everywhere = [t for f in forces for t in demo_places.towns_of(f.code)]
    result: dict[int, list[str]] = {}
    for org in organisations:
        if org.kind == OrganisationKind.FORCE:
            result[org.pk] = demo_places.towns_of(org.code)
        elif org.kind == OrganisationKind.ROCU:
            result[org.pk] = [
                t
                for f in forces
                if f.region_id == org.region_id
                for t in demo_places.towns_of(f.code)
            ] or everywhere
        else:
            result[org.pk] = everywhere
    return result


def _neighbours(organisations: list[Organisation]) -> dict[int, list[Organisation]]:
    """Whom an organisation shares with: a force its region's ROCU and other forces in the
    region; a ROCU its forces and the NCA; the NCA the ROCUs."""
    rocus = [o for o in organisations if o.kind == OrganisationKind.ROCU]
    national = [o for o in organisations if o.kind == OrganisationKind.NATIONAL]
    result: dict[int, list[Organisation]] = {}
    for org in organisations:
        same_region = [o for o in organisations if o.region_id == org.region_id and o != org]
        if org.kind == OrganisationKind.NATIONAL:
            result[org.pk] = rocus
        elif org.kind == OrganisationKind.ROCU:
            result[org.pk] = [*same_region, *national]
        else:
            result[org.pk] = same_region
    return result


def seed_bulk(world: DemoWorld, count: int) -> int:
    rng, today = world.rng, timezone.localdate()
    organisations = list(
        Organisation.objects.filter(
            kind__in=[OrganisationKind.FORCE, OrganisationKind.ROCU, OrganisationKind.NATIONAL]
        )
        # British Transport Police keep their intelligence on their own Concord (the demo's
        # peer): it reaches this one only by federation.
        .exclude(code="BTP")
        .order_by("code")
    )
    writers = _originators()
    organisations = [o for o in organisations if writers.get(o.pk)]
    if not organisations or count <= 0:
        return 0
    weights = [4 if o.kind == OrganisationKind.FORCE else 6 for o in organisations]
    neighbours = _neighbours(organisations)
    towns = _towns(organisations)
    ocgs_of: dict[int, list[int]] = defaultdict(list)
    for ocg in world.refs.get("ocgs", []):
        ocgs_of[ocg.owner_id].append(ocg.pk)
    counters = {c.organisation_id: c.last for c in ReferenceCounter.objects.filter(prefix="INT")}
    content_type = ContentType.objects.get_for_model(IntelReport)
    through = IntelReport.ocgs.through
    now = timezone.now()
    to_publish: list[tuple[int, list[int]]] = []
    made = 0
    chunks = range(0, count, CHUNK)
    for start in world.track(chunks, total=len(chunks), desc=f"intelligence ({CHUNK:,} a step)"):
        size = min(CHUNK, count - start)
        reports: list[IntelReport] = []
        owners = rng.choices(organisations, weights=weights, k=size)
        for owner in owners:
            counters[owner.pk] = counters.get(owner.pk, 0) + 1
            town, n = rng.choice(towns[owner.pk]), rng.randrange(len(WHAT))
            roll = rng.random()
            status = (
                ReportStatus.DRAFT
                if roll < 0.04
                else ReportStatus.AWAITING
                if roll < 0.06
                else ReportStatus.RECALLED
                if roll < 0.08
                else ReportStatus.RELEASED
            )
            legacy = rng.random() < 0.05
            code = "C" if rng.random() < 0.2 else "P"
            when = today - dt.timedelta(days=rng.randint(0, 730))
            stamp = now - dt.timedelta(days=(today - when).days)
            reports.append(
                IntelReport(
                    owner=owner,
                    reference=f"INT-{owner.code}-{counters[owner.pk]:06d}",
                    title=TITLES[n].format(town=town),
                    text=WHAT[n].format(town=town, day=rng.choice(DAYS)),
                    information_date=when,
                    place=town,
                    originator_id=rng.choice(writers[owner.pk]),
                    classification=Classification.SECRET
                    if rng.random() < 0.02
                    else Classification.OFFICIAL,
                    sensitive=rng.random() < 0.1,
                    source_evaluation="" if legacy else rng.choice("1122223"),
                    intelligence_assessment="" if legacy else rng.choice("AABBBCCD"),
                    handling_code="" if legacy else code,
                    handling_conditions=CONDITIONS if code == "C" and not legacy else "",
                    legacy_grading=rng.choice(LEGACY) if legacy else "",
                    status=status,
                    released_at=stamp
                    if status in (ReportStatus.RELEASED, ReportStatus.RECALLED)
                    else None,
                    recalled_at=stamp if status == ReportStatus.RECALLED else None,
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
        with transaction.atomic():
            IntelReport.objects.bulk_create(reports, batch_size=2000)
            links, shares = [], []
            for report in reports:
                candidates = ocgs_of.get(report.owner_id)
                if candidates and rng.random() < 0.3:
                    links.append(through(intelreport_id=report.pk, ocg_id=rng.choice(candidates)))
                if report.status == ReportStatus.RELEASED and rng.random() < 0.2:
                    recipients = _recipients(report.owner, neighbours, rng)
                    for recipient in recipients:
                        shares.append(
                            Share(
                                content_type=content_type,
                                object_id=report.pk,
                                to_organisation=recipient,
                                purpose="Regional intelligence sharing",
                                cause=ShareCause.DISSEMINATION,
                                created_by_id=report.originator_id,
                                created_at=report.created_at,
                            )
                        )
                    if recipients:
                        to_publish.append((report.pk, [o.pk for o in recipients]))
            through.objects.bulk_create(links, batch_size=5000)
            Share.objects.bulk_create(shares, batch_size=5000)
        made += size
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(prefix="INT", organisation_id=o, last=n) for o, n in counters.items()],
        update_conflicts=True,
        unique_fields=["prefix", "organisation"],
        update_fields=["last"],
    )
    _publish(world, to_publish[-FEED_CAP:])
    world.count("intelligence shared with other organisations", len(to_publish))
    return made


def _publish(world: DemoWorld, shared: list[tuple[int, list[int]]]) -> None:
    """Into the recipients' TAXII feeds, oldest first (as dissemination would have)."""
    by_pk = IntelReport.objects.select_related("owner").in_bulk([pk for pk, _to in shared])
    organisations = Organisation.objects.in_bulk()
    for start in world.track(
        range(0, len(shared), 1000), total=(len(shared) + 999) // 1000, desc="TAXII feeds"
    ):
        with transaction.atomic():
            for pk, recipients in shared[start : start + 1000]:
                feed.publish(by_pk[pk], [organisations[o] for o in recipients], [])
