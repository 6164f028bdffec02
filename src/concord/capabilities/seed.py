"""Demo world: every ROCU's specialist units and posts and every force's SOC units, paid for by
force contributions, core budgets and Home Office grants that end on 31 March of different
years, so the business plan shows capability at risk as each grant ends.

Southern Wales (Tarian) has a technical surveillance unit whose posts are vacant until a
recruitment completes, so a Dyfed-Powys OCG escalated for SIO support that needs technical
surveillance is a gap the South West ROCU's unit (fully staffed: two teams) can close by a
loan.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from concord.capabilities.choices import (
    ContributionBasis,
    DemandSource,
    FundingKind,
    PostStatus,
)
from concord.capabilities.models import (
    AllocationRun,
    Capability,
    Demand,
    ForceContribution,
    FundingStream,
    FundingYear,
    Gap,
    Post,
    PostFunding,
    Unit,
)
from concord.core.choices import OrganisationKind
from concord.core.seeding import DemoWorld, SeedStep
from concord.organisations.models import Organisation

# Posts a ROCU unit has, by capability (lowest, highest).
ROCU_POSTS = {
    "regional-intelligence": (8, 16),
    "confidential-intelligence": (3, 6),
    "asset-recovery": (5, 10),
    "prison-intelligence": (2, 5),
    "gain": (2, 4),
    "cyber-pursue": (4, 9),
    "cyber-protect": (3, 6),
    "digital-forensics": (4, 10),
    "undercover": (2, 5),
    "specialist-surveillance": (9, 20),
    "technical-surveillance": (3, 8),
    "protected-persons": (2, 5),
    "rocta": (3, 6),
    "regional-task-force": (12, 30),
    "economic-crime": (3, 8),
}
FORCE_POSTS = {
    "force-soc-investigation": (6, 18),
    "force-intelligence": (4, 12),
    "neighbourhood-soc": (4, 14),
    "safeguarding": (3, 10),
}
# Grants end on 31 March of these years, one per ROCU in turn.
GRANT_ENDS = [2027, 2028, 2029]
# The capabilities HMICFRS found most often paid for by short-term grants.
GRANT_FUNDED = {"cyber-pursue", "cyber-protect", "economic-crime", "asset-recovery", "gain"}
ROLES = {
    "regional-intelligence": "Intelligence analyst",
    "confidential-intelligence": "Source handler",
    "asset-recovery": "Financial investigator",
    "prison-intelligence": "Prison intelligence officer",
    "gain": "GAIN coordinator",
    "cyber-pursue": "Cyber crime investigator",
    "cyber-protect": "Cyber protect officer",
    "digital-forensics": "Digital forensic examiner",
    "undercover": "Undercover officer",
    "specialist-surveillance": "Surveillance officer",
    "technical-surveillance": "Technical surveillance officer",
    "protected-persons": "Protected persons officer",
    "rocta": "Threat assessment analyst",
    "regional-task-force": "Detective constable",
    "economic-crime": "Economic crime investigator",
    "force-soc-investigation": "Detective constable",
    "force-intelligence": "Intelligence officer",
    "neighbourhood-soc": "Neighbourhood officer",
    "safeguarding": "Safeguarding officer",
}
VETTING_ORDER = ["NPPV1", "NPPV2", "NPPV3", "SC", "DV"]


def _financial_years(starts: dt.date, ends: dt.date | None, until: int) -> list[int]:
    first = starts.year if starts.month >= 4 else starts.year - 1
    last = (ends.year - 1 if ends.month < 4 else ends.year) if ends else until
    return list(range(first, last + 1))


def seed(world: DemoWorld) -> None:
    rng = world.rng
    today = timezone.localdate()
    this_year = today.year if today.month >= 4 else today.year - 1
    capabilities = {c.code: c for c in Capability.objects.current()}
    organisations = list(
        Organisation.objects.filter(
            kind__in=[OrganisationKind.ROCU, OrganisationKind.FORCE], is_active=True
        ).order_by("code")
    )
    rocus = [o for o in organisations if o.kind == OrganisationKind.ROCU]
    forces = [o for o in organisations if o.kind == OrganisationKind.FORCE]
    streams: list[FundingStream] = []
    ring: list[tuple[FundingStream, list[str]]] = []
    funding_of: dict[int, dict[str, FundingStream]] = {}
    for index, rocu in enumerate(rocus):
        ends = dt.date(GRANT_ENDS[index % len(GRANT_ENDS)], 3, 31)
        mine = {
            "contributions": FundingStream(
                organisation=rocu,
                code="force-contributions",
                name="Force contributions",
                kind=FundingKind.FORCE_CONTRIBUTIONS,
                starts=dt.date(2015, 4, 1),
                basis=ContributionBasis.FUNDING_FORMULA,
            ),
            "grant": FundingStream(
                organisation=rocu,
                code="ho-rocu-uplift",
                name="Home Office ROCU uplift grant",
                kind=FundingKind.HOME_OFFICE_GRANT,
                starts=dt.date(2022, 4, 1),
                ends=ends,
            ),
            "cyber": FundingStream(
                organisation=rocu,
                code="ho-cyber",
                name="Home Office regional cyber crime grant",
                kind=FundingKind.HOME_OFFICE_GRANT,
                starts=dt.date(2023, 4, 1),
                ends=dt.date(GRANT_ENDS[(index + 1) % len(GRANT_ENDS)], 3, 31),
            ),
        }
        streams.extend(mine.values())
        ring.append((mine["cyber"], ["cyber-pursue", "cyber-protect"]))
        funding_of[rocu.pk] = mine
    for force in forces:
        core = FundingStream(
            organisation=force,
            code="force-core",
            name="Force core budget",
            kind=FundingKind.CORE,
            starts=dt.date(2015, 4, 1),
        )
        streams.append(core)
        funding_of[force.pk] = {"core": core}
    FundingStream.objects.bulk_create(streams)
    for stream, codes in ring:
        stream.ring_fenced.set([capabilities[c] for c in codes if c in capabilities])
    years = []
    for stream in streams:
        base = Decimal(rng.randint(4, 40) * 50_000)
        for year in _financial_years(stream.starts, stream.ends, this_year + 3):
            if year < this_year - 2:
                continue
            years.append(FundingYear(stream=stream, year=year, amount=base))
    FundingYear.objects.bulk_create(years)
    contributions = []
    for rocu in rocus:
        stream = funding_of[rocu.pk]["contributions"]
        for force in forces:
            if force.region_id == rocu.region_id:
                contributions.append(
                    ForceContribution(
                        stream=stream, force=force, weight=Decimal(rng.randint(800, 3000)) / 1000
                    )
                )
    ForceContribution.objects.bulk_create(contributions)

    units: list[tuple[Unit, str]] = []
    for organisation in organisations:
        table = ROCU_POSTS if organisation.kind == OrganisationKind.ROCU else FORCE_POSTS
        for code in table:
            capability = capabilities.get(code)
            if capability is None:
                continue
            units.append(
                (
                    Unit(
                        organisation=organisation,
                        capability=capability,
                        name=f"{organisation.short_name or organisation.code} {capability.name}",
                    ),
                    code,
                )
            )
    Unit.objects.bulk_create([u for u, _code in units])
    posts: list[Post] = []
    paid: list[tuple[int, str, Decimal]] = []  # (index in posts, funding key, share)
    for unit, code in units:
        organisation = unit.organisation
        low, high = (ROCU_POSTS if organisation.kind == OrganisationKind.ROCU else FORCE_POSTS)[
            code
        ]
        capability = capabilities[code]
        rank = VETTING_ORDER.index(capability.vetting)
        tarian_tsu = organisation.code == "TARIAN" and code == "technical-surveillance"
        # The South West's unit is fully staffed: two teams it can lend.
        lender = organisation.code == "SWROCU" and code == "technical-surveillance"
        for n in range(9 if lender else rng.randint(low, high)):
            fixed_term = organisation.kind == OrganisationKind.ROCU and (
                code in GRANT_FUNDED or rng.random() < 0.25
            )
            key = (
                "cyber"
                if code in {"cyber-pursue", "cyber-protect"}
                else ("grant" if fixed_term else "contributions")
            )
            if organisation.kind != OrganisationKind.ROCU:
                key = "core"
            stream = funding_of[organisation.pk][key]
            starts = today - dt.timedelta(days=rng.randint(60, 2500))
            if tarian_tsu:
                status = PostStatus.VACANT  # recruitment under way: Tarian lacks the capability
            elif lender:
                status = PostStatus.FILLED
            else:
                status = PostStatus.VACANT if rng.random() < 0.08 else PostStatus.FILLED
            posts.append(
                Post(
                    unit=unit,
                    reference=f"{organisation.code}-{code[:4].upper()}-{n + 1:03}",
                    role=ROLES[code],
                    fte=Decimal("1") if rng.random() < 0.9 else Decimal("0.6"),
                    hours=Decimal("37"),
                    vetting=VETTING_ORDER[max(rank, min(rank + rng.choice([0, 0, 1]), 4))],
                    status=status,
                    starts=max(starts, stream.starts),
                    ends=stream.ends if fixed_term or key == "cyber" else None,
                    training_pct=Decimal(rng.choice([3, 5, 8])),
                    leave_pct=Decimal("12"),
                )
            )
            if organisation.kind == OrganisationKind.ROCU and key == "grant" and rng.random() < 0.3:
                paid.append((len(posts) - 1, "grant", Decimal("0.6")))
                paid.append((len(posts) - 1, "contributions", Decimal("0.4")))
            else:
                paid.append((len(posts) - 1, key, Decimal("1")))
    Post.objects.bulk_create(posts, batch_size=2000)
    PostFunding.objects.bulk_create(
        [
            PostFunding(
                post=posts[i], stream=funding_of[posts[i].unit.organisation_id][key], share=share
            )
            for i, key, share in paid
        ],
        batch_size=2000,
    )
    _story_needs(today)
    # The first national allocation, so the gaps (Tarian's among them) are on the agendas.
    from concord.capabilities.demand import keep_allocation

    run = keep_allocation(actor=None, starts=today, weeks=6)
    world.count("capability gaps", Gap.objects.filter(last_run=run).count())
    world.count("capability units", len(units))
    world.count("posts", len(posts))
    world.count("funding streams", len(streams))


def _story_needs(today: dt.date) -> None:
    """The Dyfed-Powys request to Tarian for SIO support names six weeks of technical
    surveillance (one team), which Tarian's vacant unit cannot give: the allocation's gap."""
    from concord.ownership.choices import TransferKind
    from concord.ownership.models import TransferRequest

    for request in TransferRequest.objects.filter(
        kind=TransferKind.SUPPORT,
        from_organisation__code="DYP",
        to_organisation__code="TARIAN",
        ocg__isnull=False,
    ).select_related("ocg"):
        Demand.objects.create(
            ocg=request.ocg,
            capability=Capability.objects.current().get(code="technical-surveillance"),
            amount=Decimal("1"),
            starts=today,
            ends=today + dt.timedelta(weeks=6),
            source=DemandSource.TRANSFER,
            transfer=request,
            requested_by=request.from_organisation,
            notes="Covert technical deployment on the group's stash addresses in Llanelli.",
        )


def reset() -> None:
    Gap.objects.all().delete()
    AllocationRun.objects.all().delete()
    Demand.objects.all().delete()
    PostFunding.objects.all().delete()
    Post.objects.all().delete()
    Unit.objects.all().delete()
    FundingStream.objects.all().delete()


def loaded() -> bool:
    return Unit.objects.exists()


STEP = SeedStep(name="capabilities", order=28, run=seed, reset=reset, loaded=loaded)
