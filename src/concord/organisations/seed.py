"""Demo world: the named sign-ins, teams, and synthetic staff for every organisation."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils import timezone

from concord.core.seeding import DEMO_PASSWORD, DemoWorld, SeedStep
from concord.organisations.choices import OrganisationKind, PartnerType
from concord.organisations.models import ApiToken, Organisation, Role, Secondment, Team, User

# Organisations the demo adds beside the reference data (local authorities are per install).
DEMO_ORGANISATIONS = [
    ("MCC", "Manchester City Council", "Cyngor Dinas Manceinion", "north-west"),
    ("CCC", "Carmarthenshire County Council", "Cyngor Sir Gâr", "southern-wales"),
]

TEAMS = {
    OrganisationKind.FORCE: [
        "Force Intelligence Bureau",
        "Serious and Organised Crime Team",
        "Professional Standards Department",
    ],
    OrganisationKind.ROCU: [
        "Regional Intelligence Unit",
        "ROCTA",
        "Regional Task Force",
        "Confidential Unit",
    ],
    OrganisationKind.NATIONAL: ["National Tasking", "Anti-Corruption Unit", "Intelligence Hub"],
    OrganisationKind.PARTNER: ["SOC Partnership Team"],
}

# (username, first, last, organisation, roles, vetting, job title, team)
PERSONAS = [
    ("dp.lro", "Carys", "Morgan", "DYP", ["lro"], "NPPV3", "Chief Inspector", None),
    # A new LRO, mentored by dp.lro; and the force's SOC lead, who paired them (issue 16).
    ("dp.newlro", "Owain", "Pritchard", "DYP", ["lro"], "NPPV3", "Chief Inspector", None),
    ("dp.soclead", "Sian", "Llywelyn", "DYP", ["chief_officer"], "SC", "Superintendent", None),
    (
        "dp.sio",
        "Rhys",
        "Davies",
        "DYP",
        ["sio"],
        "NPPV3",
        "Detective Chief Inspector",
        "Serious and Organised Crime Team",
    ),
    (
        "dp.analyst",
        "Ffion",
        "Evans",
        "DYP",
        ["analyst"],
        "NPPV3",
        "Intelligence Analyst",
        "Force Intelligence Bureau",
    ),
    (
        "tarian.sio",
        "Gareth",
        "Price",
        "TARIAN",
        ["sio"],
        "SC",
        "Detective Superintendent",
        "Regional Task Force",
    ),
    (
        "tarian.chair",
        "Elin",
        "Jones",
        "TARIAN",
        ["tasking_chair", "chief_officer"],
        "SC",
        "Assistant Chief Constable",
        None,
    ),
    (
        "gmp.sio",
        "Daniel",
        "Walsh",
        "GMP",
        ["sio"],
        "NPPV3",
        "Detective Chief Inspector",
        "Serious and Organised Crime Team",
    ),
    ("gmp.lro", "Priya", "Shah", "GMP", ["lro"], "NPPV3", "Chief Inspector", None),
    (
        "nwrocu.sio",
        "Liam",
        "O'Connor",
        "NWROCU",
        ["sio"],
        "SC",
        "Detective Superintendent",
        "Regional Task Force",
    ),
    (
        "nwrocu.chair",
        "Helen",
        "Whitworth",
        "NWROCU",
        ["tasking_chair", "chief_officer"],
        "SC",
        "Assistant Chief Constable",
        None,
    ),
    (
        "wilts.analyst",
        "Tom",
        "Hargreaves",
        "WIL",
        ["analyst"],
        "NPPV3",
        "Intelligence Analyst",
        "Force Intelligence Bureau",
    ),
    (
        "swrocu.triage",
        "Kerenza",
        "Trevithick",
        "SWROCU",
        ["analyst", "intelligence_officer"],
        "SC",
        "Intelligence Analyst",
        "Regional Intelligence Unit",
    ),
    (
        "nca.tasking",
        "Amara",
        "Okafor",
        "NCA",
        ["tasking_chair"],
        "SC",
        "National Tasking Lead",
        "National Tasking",
    ),
    (
        "nca.watchdesk",
        "Owen",
        "Pritchard",
        "NCA",
        ["watch_desk"],
        "SC",
        "Deconfliction Watch Desk Officer",
        None,
    ),
    (
        "bf.partner",
        "Sam",
        "Fletcher",
        "BF",
        ["partner_user"],
        "NPPV2",
        "Border Force Officer",
        "SOC Partnership Team",
    ),
    (
        "mcc.partner",
        "Joanne",
        "Kerr",
        "MCC",
        ["partner_user"],
        "NPPV2",
        "Complex Safeguarding Manager",
        "SOC Partnership Team",
    ),
    (
        "psd.auditor",
        "Margaret",
        "Holloway",
        "NCA",
        ["auditor"],
        "DV",
        "Counter-Corruption Auditor",
        "Anti-Corruption Unit",
    ),
    (
        "admin",
        "Concord",
        "Administrator",
        "NCA",
        ["administrator"],
        "SC",
        "Service Administrator",
        None,
    ),
]

PERSONA_USERNAMES = [p[0] for p in PERSONAS]

STAFF_ROLES = {
    OrganisationKind.FORCE: [
        ("analyst", 5),
        ("intelligence_officer", 5),
        ("sio", 2),
        ("lro", 3),
        ("sro", 1),
        ("chief_officer", 1),
        ("auditor", 1),
    ],
    OrganisationKind.ROCU: [
        ("analyst", 5),
        ("intelligence_officer", 5),
        ("sio", 3),
        ("lro", 1),
        ("sro", 1),
        ("tasking_chair", 1),
        ("auditor", 1),
    ],
    OrganisationKind.NATIONAL: [
        ("analyst", 6),
        ("intelligence_officer", 6),
        ("sio", 2),
        ("tasking_chair", 1),
        ("auditor", 1),
    ],
    OrganisationKind.PARTNER: [("partner_user", 1)],
}

# The first staff of each force and ROCU hold these roles, whatever the scale.
FIRST_ROLES = {
    OrganisationKind.FORCE: ["sro", "chief_officer"],
    OrganisationKind.ROCU: ["sro", "analyst"],
}

VETTING_FOR = {
    OrganisationKind.FORCE: ["NPPV2", "NPPV3", "NPPV3", "SC"],
    OrganisationKind.ROCU: ["NPPV3", "SC", "SC", "DV"],
    OrganisationKind.NATIONAL: ["SC", "SC", "DV"],
    OrganisationKind.PARTNER: ["NPPV1", "NPPV2"],
}

# Demo "today" is the real today, so vetting dates stay current in a long-lived demo.
EXPIRED_SHARE = 0.02


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def seed(world: DemoWorld) -> None:
    """Create the demo organisations, teams, personas and synthetic staff."""
    today = timezone.localdate()
    regions = {
        o.region.code: o.region for o in Organisation.objects.select_related("region") if o.region
    }
    for code, name, name_cy, region in DEMO_ORGANISATIONS:
        Organisation.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_cy": name_cy,
                "kind": OrganisationKind.PARTNER,
                "partner_type": PartnerType.LOCAL_AUTHORITY,
                "region": regions[region],
            },
        )
    organisations = list(Organisation.objects.filter(is_active=True).order_by("code"))
    by_code = {o.code: o for o in organisations}
    roles = {r.code: r for r in Role.objects.all()}

    teams: dict[tuple[str, str], Team] = {}
    new_teams = [
        Team(organisation=o, name=name)
        for o in organisations
        for name in TEAMS[OrganisationKind(o.kind)]
    ]
    for team in Team.objects.bulk_create(new_teams):
        teams[(team.organisation.code, team.name)] = team
    world.count("teams", len(new_teams))

    # One hash for every demo account: hashing 3,000 passwords would take minutes, and a
    # salt from the seed keeps the same seed giving the same rows. The salt is long enough
    # (22 characters and more) that Django does not hash it again at the first sign-in,
    # which, two first sign-ins of one person at once, signed one of them out.
    password = make_password(DEMO_PASSWORD, salt=f"concorddemoworldseed{world.seed}".ljust(24, "x"))
    people: list[User] = []
    person_roles: list[tuple[int, str]] = []
    person_teams: list[tuple[int, Team]] = []

    def expiry(rng_days: int) -> dt.date:
        return today + dt.timedelta(days=rng_days)

    for username, first, last, code, role_codes, vetting, title, team_name in PERSONAS:
        person = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.concord.invalid",
            organisation=by_code[code],
            job_title=title,
            vetting_level=vetting,
            vetting_expires=expiry(3 * 365),
            password=password,
            is_staff=username == "admin",
            is_superuser=username == "admin",
        )
        people.append(person)
        person_roles.extend((len(people) - 1, r) for r in role_codes)
        if team_name:
            person_teams.append((len(people) - 1, teams[(code, team_name)]))

    scale = world.scale
    per_kind = {
        OrganisationKind.FORCE: scale.staff_per_force,
        OrganisationKind.ROCU: scale.staff_per_rocu,
        OrganisationKind.NATIONAL: scale.staff_per_national,
        OrganisationKind.PARTNER: scale.staff_per_partner,
    }
    rng, fake = world.rng, world.fake
    usernames = set(PERSONA_USERNAMES)
    anchored = set(PERSONA_USERNAMES)  # never seconded away
    for organisation in world.track(organisations, total=len(organisations), desc="staff"):
        kind = OrganisationKind(organisation.kind)
        weighted = [code for code, weight in STAFF_ROLES[kind] for _ in range(weight)]
        org_teams = [teams[(organisation.code, name)] for name in TEAMS[kind]]
        for position in range(per_kind[kind]):
            first, last = fake.first_name(), fake.last_name()
            base = f"{organisation.code.lower()}.{_ascii(first)}.{_ascii(last)}"
            username, n = base, 1
            while username in usernames:
                n += 1
                username = f"{base}{n}"
            usernames.add(username)
            first_roles = FIRST_ROLES.get(kind, [])
            expired = rng.random() < EXPIRED_SHARE and position >= len(first_roles)
            days = -rng.randint(1, 200) if expired else rng.randint(30, 5 * 365)
            people.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@demo.concord.invalid",
                    organisation=organisation,
                    job_title=fake.job()[:120] if kind == OrganisationKind.PARTNER else "",
                    vetting_level=rng.choice(VETTING_FOR[kind]),
                    vetting_expires=expiry(days),
                    password=password,
                )
            )
            index = len(people) - 1
            # Every force and ROCU has someone to approve releases and decide requests.
            role = first_roles[position] if position < len(first_roles) else rng.choice(weighted)
            if position < len(first_roles):
                anchored.add(username)
            person_roles.append((index, role))
            person_teams.append((index, rng.choice(org_teams)))

    User.objects.bulk_create(people, batch_size=1000)
    saved = {u.username: u for u in User.objects.filter(username__in=[p.username for p in people])}
    role_links = [
        User.roles.through(user_id=saved[people[i].username].pk, role_id=roles[c].pk)
        for i, c in person_roles
    ]
    User.roles.through.objects.bulk_create(role_links, batch_size=2000, ignore_conflicts=True)
    team_links = [
        User.teams.through(user_id=saved[people[i].username].pk, team_id=t.pk)
        for i, t in person_teams
    ]
    User.teams.through.objects.bulk_create(team_links, batch_size=2000, ignore_conflicts=True)

    # ROCU officers are commonly seconded from their region's forces; never a persona, who
    # must work as the README says (dp.lro is Dyfed-Powys's LRO, not Tarian's).
    secondments = []
    rocus = [o for o in organisations if o.kind == OrganisationKind.ROCU]
    for rocu in rocus:
        forces = [
            o
            for o in organisations
            if o.kind == OrganisationKind.FORCE and o.region_id == rocu.region_id
        ]
        force_ids = {f.pk for f in forces}
        staff = [u for u in people if u.organisation_id in force_ids and u.username not in anchored]
        for person in rng.sample(staff, k=min(len(staff), max(1, len(staff) // 10))):
            start = today - dt.timedelta(days=rng.randint(30, 700))
            secondments.append(
                Secondment(
                    person=saved[person.username],
                    organisation=rocu,
                    starts=start,
                    ends=start + dt.timedelta(days=rng.choice([365, 730, 1095])),
                    reason="Regional secondment",
                )
            )
    Secondment.objects.bulk_create(secondments)
    world.count("people", len(people))
    world.count("secondments", len(secondments))
    world.refs["personas"] = {name: saved[name] for name in PERSONA_USERNAMES}
    world.refs["organisations"] = by_code


def reset() -> None:
    """Remove everything the demo step made, leaving the reference data."""
    ApiToken.objects.all().delete()
    Secondment.objects.all().delete()
    User.objects.all().delete()
    Team.objects.all().delete()
    Organisation.objects.filter(code__in=[c for c, *_ in DEMO_ORGANISATIONS]).delete()


def loaded() -> bool:
    return User.objects.filter(Q(username="dp.lro") | Q(username="admin")).exists()


STEP = SeedStep(name="organisations", order=10, run=seed, reset=reset, loaded=loaded)
