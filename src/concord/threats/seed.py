"""Demo world: OCGs and their members for every force, more for the scenario forces; priority
individuals and vulnerabilities linked to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from concord.core.choices import Classification, OrganisationKind
from concord.core.models import Share
from concord.core.seeding import DemoWorld, SeedStep
from concord.core.text import normalise_name
from concord.organisations.models import Organisation
from concord.threats import identifiers
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
GROUP_WORDS = [
    "Valley",
    "Harbour",
    "Northgate",
    "Riverside",
    "Castle",
    "Eastside",
    "Viaduct",
    "Foundry",
    "Quarry",
    "Marina",
    "Orchard",
    "Beacon",
    "Copper",
    "Granite",
    "Lantern",
    "Mill",
    "Station",
    "Summit",
    "Tidal",
    "Willow",
]
OPERATION_WORDS = [
    "Aconite",
    "Bramble",
    "Cinder",
    "Dunlin",
    "Ember",
    "Fennel",
    "Gannet",
    "Heron",
    "Ivy",
    "Juniper",
    "Kestrel",
    "Larch",
    "Merlin",
    "Nettle",
    "Osprey",
    "Plover",
    "Quill",
    "Rowan",
    "Sorrel",
    "Teal",
    "Umber",
    "Vetch",
    "Wren",
]
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


def seed(world: DemoWorld) -> None:
    rng, fake = world.rng, world.fake
    today = timezone.localdate()
    forces = list(Organisation.objects.filter(kind=OrganisationKind.FORCE).order_by("code"))
    weights = [WEIGHTED_FORCES.get(f.code, 1) for f in forces]
    types = list(CriminalityType.objects.all())
    by_code = {t.code: t for t in types}
    total = world.scale.ocgs
    owners = rng.choices(forces, weights=weights, k=total)
    counters: dict[tuple[str, int], int] = {}

    def reference(prefix: str, org: Organisation) -> str:
        key = (prefix, org.pk)
        counters[key] = counters.get(key, 0) + 1
        return f"{prefix}-{org.code}-{counters[key]:06d}"

    ocgs: list[Ocg] = []
    for owner in world.track(owners, total=total, desc="OCGs"):
        name = (
            f"Operation {rng.choice(OPERATION_WORDS)}"
            if rng.random() < 0.5
            else f"{rng.choice(GROUP_WORDS)} {fake.last_name()} OCG"
        )
        ocgs.append(
            Ocg(
                owner=owner,
                reference=reference("OCG", owner),
                name=name,
                classification=Classification.SECRET
                if rng.random() < 0.08
                else Classification.OFFICIAL,
                sensitive=rng.random() < 0.1,
                summary=fake.paragraph(nb_sentences=3),
                mapped_on=today - dt.timedelta(days=rng.randint(0, 900)),
            )
        )
    Ocg.objects.bulk_create(ocgs, batch_size=1000)
    through = Ocg.criminality_types.through
    through.objects.bulk_create(
        [
            through(ocg_id=o.pk, criminalitytype_id=t.pk)
            for o in ocgs
            for t in rng.sample(types, k=rng.choice([1, 1, 2, 3]))
        ],
        batch_size=5000,
    )
    areas = Ocg.force_areas.through
    area_rows = []
    for o in ocgs:
        neighbours = [f for f in forces if f.region_id == o.owner.region_id]
        for force in {o.owner, *rng.sample(neighbours, k=min(len(neighbours), rng.randint(0, 2)))}:
            area_rows.append(areas(ocg_id=o.pk, organisation_id=force.pk))
    areas.objects.bulk_create(area_rows, batch_size=5000)

    # Nominals: members of OCGs, about ten a group at national scale.
    per_group = max(1, world.scale.nominals // max(1, total))
    nominals: list[Nominal] = []
    memberships: list[tuple[int, int, str]] = []
    for index, ocg in enumerate(world.track(ocgs, total=len(ocgs), desc="members")):
        for position in range(rng.randint(max(1, per_group - 3), per_group + 3)):
            gender = rng.choice([Gender.MALE] * 4 + [Gender.FEMALE])
            forenames = (
                fake.first_name_male() if gender == Gender.MALE else fake.first_name_female()
            )
            surname = fake.last_name()
            nominals.append(
                Nominal(
                    owner=ocg.owner,
                    classification=ocg.classification,
                    sensitive=ocg.sensitive,
                    reference=reference("NOM", ocg.owner),
                    forenames=forenames,
                    surname=surname,
                    date_of_birth=today - dt.timedelta(days=rng.randint(17 * 365, 65 * 365)),
                    gender=gender,
                    nationality=rng.choice(NATIONALITIES),
                    name_key=normalise_name(f"{forenames} {surname}"),
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

    # The scenarios: a Dyfed-Powys county lines group, shared with Wiltshire Police.
    personas = world.refs.get("personas", {})
    dyp = Organisation.objects.get(code="DYP")
    wil = Organisation.objects.get(code="WIL")
    shared = next(
        o
        for o in ocgs
        if o.owner_id == dyp.pk and not o.sensitive and o.classification == Classification.OFFICIAL
    )
    Ocg.objects.filter(pk=shared.pk).update(name="Operation Tarmac (county lines, M4 corridor)")
    shared.criminality_types.add(by_code["illegal-drugs"])
    shared.force_areas.add(wil)
    if "dp.analyst" in personas:
        Share.objects.create(
            content_type=ContentType.objects.get_for_model(Ocg),
            object_id=shared.pk,
            to_organisation=wil,
            purpose="County lines supply into Swindon and Chippenham",
            created_by=personas["dp.analyst"],
        )
    world.count("OCGs", len(ocgs))
    world.count("nominals", len(nominals))
    world.count("identifiers", identifiers_made)
    world.count("priority individuals", len(pis))
    world.count("vulnerabilities", len(vulnerabilities))
    world.refs["ocgs"] = ocgs
    world.refs["register_items"] = [*ocgs, *pis, *vulnerabilities]


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
            try:
                postcode = identifiers.postcode(fake.postcode())
            except ValueError:
                continue
            line = fake.street_address().replace("\n", ", ")
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
            designated_on=today - dt.timedelta(days=rng.randint(0, 700)),
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
    rng, fake = world.rng, world.fake
    today = timezone.localdate()
    total = max(1, world.scale.priority_individuals // 2)
    items: list[Vulnerability] = []
    links: list[tuple[int, list[Ocg]]] = []
    for ocg in world.track(rng.sample(ocgs, k=min(total, len(ocgs))), total=total, desc="vulns"):
        kind, template = rng.choice(VULNERABILITY_TEMPLATES)
        items.append(
            Vulnerability(
                owner=ocg.owner,
                reference=reference("VUL", ocg.owner),
                kind=kind,
                name=template.format(street=fake.street_name(), town=fake.city()),
                classification=ocg.classification,
                sensitive=ocg.sensitive,
                summary=fake.paragraph(nb_sentences=2),
                identified_on=today - dt.timedelta(days=rng.randint(0, 500)),
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
    ("place", "Cuckooed flats, {street}"),
    ("person", "Young person exploited to run drugs ({town})"),
    ("community", "Migrant workers in {town} at risk of labour exploitation"),
    ("business", "Hand car wash on {street} used for laundering"),
    ("theme", "County lines exploitation of children in {town}"),
    ("place", "Night-time economy around {street}"),
]


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
