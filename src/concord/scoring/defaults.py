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
