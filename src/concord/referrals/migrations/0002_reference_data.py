"""Reference data: which unit receives referrals for each postcode area, the priority each
category starts at, the response time of each priority, and contact desks for pointers.

The data lives here, not in a module, so this migration means the same thing forever. Every row
is editable afterwards (Django admin): routes, priorities and response times are data.
"""

from django.db import migrations

# Postcode areas by the force whose area they (mostly) lie in; a force's referrals go to its
# region's ROCU (London's forces receive their own).
AREAS = {
    "DCP": ["EX", "PL", "TQ", "TR"],
    "ASP": ["BA", "BS", "TA"],
    "DOR": ["BH", "DT"],
    "GLO": ["GL"],
    "WIL": ["SN", "SP"],
    "DYP": ["SA", "LD"],
    "SWP": ["CF"],
    "GWE": ["NP"],
    "NWP": ["LL"],
    "GMP": ["M", "BL", "OL", "SK", "WN"],
    "MER": ["L"],
    "LAN": ["PR", "BB", "FY", "LA"],
    "CHE": ["CH", "CW", "WA"],
    "CUM": ["CA"],
    "NBR": ["NE", "SR"],
    "DUR": ["DH", "DL"],
    "CLE": ["TS"],
    "WYP": ["LS", "BD", "HX", "HD", "WF"],
    "SYP": ["S", "DN"],
    "NYP": ["YO", "HG"],
    "HUM": ["HU"],
    "DER": ["DE"],
    "NOT": ["NG"],
    "LEI": ["LE"],
    "LIN": ["LN", "PE"],
    "NTH": ["NN"],
    "WMP": ["B", "CV", "WS", "WV", "DY"],
    "STA": ["ST"],
    "WMC": ["WR", "HR", "TF", "SY"],
    "WAR": [],
    "BED": ["LU", "MK"],
    "CAM": ["CB"],
    "ESX": ["CM", "CO", "SS"],
    "HRT": ["AL", "HP", "SG", "WD", "EN"],
    "KNT": ["CT", "ME", "TN", "DA", "BR"],
    "NFK": ["NR"],
    "SFK": ["IP"],
    "HAM": ["SO", "PO"],
    "SUR": ["GU", "KT", "RH"],
    "SSX": ["BN"],
    "TVP": ["OX", "RG", "SL"],
    "MPS": ["E", "EC", "N", "NW", "SE", "SW", "W", "WC", "CR", "HA", "IG", "RM", "SM", "TW", "UB"],
}

PRIORITIES = {
    "firearms": "p1",
    "child_abuse": "p1",
    "imitation_firearm": "p2",
    "people": "p2",
    "weapons": "p2",
    "drugs": "p3",
    "cash": "p3",
    "fraud": "p3",
    "other": "p4",
}
HOURS = {"p1": 24, "p2": 72, "p3": 240, "p4": 480}


def load(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    ReferralRoute = apps.get_model("referrals", "ReferralRoute")
    PriorityRule = apps.get_model("referrals", "PriorityRule")
    ResponseTime = apps.get_model("referrals", "ResponseTime")
    ContactDesk = apps.get_model("referrals", "ContactDesk")
    rocus = {o.region_id: o for o in Organisation.objects.filter(kind="rocu")}
    for force_code, areas in AREAS.items():
        force = Organisation.objects.filter(code=force_code).first()
        if force is None:
            continue
        unit = rocus.get(force.region_id, force)
        for area in areas:
            ReferralRoute.objects.update_or_create(
                postcode_area=area, defaults={"receiving_unit": unit}
            )
    for category, priority in PRIORITIES.items():
        PriorityRule.objects.update_or_create(category=category, defaults={"priority": priority})
    for priority, hours in HOURS.items():
        ResponseTime.objects.update_or_create(priority=priority, defaults={"hours": hours})
    for organisation in Organisation.objects.exclude(kind="partner"):
        desk = (
            "Force Intelligence Bureau"
            if organisation.kind == "force"
            else "Regional Intelligence Unit"
            if organisation.kind == "rocu"
            else "Intelligence desk"
        )
        ContactDesk.objects.get_or_create(
            organisation=organisation, defaults={"desk": f"{organisation.name}: {desk}"}
        )


def unload(apps, schema_editor):
    for name in ("ReferralRoute", "PriorityRule", "ResponseTime", "ContactDesk"):
        apps.get_model("referrals", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
        ("organisations", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(load, unload)]
