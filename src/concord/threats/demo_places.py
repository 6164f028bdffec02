"""Demo world: the towns of each force area, so a group, a vulnerability or a report about a
force's area names places in it (Dyfed-Powys in Carmarthen and Llanelli, Greater Manchester in
Salford and Oldham), and the words that make a group's name."""

from __future__ import annotations

import random

# The main towns of each of the 43 forces of England and Wales (by force code).
TOWNS: dict[str, list[str]] = {
    "ASP": ["Bristol", "Bath", "Weston-super-Mare", "Taunton", "Yeovil", "Bridgwater"],
    "BED": ["Luton", "Bedford", "Dunstable", "Leighton Buzzard", "Biggleswade"],
    "CAM": ["Cambridge", "Peterborough", "Wisbech", "Huntingdon", "March", "Ely"],
    "CHE": ["Chester", "Warrington", "Crewe", "Macclesfield", "Widnes", "Ellesmere Port"],
    "CLE": ["Middlesbrough", "Hartlepool", "Stockton-on-Tees", "Redcar", "Thornaby"],
    "COL": ["the City of London", "Bishopsgate", "Smithfield", "Moorgate"],
    "CUM": ["Carlisle", "Barrow-in-Furness", "Workington", "Whitehaven", "Kendal", "Penrith"],
    "DCP": ["Plymouth", "Exeter", "Torquay", "Truro", "Barnstaple", "Camborne", "Newquay"],
    "DER": ["Derby", "Chesterfield", "Ilkeston", "Swadlincote", "Buxton", "Long Eaton"],
    "DOR": ["Bournemouth", "Poole", "Weymouth", "Dorchester", "Christchurch"],
    "DUR": ["Durham", "Darlington", "Peterlee", "Consett", "Bishop Auckland", "Newton Aycliffe"],
    "DYP": [
        "Carmarthen",
        "Llanelli",
        "Aberystwyth",
        "Haverfordwest",
        "Pembroke Dock",
        "Newtown",
        "Ammanford",
        "Brecon",
        "Milford Haven",
        "Llandrindod Wells",
    ],
    "ESX": ["Southend-on-Sea", "Chelmsford", "Basildon", "Colchester", "Harlow", "Clacton"],
    "GLO": ["Gloucester", "Cheltenham", "Stroud", "Tewkesbury", "Cinderford"],
    "GMP": [
        "Manchester",
        "Salford",
        "Oldham",
        "Bolton",
        "Rochdale",
        "Stockport",
        "Wigan",
        "Bury",
        "Tameside",
        "Trafford",
    ],
    "GWE": ["Newport", "Cwmbran", "Pontypool", "Ebbw Vale", "Caerphilly", "Abergavenny"],
    "HAM": ["Southampton", "Portsmouth", "Basingstoke", "Winchester", "Newport (Isle of Wight)"],
    "HRT": ["Watford", "Stevenage", "Hemel Hempstead", "St Albans", "Hatfield", "Hitchin"],
    "HUM": ["Hull", "Grimsby", "Scunthorpe", "Bridlington", "Goole", "Cleethorpes"],
    "KNT": ["Maidstone", "Medway", "Canterbury", "Dover", "Folkestone", "Margate", "Dartford"],
    "LAN": ["Preston", "Blackpool", "Blackburn", "Burnley", "Lancaster", "Accrington"],
    "LEI": ["Leicester", "Loughborough", "Hinckley", "Melton Mowbray", "Coalville"],
    "LIN": ["Lincoln", "Boston", "Grantham", "Spalding", "Skegness", "Gainsborough"],
    "MER": ["Liverpool", "Birkenhead", "St Helens", "Bootle", "Kirkby", "Southport"],
    "MPS": ["Croydon", "Brixton", "Tottenham", "Hackney", "Lewisham", "Ealing", "Barking"],
    "NBR": ["Newcastle upon Tyne", "Sunderland", "Gateshead", "South Shields", "Blyth"],
    "NFK": ["Norwich", "Great Yarmouth", "King's Lynn", "Thetford", "Dereham"],
    "NOT": ["Nottingham", "Mansfield", "Worksop", "Newark", "Beeston", "Hucknall"],
    "NTH": ["Northampton", "Kettering", "Corby", "Wellingborough", "Daventry"],
    "NWP": ["Wrexham", "Bangor", "Rhyl", "Caernarfon", "Holyhead", "Colwyn Bay"],
    "NYP": ["York", "Scarborough", "Harrogate", "Selby", "Northallerton", "Whitby"],
    "SFK": ["Ipswich", "Lowestoft", "Bury St Edmunds", "Felixstowe", "Haverhill"],
    "SSX": ["Brighton", "Crawley", "Hastings", "Eastbourne", "Worthing", "Chichester"],
    "STA": ["Stoke-on-Trent", "Stafford", "Burton upon Trent", "Tamworth", "Cannock"],
    "SUR": ["Guildford", "Woking", "Staines", "Redhill", "Epsom", "Camberley"],
    "SWP": ["Cardiff", "Swansea", "Merthyr Tydfil", "Bridgend", "Port Talbot", "Barry"],
    "SYP": ["Sheffield", "Doncaster", "Rotherham", "Barnsley"],
    "TVP": ["Reading", "Oxford", "Slough", "Milton Keynes", "High Wycombe", "Aylesbury"],
    "WAR": ["Nuneaton", "Rugby", "Leamington Spa", "Warwick", "Stratford-upon-Avon"],
    "WIL": ["Swindon", "Chippenham", "Salisbury", "Trowbridge", "Devizes", "Melksham"],
    "WMC": ["Worcester", "Telford", "Shrewsbury", "Hereford", "Kidderminster", "Redditch"],
    "WMP": ["Birmingham", "Wolverhampton", "Coventry", "Walsall", "Dudley", "West Bromwich"],
    "WYP": ["Leeds", "Bradford", "Huddersfield", "Wakefield", "Halifax", "Dewsbury"],
}

STREETS = [
    "Station Road",
    "High Street",
    "Church Street",
    "Mill Lane",
    "Park Road",
    "Victoria Street",
    "Queen Street",
    "King Street",
    "New Road",
    "Market Street",
    "Bridge Street",
    "Water Street",
    "Albert Road",
    "Chapel Street",
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
    "Alder",
    "Bittern",
    "Curlew",
    "Damson",
    "Eider",
    "Foxglove",
    "Gorse",
    "Hazel",
    "Lapwing",
    "Mistral",
    "Nightjar",
    "Oriel",
    "Pimpernel",
    "Redshank",
    "Skylark",
    "Thistle",
    "Yarrow",
]
GROUP_PATTERNS = [
    "{surname} family",
    "{town} {surname} network",
    "{street} crew ({town})",
    "{surname}-{other} group",
]


def towns_of(force_code: str) -> list[str]:
    """The towns of a force area (a generic list for a code the table does not know)."""
    return TOWNS.get(force_code, ["the town centre", "the retail park", "the estate"])


def group_name(
    rng: random.Random, surname: str, other: str, force_code: str, taken: set[str]
) -> str:
    """A group's name not yet used by the force: an operation name or a name from its area."""
    for attempt in range(40):
        if attempt < 20 and rng.random() < 0.4:
            name = f"Operation {rng.choice(OPERATION_WORDS)}"
        else:
            name = rng.choice(GROUP_PATTERNS).format(
                surname=surname,
                other=other,
                town=rng.choice(towns_of(force_code)),
                street=rng.choice(STREETS),
            )
        if name not in taken:
            taken.add(name)
            return name
        surname, other = other, surname  # try the other way round before more draws
    n = len(taken)
    while (name := f"{surname} family ({rng.choice(towns_of(force_code))}) {n}") in taken:
        n += 1
    taken.add(name)
    return name


# What a group does, by its main criminality type: {town} and {other} are towns of its area.
SUMMARIES: dict[str, list[str]] = {
    "illegal-drugs": [
        "Runs a county line supplying crack cocaine and heroin into {town}, with runners "
        "travelling from {other} and addresses cuckooed near the station.",
        "Supplies cannabis grown in rented houses around {other} to dealers in {town}.",
        "Wholesales cocaine to street-level dealers across {town} and {other}; uses hire "
        "vans and a car wash as a cash front.",
    ],
    "illegal-firearms": [
        "Acquires converted pistols and supplies them to street groups in {town}; linked to "
        "two discharges in {other} this year.",
        "Stores firearms and ammunition for other groups at a farm unit outside {other}.",
    ],
    "modern-slavery": [
        "Moves workers between hand car washes in {town} and {other}, holding their "
        "documents and wages.",
        "Houses women in short-let flats in {town} and advertises them online.",
    ],
    "organised-immigration-crime": [
        "Arranges onward travel and work for people brought in through the ports, housing "
        "them in {town} before moving them to {other}.",
    ],
    "organised-acquisitive-crime": [
        "Steals high-value vehicles to order in {town} and strips them at a unit in {other}.",
        "Burgles rural properties around {other} for plant, quad bikes and tools.",
    ],
    "fraud": [
        "Runs courier fraud against older people in {town}, with collectors sent from {other}.",
        "Sets up companies in {town} to claim grants and loans, laundered through {other}.",
    ],
    "money-laundering": [
        "Launders cash for several groups through takeaways and barbers in {town} and {other}.",
        "Recruits money mules at gyms and colleges in {town}; accounts emptied in {other}.",
    ],
    "cyber-crime": [
        "Sells phishing kits and stolen card details from {town}; cashes out in {other}.",
    ],
    "child-sexual-abuse": [
        "Grooms children met online and at takeaways in {town}; victims taken to {other}.",
    ],
    "bribery-corruption-sanctions": [
        "Corrupts staff at a freight depot in {town} to move goods past checks into {other}.",
    ],
}
GENERIC_SUMMARY = (
    "Organised offending across {town} and {other}; the group uses local addresses and "
    "vehicles registered to associates."
)


def summary(rng: random.Random, criminality_code: str, force_code: str) -> str:
    """A one- or two-sentence account of a group in its own force area."""
    towns = towns_of(force_code)
    town = rng.choice(towns)
    other = rng.choice([t for t in towns if t != town] or towns)
    template = rng.choice(SUMMARIES.get(criminality_code, [GENERIC_SUMMARY]))
    return template.format(town=town, other=other)


# Postcode areas of the forces where the scenarios happen (others take Faker's postcodes).
POSTCODE_AREAS: dict[str, list[str]] = {
    "DYP": ["SA", "LD", "SY"],
    "GMP": ["M", "OL", "BL", "SK", "WN"],
    "WIL": ["SN", "SP", "BA"],
    "SWP": ["CF", "SA"],
    "GWE": ["NP"],
    "NWP": ["LL", "CH"],
    "MER": ["L", "CH", "WA"],
    "LAN": ["PR", "FY", "BB", "LA"],
    "CHE": ["CH", "CW", "WA", "SK"],
    "WMP": ["B", "WV", "CV", "WS", "DY"],
    "MPS": ["E", "N", "SE", "SW", "W", "CR", "IG"],
}
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def postcode(rng: random.Random, force_code: str) -> str | None:
    """A postcode-shaped string in the force's area, or None where the table has no area."""
    areas = POSTCODE_AREAS.get(force_code)
    if not areas:
        return None
    letters = "".join(rng.choice(POSTCODE_LETTERS) for _ in range(2))
    return f"{rng.choice(areas)}{rng.randint(1, 40)} {rng.randint(0, 9)}{letters}"
