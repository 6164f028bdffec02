"""The default MoRiLE-style model shipped with Concord (version 1).

The national OCGM and MoRiLE scales are not public. This model has their published shape (harm
in four kinds, geographic scope, victim vulnerability, likelihood on the PHIA yardstick, a
separate confidence, and the organisational position of capability, capacity and opportunity)
with Concord's own documented values. Forces replace it by publishing a new version.
"""

HARM = [
    ("None", 0, "No harm of this kind."),
    ("Minor", 1, "Limited, short-lived harm to few people."),
    ("Moderate", 2, "Real harm to some people or a community."),
    ("Substantial", 3, "Serious harm, or harm to many."),
    ("Severe", 4, "Life-changing or widespread harm, or loss of life."),
]

DIMENSIONS = [
    # code, name, Welsh name, group, guidance, [(label, value, guidance)]
    (
        "harm_physical",
        "Physical harm",
        "Niwed corfforol",
        "harm",
        "Violence, exploitation, injury or death caused by the group's activity.",
        HARM,
    ),
    (
        "harm_psychological",
        "Psychological harm",
        "Niwed seicolegol",
        "harm",
        "Fear, trauma and coercion experienced by victims and witnesses.",
        HARM,
    ),
    (
        "harm_financial",
        "Financial harm",
        "Niwed ariannol",
        "harm",
        "Losses to individuals, businesses and the public purse.",
        HARM,
    ),
    (
        "harm_community",
        "Community and environmental harm",
        "Niwed cymunedol ac amgylcheddol",
        "harm",
        "Damage to neighbourhoods, confidence in policing and the environment.",
        HARM,
    ),
    (
        "scope",
        "Geographic scope",
        "Cwmpas daearyddol",
        "scope",
        "How far the group's activity reaches.",
        [
            ("Local", 1, "One neighbourhood or town."),
            ("Force-wide", 2, "Across one force."),
            ("Regional", 3, "Across forces in a region."),
            ("National", 4, "Across regions."),
            ("International", 5, "Across borders."),
        ],
    ),
    (
        "vulnerability",
        "Victim vulnerability",
        "Bregusrwydd dioddefwyr",
        "vulnerability",
        "How vulnerable the victims are (children, exploited adults, the isolated).",
        [
            ("Not vulnerable", 1, ""),
            ("Some vulnerability", 2, ""),
            ("Vulnerable", 3, ""),
            ("Highly vulnerable", 4, "Children, trafficked or exploited people."),
        ],
    ),
    (
        "likelihood",
        "Likelihood",
        "Tebygolrwydd",
        "likelihood",
        "How likely the harm is in the next 12 months (the PHIA probability yardstick).",
        [
            ("Remote chance (0-5%)", 0.025, ""),
            ("Highly unlikely (10-20%)", 0.15, ""),
            ("Unlikely (25-35%)", 0.30, ""),
            ("Realistic possibility (40-50%)", 0.45, ""),
            ("Likely (55-75%)", 0.65, ""),
            ("Highly likely (80-90%)", 0.85, ""),
            ("Almost certain (95-100%)", 0.975, ""),
        ],
    ),
    (
        "confidence",
        "Confidence",
        "Hyder",
        "confidence",
        "Confidence in the intelligence behind this assessment.",
        [
            ("Low", 1, "Single or untested sources."),
            ("Medium", 2, "Some corroboration."),
            ("High", 3, "Well corroborated."),
        ],
    ),
    (
        "capability",
        "Capability to respond",
        "Gallu i ymateb",
        "position",
        "Do we have the specialist capability this response needs?",
        [("None", 1, ""), ("Limited", 2, ""), ("Adequate", 3, ""), ("Full", 4, "")],
    ),
    (
        "capacity",
        "Capacity to respond",
        "Capasiti i ymateb",
        "position",
        "Do we have the people and time?",
        [("None", 1, ""), ("Limited", 2, ""), ("Adequate", 3, ""), ("Full", 4, "")],
    ),
    (
        "opportunity",
        "Opportunity",
        "Cyfle",
        "position",
        "Is there a realistic opportunity to disrupt now?",
        [("None", 1, ""), ("Limited", 2, ""), ("Good", 3, ""), ("Excellent", 4, "")],
    ),
]

# Harm (0-16) scaled by reach and vulnerability, weighted by likelihood: 0 to 312.
RISK_FORMULA = (
    "(harm_physical + harm_psychological + harm_financial + harm_community)"
    " * scope * vulnerability * likelihood"
)
POSITION_FORMULA = "avg(capability, capacity, opportunity)"
RISK_BANDS = [{"band": "1", "min": 90}, {"band": "2", "min": 30}, {"band": "3", "min": 0}]
POSITION_BANDS = [{"letter": "A", "min": 3}, {"letter": "B", "min": 2}, {"letter": "C", "min": 0}]
LEVEL_FIT = {"1": ["region", "national"], "2": ["force", "region"], "3": ["force"]}
NAME = "MoRiLE-style"
DESCRIPTION = __doc__ or ""

DESCRIPTION_CY = (
    "Y model arddull MoRiLE diofyn a ddaw gyda Concord (fersiwn 1).\n\n"
    "Nid yw graddfeydd cenedlaethol OCGM a MoRiLE yn gyhoeddus. Mae gan y model hwn eu siâp "
    "cyhoeddedig (niwed o bedwar math, cwmpas daearyddol, bregusrwydd dioddefwyr, tebygolrwydd "
    "ar ffon fesur PHIA, hyder ar wahân, a safle'r sefydliad o ran gallu, capasiti a chyfle) "
    "gyda gwerthoedd dogfenedig Concord ei hun. Mae heddluoedd yn ei ddisodli drwy gyhoeddi "
    "fersiwn newydd."
)

# The Welsh of every label and guidance above, by its English (scoring/0006 copies them into
# the default model's *_cy fields; a model an administrator publishes carries its own).
WELSH = {
    # harm
    "None": "Dim",
    "No harm of this kind.": "Dim niwed o'r math hwn.",
    "Minor": "Bach",
    "Limited, short-lived harm to few people.": "Niwed cyfyngedig a byrhoedlog i ychydig o bobl.",
    "Moderate": "Cymedrol",
    "Real harm to some people or a community.": "Niwed gwirioneddol i rai pobl neu i gymuned.",
    "Substantial": "Sylweddol",
    "Serious harm, or harm to many.": "Niwed difrifol, neu niwed i lawer.",
    "Severe": "Difrifol iawn",
    "Life-changing or widespread harm, or loss of life.": (
        "Niwed sy'n newid bywydau neu niwed eang, neu golli bywyd."
    ),
    "Violence, exploitation, injury or death caused by the group's activity.": (
        "Trais, camfanteisio, anaf neu farwolaeth a achosir gan weithgarwch y grŵp."
    ),
    "Fear, trauma and coercion experienced by victims and witnesses.": (
        "Ofn, trawma a gorfodaeth a brofir gan ddioddefwyr a thystion."
    ),
    "Losses to individuals, businesses and the public purse.": (
        "Colledion i unigolion, i fusnesau ac i'r pwrs cyhoeddus."
    ),
    "Damage to neighbourhoods, confidence in policing and the environment.": (
        "Difrod i gymdogaethau, i hyder mewn plismona ac i'r amgylchedd."
    ),
    # scope
    "How far the group's activity reaches.": "Pa mor bell y mae gweithgarwch y grŵp yn cyrraedd.",
    "Local": "Lleol",
    "One neighbourhood or town.": "Un gymdogaeth neu dref.",
    "Force-wide": "Ar draws yr heddlu",
    "Across one force.": "Ar draws un heddlu.",
    "Regional": "Rhanbarthol",
    "Across forces in a region.": "Ar draws heddluoedd mewn rhanbarth.",
    "National": "Cenedlaethol",
    "Across regions.": "Ar draws rhanbarthau.",
    "International": "Rhyngwladol",
    "Across borders.": "Dros ffiniau.",
    # vulnerability
    "How vulnerable the victims are (children, exploited adults, the isolated).": (
        "Pa mor fregus yw'r dioddefwyr (plant, oedolion y camfanteisir arnynt, pobl ynysig)."
    ),
    "Not vulnerable": "Ddim yn fregus",
    "Some vulnerability": "Rhywfaint o fregusrwydd",
    "Vulnerable": "Bregus",
    "Highly vulnerable": "Bregus iawn",
    "Children, trafficked or exploited people.": (
        "Plant, a phobl a fasnachwyd neu y camfanteisiwyd arnynt."
    ),
    # likelihood
    "How likely the harm is in the next 12 months (the PHIA probability yardstick).": (
        "Pa mor debygol yw'r niwed yn ystod y 12 mis nesaf (ffon fesur tebygolrwydd PHIA)."
    ),
    "Remote chance (0-5%)": "Siawns fach iawn (0-5%)",
    "Highly unlikely (10-20%)": "Annhebygol iawn (10-20%)",
    "Unlikely (25-35%)": "Annhebygol (25-35%)",
    "Realistic possibility (40-50%)": "Posibilrwydd realistig (40-50%)",
    "Likely (55-75%)": "Tebygol (55-75%)",
    "Highly likely (80-90%)": "Tebygol iawn (80-90%)",
    "Almost certain (95-100%)": "Bron yn sicr (95-100%)",
    # confidence
    "Confidence in the intelligence behind this assessment.": (
        "Hyder yn y wybodaeth sydd y tu ôl i'r asesiad hwn."
    ),
    "Low": "Isel",
    "Single or untested sources.": "Un ffynhonnell, neu ffynonellau heb eu profi.",
    "Medium": "Canolig",
    "Some corroboration.": "Rhywfaint o gadarnhad.",
    "High": "Uchel",
    "Well corroborated.": "Wedi'i gadarnhau'n dda.",
    # position
    "Do we have the specialist capability this response needs?": (
        "Oes gennym y gallu arbenigol sydd ei angen ar yr ymateb hwn?"
    ),
    "Do we have the people and time?": "Oes gennym y bobl a'r amser?",
    "Is there a realistic opportunity to disrupt now?": "Oes cyfle realistig i darfu nawr?",
    "Limited": "Cyfyngedig",
    "Adequate": "Digonol",
    "Full": "Llawn",
    "Good": "Da",
    "Excellent": "Rhagorol",
}
