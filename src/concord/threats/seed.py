"""Demo world: OCGs and their members for every force, more for the scenario forces; priority
individuals and vulnerabilities linked to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from concord.core.choices import Classification, OrganisationKind
from concord.core.models import Share
from concord.core.seeding import DemoWorld, SeedStep
from concord.core.text import normalise_name
from concord.organisations.models import Organisation
from concord.threats import demo_places, identifiers
from concord.threats.choices import EntityKind, Gender, LinkType, MemberRole
from concord.threats.models import (
    CriminalityType,
    Entity,
    EntityLink,
    Nominal,
    Ocg,
    OcgMember,
    PriorityIndividual,
    ReferenceCounter,
    Vulnerability,
)

# Forces where the demo scenarios happen hold more of the register.
WEIGHTED_FORCES = {"DYP": 6, "GMP": 8, "WIL": 3, "SWP": 3, "GWE": 2, "MER": 3, "WMP": 4, "MPS": 6}
NATIONALITIES = ["British"] * 8 + [
    "Albanian",
    "Irish",
    "Polish",
    "Romanian",
    "Vietnamese",
    "Jamaican",
    "Turkish",
    "Lithuanian",
]


@dataclass(frozen=True)
class ScenarioOcg:
    """A group the README's walk and the personas' work name: made first, so its reference
    (OCG-DYP-000001…) is the same at every scale and seed."""

    key: str
    owner: str
    name: str
    criminality: tuple[str, ...]
    areas: tuple[str, ...]
    mapped_days_ago: int
    summary: str


SCENARIO_OCGS = [
    ScenarioOcg(
        "tarmac",
        "DYP",
        "Operation Tarmac",
        ("illegal-drugs", "money-laundering"),
        ("DYP", "SWP", "WIL"),
        420,
        "A county line run from Swindon into Carmarthen and Llanelli along the M4: a deal "
        "phone, cuckooed flats near Carmarthen station and children used as runners; cash goes "
        "back east through a car wash in Llanelli.",
    ),
    ScenarioOcg(
        "gwenllian",
        "DYP",
        "Operation Gwenllian",
        ("illegal-firearms",),
        ("DYP", "SWP"),
        150,
        "Converted pistols brought in through Pembroke Dock and sold from Haverfordwest to "
        "groups in Swansea and Llanelli; two discharges in Milford Haven this year.",
    ),
    ScenarioOcg(
        "harbour",
        "DYP",
        "Llanelli Harbour network",
        ("illegal-drugs", "modern-slavery"),
        ("DYP",),
        300,
        "Cannabis grown in rented houses around Ammanford by workers held in debt bondage, "
        "sold through dealers in Llanelli; the workers are moved between the houses by van.",
    ),
    ScenarioOcg(
        "ystwyth",
        "DYP",
        "Ystwyth Rees family",
        ("organised-acquisitive-crime",),
        ("DYP",),
        240,
        "Steals quad bikes, plant and tools from farms around Aberystwyth and Newtown and "
        "moves them through a yard in Llandrindod Wells; mapped eight months ago.",
    ),
    ScenarioOcg(
        "irwell",
        "GMP",
        "Irwell Valley network",
        ("illegal-firearms", "illegal-drugs"),
        ("GMP",),
        380,
        "Supplies cocaine and firearms from Salford to groups in Bolton and Oldham, and its "
        "supply chain reaches across Lancashire and Merseyside.",
    ),
    ScenarioOcg(
        "hollinwood",
        "GMP",
        "Hollinwood crew (Oldham)",
        ("illegal-drugs",),
        ("GMP",),
        200,
        "Runs deal lines in Oldham and Rochdale from cuckooed flats, recruiting children from "
        "schools in Oldham; Complex Safeguarding is working with the families.",
    ),
]
# A declared relative of gmp.sio is a member of a Greater Manchester group: the auditor's story.
DECLARED_RELATIVE = ("hollinwood", "Connor", "Walsh", 24)


def seed(world: DemoWorld) -> None:
    rng, fake = world.rng, world.fake
    today = timezone.localdate()
    forces = list(Organisation.objects.filter(kind=OrganisationKind.FORCE).order_by("code"))
    by_force = {f.code: f for f in forces}
    weights = [WEIGHTED_FORCES.get(f.code, 1) for f in forces]
    types = list(CriminalityType.objects.all())
    by_code = {t.code: t for t in types}
    total = max(0, world.scale.ocgs - len(SCENARIO_OCGS))
    owners = rng.choices(forces, weights=weights, k=total)
    counters: dict[tuple[str, int], int] = {}

    def reference(prefix: str, org: Organisation) -> str:
        key = (prefix, org.pk)
        counters[key] = counters.get(key, 0) + 1
        return f"{prefix}-{org.code}-{counters[key]:06d}"

    ocgs: list[Ocg] = []
    kinds: list[list[CriminalityType]] = []
    areas_of: list[list[Organisation]] = []
    taken: dict[str, set[str]] = {}
    scenario: dict[str, Ocg] = {}
    for story in SCENARIO_OCGS:
        owner = by_force[story.owner]
        ocg = Ocg(
            owner=owner,
            reference=reference("OCG", owner),
            name=story.name,
            classification=Classification.OFFICIAL,
            sensitive=False,
            summary=story.summary,
            mapped_on=today - dt.timedelta(days=story.mapped_days_ago),
        )
        taken.setdefault(owner.code, set()).add(story.name)
        scenario[story.key] = ocg
        ocgs.append(ocg)
        kinds.append([by_code[c] for c in story.criminality])
        areas_of.append([by_force[c] for c in story.areas])
    for owner in world.track(owners, total=total, desc="OCGs"):
        chosen = rng.sample(types, k=rng.choice([1, 1, 2, 3]))
        neighbours = [f for f in forces if f.region_id == owner.region_id]
        ocgs.append(
            Ocg(
                owner=owner,
                reference=reference("OCG", owner),
                name=demo_places.group_name(
                    rng,
                    fake.last_name(),
                    fake.last_name(),
                    owner.code,
                    taken.setdefault(owner.code, set()),
                ),
                classification=Classification.SECRET
                if rng.random() < 0.08
                else Classification.OFFICIAL,
                sensitive=rng.random() < 0.1,
                summary=demo_places.summary(rng, chosen[0].code, owner.code),
                mapped_on=today - dt.timedelta(days=rng.randint(0, 900)),
            )
        )
        kinds.append(chosen)
        areas_of.append([owner, *rng.sample(neighbours, k=min(len(neighbours), rng.randint(0, 2)))])
    Ocg.objects.bulk_create(ocgs, batch_size=1000)
    through = Ocg.criminality_types.through
    through.objects.bulk_create(
        [
            through(ocg_id=o.pk, criminalitytype_id=t.pk)
            for o, chosen in zip(ocgs, kinds, strict=True)
            for t in chosen
        ],
        batch_size=5000,
    )
    areas = Ocg.force_areas.through
    areas.objects.bulk_create(
        [
            areas(ocg_id=o.pk, organisation_id=force.pk)
            for o, affected in zip(ocgs, areas_of, strict=True)
            for force in {f.pk: f for f in affected}.values()
        ],
        batch_size=5000,
    )

    # Nominals: members of OCGs, about ten a group at national scale.
    per_group = max(1, world.scale.nominals // max(1, len(ocgs)))
    nominals: list[Nominal] = []
    memberships: list[tuple[int, int, str]] = []
    relative_ocg = scenario[DECLARED_RELATIVE[0]]
    for index, ocg in enumerate(world.track(ocgs, total=len(ocgs), desc="members")):
        for position in range(rng.randint(max(1, per_group - 3), per_group + 3)):
            gender = rng.choice([Gender.MALE] * 4 + [Gender.FEMALE])
            forenames = (
                fake.first_name_male() if gender == Gender.MALE else fake.first_name_female()
            )
            surname = fake.last_name()
            nominals.append(
                _nominal(
                    ocg,
                    reference("NOM", ocg.owner),
                    forenames,
                    surname,
                    today - dt.timedelta(days=rng.randint(17 * 365, 65 * 365)),
                    gender,
                    rng.choice(NATIONALITIES),
                )
            )
            role = (
                MemberRole.PRINCIPAL
                if position == 0
                else rng.choice(
                    [MemberRole.SIGNIFICANT, MemberRole.PERIPHERAL, MemberRole.PERIPHERAL]
                )
            )
            memberships.append((index, len(nominals) - 1, role))
        if ocg is relative_ocg:
            _key, forenames, surname, age = DECLARED_RELATIVE
            nominals.append(
                _nominal(
                    ocg,
                    reference("NOM", ocg.owner),
                    forenames,
                    surname,
                    today - dt.timedelta(days=age * 365 + 100),
                    Gender.MALE,
                    "British",
                )
            )
            memberships.append((index, len(nominals) - 1, MemberRole.PERIPHERAL))
    Nominal.objects.bulk_create(nominals, batch_size=2000)
    OcgMember.objects.bulk_create(
        [
            OcgMember(ocg_id=ocgs[o].pk, nominal_id=nominals[n].pk, role=role)
            for o, n, role in memberships
        ],
        batch_size=5000,
    )
    identifiers_made = _identifiers(world, nominals)
    pis = _priority_individuals(world, ocgs, nominals, memberships, reference)
    vulnerabilities = _vulnerabilities(world, ocgs, reference)
    ReferenceCounter.objects.bulk_create(
        [
            ReferenceCounter(prefix=prefix, organisation_id=org_id, last=last)
            for (prefix, org_id), last in counters.items()
        ]
    )

    # Operation Tarmac's supply reaches Swindon: Dyfed-Powys shares it with Wiltshire Police.
    personas = world.refs.get("personas", {})
    if "dp.analyst" in personas:
        Share.objects.create(
            content_type=ContentType.objects.get_for_model(Ocg),
            object_id=scenario["tarmac"].pk,
            to_organisation=by_force["WIL"],
            purpose="County lines supply into Swindon and Chippenham",
            created_by=personas["dp.analyst"],
        )
    world.count("OCGs", len(ocgs))
    world.count("nominals", len(nominals))
    world.count("identifiers", identifiers_made)
    world.count("priority individuals", len(pis))
    world.count("vulnerabilities", len(vulnerabilities))
    world.refs["ocgs"] = ocgs
    world.refs["scenario_ocgs"] = scenario
    world.refs["register_items"] = [*ocgs, *pis, *vulnerabilities]


def _nominal(
    ocg: Ocg,
    reference: str,
    forenames: str,
    surname: str,
    born: dt.date,
    gender: str,
    nationality: str,
) -> Nominal:
    return Nominal(
        owner=ocg.owner,
        classification=ocg.classification,
        sensitive=ocg.sensitive,
        reference=reference,
        forenames=forenames,
        surname=surname,
        date_of_birth=born,
        gender=gender,
        nationality=nationality,
        name_key=normalise_name(f"{forenames} {surname}"),
    )


VEHICLES = [
    ("Ford", "Transit"),
    ("Volkswagen", "Golf"),
    ("BMW", "3 Series"),
    ("Audi", "A3"),
    ("Mercedes-Benz", "Sprinter"),
    ("Vauxhall", "Corsa"),
    ("Toyota", "Prius"),
    ("Range Rover", "Sport"),
]
VRM_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"


def _vrm(rng: Any) -> str:
    """A current-style registration (two letters, age identifier, three letters): AB21 CDE."""
    letters = "".join(rng.choice(VRM_LETTERS) for _ in range(5))
    age = rng.choice([f"{y:02d}" for y in range(10, 25)] + [f"{y}" for y in range(60, 75)])
    return f"{letters[:2]}{age} {letters[2:]}"


def _identifiers(world: DemoWorld, nominals: list[Nominal]) -> int:
    """Phones (Ofcom's drama ranges, so never a real number), vehicles, addresses and emails for
    most people, as entered, in the canonical form matching compares, and linked to them."""
    rng, fake = world.rng, world.fake
    owner_codes = dict(Organisation.objects.values_list("pk", "code"))
    entities: list[Entity] = []
    links: list[tuple[int, int, str]] = []  # (entity index, nominal index, link type)
    held: dict[tuple[int, str, str], int] = {}

    def add(
        n: int,
        nominal: Nominal,
        kind: str,
        value: str,
        canonical: str,
        link: str,
        details: dict[str, str] | None = None,
    ) -> None:
        key = (nominal.owner_id, kind, canonical)
        if key not in held:
            held[key] = len(entities)
            entities.append(
                Entity(
                    owner_id=nominal.owner_id,
                    classification=nominal.classification,
                    sensitive=nominal.sensitive,
                    kind=kind,
                    value=value,
                    canonical=canonical,
                    details=details or {},
                )
            )
        links.append((held[key], n, link))

    for n, nominal in enumerate(world.track(nominals, total=len(nominals), desc="identifiers")):
        if rng.random() < 0.7:
            number = f"07700 900{rng.randint(0, 999):03d}"
            add(n, nominal, EntityKind.PHONE, number, identifiers.phone(number), LinkType.USES)
        if rng.random() < 0.35:
            vrm = _vrm(rng)
            make, model = rng.choice(VEHICLES)
            add(
                n,
                nominal,
                EntityKind.VEHICLE,
                vrm,
                identifiers.vrm(vrm),
                LinkType.OWNS,
                {"make": make, "model": model},
            )
        if rng.random() < 0.5:
            code = owner_codes.get(nominal.owner_id, "")
            try:
                postcode = identifiers.postcode(demo_places.postcode(rng, code) or fake.postcode())
            except ValueError:
                continue
            town = rng.choice(demo_places.towns_of(code))
            line = f"{rng.randint(1, 180)} {rng.choice(demo_places.STREETS)}, {town}"
            add(
                n,
                nominal,
                EntityKind.ADDRESS,
                f"{line}, {postcode}",
                postcode,
                LinkType.LIVES_AT,
                {"line1": line, "postcode": postcode},
            )
        if rng.random() < 0.15:
            address = f"{nominal.forenames}.{nominal.surname}{rng.randint(1, 99)}@example.com"
            add(n, nominal, EntityKind.EMAIL, address, identifiers.email(address), LinkType.USES)
    Entity.objects.bulk_create(entities, batch_size=2000)
    EntityLink.objects.bulk_create(
        [
            EntityLink(entity_id=entities[e].pk, nominal_id=nominals[n].pk, link_type=link)
            for e, n, link in links
        ],
        batch_size=5000,
    )
    return len(entities)


def _priority_individuals(
    world: DemoWorld,
    ocgs: list[Ocg],
    nominals: list[Nominal],
    memberships: list[tuple[int, int, str]],
    reference: Callable[[str, Organisation], str],
) -> list[PriorityIndividual]:
    """Principals and significant members designated priority individuals by the owning
    force, or (for about one in six) by the region's ROCU."""
    rng = world.rng
    today = timezone.localdate()
    rocus = {o.region_id: o for o in Organisation.objects.filter(kind=OrganisationKind.ROCU)}
    candidates = [m for m in memberships if m[2] != MemberRole.PERIPHERAL]
    rng.shuffle(candidates)
    chosen = sorted(candidates[: world.scale.priority_individuals], key=lambda m: m[1])
    pis: list[PriorityIndividual] = []
    linked: list[Ocg] = []
    for ocg_index, nominal_index, _role in world.track(chosen, total=len(chosen), desc="PIs"):
        ocg, nominal = ocgs[ocg_index], nominals[nominal_index]
        owner = ocg.owner
        if rng.random() < 0.16 and owner.region_id in rocus:
            owner = rocus[owner.region_id]
        pi = PriorityIndividual(
            owner=owner,
            reference=reference("PI", owner),
            nominal=nominal,
            name=nominal.full_name,
            classification=ocg.classification,
            sensitive=ocg.sensitive,
            summary=rng.choice(PI_REASONS),
            # Designated once the group it belongs to was on the register.
            designated_on=today - dt.timedelta(days=rng.randint(0, (today - ocg.mapped_on).days)),
        )
        pis.append(pi)
        linked.append(ocg)
    PriorityIndividual.objects.bulk_create(pis, batch_size=1000)
    through = PriorityIndividual.ocgs.through
    through.objects.bulk_create(
        [
            through(priorityindividual_id=p.pk, ocg_id=o.pk)
            for p, o in zip(pis, linked, strict=True)
        ],
        batch_size=5000,
    )
    return pis


def _vulnerabilities(
    world: DemoWorld, ocgs: list[Ocg], reference: Callable[[str, Organisation], str]
) -> list[Vulnerability]:
    """People, places, communities, businesses and themes at risk from the groups."""
    rng = world.rng
    today = timezone.localdate()
    total = max(1, world.scale.priority_individuals // 2)
    items: list[Vulnerability] = []
    links: list[tuple[int, list[Ocg]]] = []
    for ocg in world.track(rng.sample(ocgs, k=min(total, len(ocgs))), total=total, desc="vulns"):
        kind, template = rng.choice(VULNERABILITY_TEMPLATES)
        town = rng.choice(demo_places.towns_of(ocg.owner.code))
        items.append(
            Vulnerability(
                owner=ocg.owner,
                reference=reference("VUL", ocg.owner),
                kind=kind,
                name=template.format(street=rng.choice(demo_places.STREETS), town=town),
                classification=ocg.classification,
                sensitive=ocg.sensitive,
                summary=VULNERABILITY_SUMMARIES[kind].format(town=town, group=ocg.name),
                identified_on=today
                - dt.timedelta(days=rng.randint(0, (today - ocg.mapped_on).days)),
            )
        )
        links.append((len(items) - 1, [ocg]))
    Vulnerability.objects.bulk_create(items, batch_size=1000)
    ocg_through = Vulnerability.ocgs.through
    ocg_through.objects.bulk_create(
        [
            ocg_through(vulnerability_id=items[i].pk, ocg_id=o.pk)
            for i, linked in links
            for o in linked
        ],
        batch_size=5000,
    )
    area_through = Vulnerability.force_areas.through
    area_through.objects.bulk_create(
        [
            area_through(vulnerability_id=v.pk, organisation_id=v.owner_id)
            for v in items
            if v.owner.kind == OrganisationKind.FORCE
        ],
        batch_size=5000,
    )
    return items


PI_REASONS = [
    "Controls supply into the force area; linked to serious violence.",
    "Launders proceeds for several groups through cash businesses.",
    "Recruits and exploits children to run county lines.",
    "Facilitates organised immigration crime through the ports.",
    "Supplies firearms to urban street gangs.",
]
VULNERABILITY_TEMPLATES = [
    ("place", "Cuckooed flats, {street}, {town}"),
    ("person", "Young person exploited to run drugs ({town})"),
    ("community", "Migrant workers in {town} at risk of labour exploitation"),
    ("business", "Hand car wash on {street}, {town}, used for laundering"),
    ("theme", "County lines exploitation of children in {town}"),
    ("place", "Night-time economy around {street}, {town}"),
]
VULNERABILITY_SUMMARIES = {
    "place": "Addresses in {town} used to store and sell drugs; neighbours report visitors at "
    "all hours (linked group: {group}).",
    "person": "A young person from {town} found carrying drugs and cash; referred to "
    "children's services (linked group: {group}).",
    "community": "Workers housed in overcrowded lets in {town} by people linked to a group "
    "({group}).",
    "business": "A cash business in {town} believed to launder proceeds (linked group: {group}).",
    "theme": "Children in {town} recruited through social media to run drugs (linked group: "
    "{group}).",
}


def reset() -> None:
    Share.objects.filter(content_type__app_label="threats").delete()
    EntityLink.objects.all().delete()
    Entity.objects.all().delete()
    PriorityIndividual.objects.all().delete()
    Vulnerability.objects.all().delete()
    OcgMember.objects.all().delete()
    Ocg.objects.all().delete()
    Nominal.objects.all().delete()
    ReferenceCounter.objects.all().delete()


STEP = SeedStep(
    name="threats", order=20, run=seed, reset=reset, loaded=lambda: Ocg.objects.exists()
)
