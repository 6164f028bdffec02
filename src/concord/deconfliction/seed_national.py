"""The national world's deconfliction (at `--scale national` only; the demo's planted story is
`seed.py`): every active OCG with a 4P plan registered as its owner's operation, its members
and their phones, vehicles and e-mail addresses as subjects (with their blocking keys), a month
of the nation's planned deployments (350,000 a year, DOMAIN.md), and the hits the engine finds
among them, as the online check would have recorded them one registration at a time.

Made in bulk from the register, not through the services (a hundred thousand checks would
each be audited and rate-limited as a person's): the rows are the ones the services write."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from concord.core.seeding import DemoWorld, SeedStep
from concord.deconfliction import checking, encoding, federation, matching
from concord.deconfliction.choices import (
    DeploymentKind,
    HitKind,
    HitStatus,
    OperationKind,
    Resolution,
    Side,
    SubjectKind,
)
from concord.deconfliction.models import (
    Deployment,
    FederatedToken,
    Hit,
    HitSide,
    Operation,
    Subject,
    SubjectKey,
)
from concord.deconfliction.services import contact_of
from concord.plans.models import Plan
from concord.threats.choices import EntityKind, OcgStatus
from concord.threats.models import EntityLink, OcgMember

DEPLOYMENTS_A_YEAR = 350_000
# England and Wales, roughly: where the synthetic deployments fall.
SOUTH, NORTH, WEST, EAST = 50.0, 55.8, -5.5, 1.7
ENTITY_KINDS = {
    EntityKind.PHONE: SubjectKind.PHONE,
    EntityKind.VEHICLE: SubjectKind.VRM,
    EntityKind.EMAIL: SubjectKind.EMAIL,
    EntityKind.ACCOUNT: SubjectKind.ACCOUNT,
}
BATCH = 5000
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def seed(world: DemoWorld) -> None:
    if world.scale.name != "national":
        return
    today = timezone.localdate()
    operations = _operations(world, today)
    subjects = _subjects(world, operations)
    _keys(subjects)
    _tokens(subjects)
    deployments = _deployments(world, operations, today)
    hits = _hits(world, subjects)
    world.count("deconfliction operations (national)", len(operations))
    world.count("deconfliction subjects", len(subjects))
    world.count("planned deployments", deployments)
    world.count("deconfliction hits", hits)


def _operations(world: DemoWorld, today: dt.date) -> list[Operation]:
    plans = (
        Plan.objects.filter(ocg__isnull=False, ocg__status=OcgStatus.ACTIVE)
        .select_related("ocg__owner", "ocg__created_by")
        .order_by("pk")
    )
    made = []
    rng = world.rng
    for plan in plans:
        ocg = plan.ocg
        assert ocg is not None  # filtered above
        owner = ocg.owner
        made.append(
            Operation(
                owner=owner,
                classification=ocg.classification,
                sensitive=ocg.sensitive,
                name=f"Operation {world.fake.word().title()} ({ocg.reference})",
                kind=OperationKind.PLAN,
                ocg=ocg,
                plan=plan,
                contact_name=f"{owner.display_name} SOC duty desk",
                contact_phone=f"01{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
                starts=today - dt.timedelta(days=rng.randint(30, 365)),
                ends=today + dt.timedelta(days=rng.randint(30, 365)),
                created_by=ocg.created_by,
            )
        )
    return Operation.objects.bulk_create(made, batch_size=BATCH)


def _subjects(world: DemoWorld, operations: list[Operation]) -> list[Subject]:
    by_ocg: dict[int, Operation] = {o.ocg_id: o for o in operations if o.ocg_id is not None}
    made: list[Subject] = []
    members = (
        OcgMember.objects.filter(ocg_id__in=by_ocg, ended_on__isnull=True)
        .select_related("nominal")
        .order_by("pk")
    )
    for member in members:
        nominal = member.nominal
        made.append(
            Subject(
                operation=by_ocg[member.ocg_id],
                kind=SubjectKind.PERSON,
                given_name=nominal.forenames[:100],
                surname=nominal.surname[:100],
                aliases="\n".join(str(a) for a in nominal.aliases)[:500],
                dob=nominal.date_of_birth,
            )
        )
    links = (
        EntityLink.objects.filter(
            Q(ocg_id__in=by_ocg) | Q(nominal__memberships__ocg_id__in=by_ocg),
            entity__kind__in=list(ENTITY_KINDS),
        )
        .select_related("entity", "nominal")
        .prefetch_related("nominal__memberships")
        .order_by("pk")
        .distinct()
    )
    for link in links:
        ocg_id = link.ocg_id
        if ocg_id is None and link.nominal is not None:
            ocg_id = next(
                (m.ocg_id for m in link.nominal.memberships.all() if m.ocg_id in by_ocg), None
            )
        if ocg_id not in by_ocg:
            continue
        made.append(
            Subject(
                operation=by_ocg[ocg_id],
                kind=ENTITY_KINDS[EntityKind(link.entity.kind)],
                value=link.entity.value[:200],
            )
        )
    return Subject.objects.bulk_create(made, batch_size=BATCH)


def _tokens(subjects: list[Subject]) -> None:
    """Each subject's keyed hashes for peers' look-ups, as `federation.index` stores them
    (where this instance holds a federation secret)."""
    if not encoding.configured():
        return
    rows: list[FederatedToken] = []
    for subject in subjects:
        try:
            tokens = encoding.encode(subject)
        except ValueError:
            continue
        rows += federation.token_rows(subject, tokens)
        if len(rows) >= BATCH:
            FederatedToken.objects.bulk_create(rows)
            rows = []
    FederatedToken.objects.bulk_create(rows)


def _keys(subjects: list[Subject]) -> None:
    rows: list[SubjectKey] = []
    for subject in subjects:
        try:
            found = checking.keys_of(subject)
        except ValueError:  # an identifier the normalisers refuse is not checked
            continue
        rows += checking.key_rows(subject, found)
        if len(rows) >= BATCH:
            SubjectKey.objects.bulk_create(rows)
            rows = []
    SubjectKey.objects.bulk_create(rows)


def _deployments(world: DemoWorld, operations: list[Operation], today: dt.date) -> int:
    """A month's share of a year's deployments, a fortnight either side of today."""
    rng = world.rng
    kinds = list(DeploymentKind.values)
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=15), dt.time()))
    total = DEPLOYMENTS_A_YEAR // 12
    rows = []
    for n in range(total):
        begins = start + dt.timedelta(minutes=rng.randint(0, 30 * 24 * 60))
        rows.append(
            Deployment(
                operation=operations[n % len(operations)],
                kind=kinds[n % len(kinds)],
                place=world.fake.street_address().replace("\n", ", ")[:200],
                latitude=round(rng.uniform(SOUTH, NORTH), 5),
                longitude=round(rng.uniform(WEST, EAST), 5),
                radius_m=rng.choice((50, 100, 200, 400, 1000)),
                starts=begins,
                ends=begins + dt.timedelta(hours=rng.randint(1, 12)),
            )
        )
    Deployment.objects.bulk_create(rows, batch_size=BATCH)
    return total


def _hits(world: DemoWorld, subjects: list[Subject]) -> int:
    """The target hits among the subjects, as the check of each registration would have found
    them: people scored by the engine, identifiers the same once normalised; between operations
    of different owners only (an organisation's own overlaps are its own business)."""
    people = [s for s in subjects if s.kind == SubjectKind.PERSON]
    owner = {s.pk: s.operation.owner_id for s in subjects}
    pairs: dict[tuple[int, int], tuple[float, tuple[str, ...]]] = {}
    prepared = [_engine(s) for s in people]
    by_id = {s.pk: s for s in subjects}
    for scored in matching.dedupe(prepared, threshold=matching.MATCH):
        a, b = int(scored.left), int(scored.right)
        if owner[a] != owner[b]:
            pairs[(a, b)] = (scored.score, tuple(x.field for x in scored.agreed))
    shared: dict[str, list[int]] = defaultdict(list)
    for row in SubjectKey.objects.filter(
        subject__in=[s.pk for s in subjects if s.kind != SubjectKind.PERSON]
    ).values_list("key", "subject_id"):
        shared[row[0]].append(row[1])
    for holders in shared.values():
        for i, a in enumerate(holders):
            for b in holders[i + 1 :]:
                pair = (min(a, b), max(a, b))
                if owner[a] != owner[b] and pair not in pairs:
                    left, right = (_engine(by_id[n]) for n in pair)
                    scored = matching.score(left, right)
                    pairs[pair] = (scored.score, tuple(x.field for x in scored.agreed))
    return _record(world, pairs, by_id)


def _engine(subject: Subject) -> matching.Prepared:
    return matching.prepare(checking.engine_subjects(subject)[0])


def _record(
    world: DemoWorld,
    pairs: dict[tuple[int, int], tuple[float, tuple[str, ...]]],
    by_id: dict[int, Subject],
) -> int:
    rng = world.rng
    now = timezone.now()
    hits: list[Hit] = []
    sides: list[tuple[Subject, Subject]] = []
    for (a, b), (score, agreed) in sorted(pairs.items()):
        # The later registration checked and found the earlier one.
        mine, theirs = by_id[max(a, b)], by_id[min(a, b)]
        found = now - dt.timedelta(hours=rng.randint(1, 24 * 120))
        resolved = found < now - dt.timedelta(days=2)
        hits.append(
            Hit(
                reference="DX-" + "".join(rng.choice(ALPHABET) for _ in range(8)),
                kind=HitKind.TARGET,
                a_organisation_id=mine.operation.owner_id,
                a_contact=contact_of(mine.operation),
                b_organisation_id=theirs.operation.owner_id,
                b_contact=contact_of(theirs.operation),
                score=score,
                agreed=list(agreed),
                created_at=found,
                respond_by=found + dt.timedelta(hours=4),
                status=HitStatus.RESOLVED if resolved else HitStatus.OPEN,
                resolution=rng.choice(list(Resolution.values)) if resolved else "",
                resolved_at=found + dt.timedelta(minutes=rng.randint(20, 600))
                if resolved
                else None,
            )
        )
        sides.append((mine, theirs))
    made = Hit.objects.bulk_create(hits, batch_size=BATCH, ignore_conflicts=False)
    HitSide.objects.bulk_create(
        [
            HitSide(hit=hit, side=side, operation_id=record.operation_id, subject=record)
            for hit, (mine, theirs) in zip(made, sides, strict=True)
            for side, record in ((Side.A, mine), (Side.B, theirs))
        ],
        batch_size=BATCH,
    )
    return len(made)


def reset() -> None:
    """Nothing of its own: the demo step's reset removes every operation and hit."""


STEP = SeedStep(name="deconfliction_national", order=30, run=seed, reset=reset)
