"""Reference data: regions, ROCUs, the 43 territorial forces, national agencies, partners, roles.

The data lives here, not in a module, so this migration means the same thing forever. Every row is
editable afterwards (Django admin, or a later data migration): organisations merge and rename.
"""

from django.db import migrations

# (code, name, Welsh name, ROCU code, ROCU name, ROCU short name, forces)
# forces: (code, name, Welsh name)
REGIONS = [
    ("north-west", "North West", "Gogledd-orllewin Lloegr", "NWROCU",
     "North West Regional Organised Crime Unit", "TITAN", [
         ("CHE", "Cheshire Constabulary", ""),
         ("CUM", "Cumbria Constabulary", ""),
         ("GMP", "Greater Manchester Police", ""),
         ("LAN", "Lancashire Constabulary", ""),
         ("MER", "Merseyside Police", ""),
         ("NWP", "North Wales Police", "Heddlu Gogledd Cymru"),
     ]),
    ("north-east", "North East", "Gogledd-ddwyrain Lloegr", "NEROCU",
     "North East Regional Organised Crime Unit", "NEROCU", [
         ("CLE", "Cleveland Police", ""),
         ("DUR", "Durham Constabulary", ""),
         ("NBR", "Northumbria Police", ""),
     ]),
    ("yorkshire-humber", "Yorkshire and the Humber", "Swydd Efrog a'r Humber", "YHROCU",
     "Yorkshire and the Humber Regional Organised Crime Unit", "Yorkshire and Humber ROCU", [
         ("HUM", "Humberside Police", ""),
         ("NYP", "North Yorkshire Police", ""),
         ("SYP", "South Yorkshire Police", ""),
         ("WYP", "West Yorkshire Police", ""),
     ]),
    ("east-midlands", "East Midlands", "Dwyrain Canolbarth Lloegr", "EMSOU",
     "East Midlands Special Operations Unit", "EMSOU", [
         ("DER", "Derbyshire Constabulary", ""),
         ("LEI", "Leicestershire Police", ""),
         ("LIN", "Lincolnshire Police", ""),
         ("NTH", "Northamptonshire Police", ""),
         ("NOT", "Nottinghamshire Police", ""),
     ]),
    ("west-midlands", "West Midlands", "Gorllewin Canolbarth Lloegr", "WMROCU",
     "West Midlands Regional Organised Crime Unit", "West Midlands ROCU", [
         ("STA", "Staffordshire Police", ""),
         ("WAR", "Warwickshire Police", ""),
         ("WMC", "West Mercia Police", ""),
         ("WMP", "West Midlands Police", ""),
     ]),
    ("eastern", "Eastern", "Dwyrain Lloegr", "ERSOU",
     "Eastern Region Special Operations Unit", "ERSOU", [
         ("BED", "Bedfordshire Police", ""),
         ("CAM", "Cambridgeshire Constabulary", ""),
         ("ESX", "Essex Police", ""),
         ("HRT", "Hertfordshire Constabulary", ""),
         ("KNT", "Kent Police", ""),
         ("NFK", "Norfolk Constabulary", ""),
         ("SFK", "Suffolk Constabulary", ""),
     ]),
    ("south-east", "South East", "De-ddwyrain Lloegr", "SEROCU",
     "South East Regional Organised Crime Unit", "SEROCU", [
         ("HAM", "Hampshire and Isle of Wight Constabulary", ""),
         ("SUR", "Surrey Police", ""),
         ("SSX", "Sussex Police", ""),
         ("TVP", "Thames Valley Police", ""),
     ]),
    ("south-west", "South West", "De-orllewin Lloegr", "SWROCU",
     "South West Regional Organised Crime Unit", "SWROCU", [
         ("ASP", "Avon and Somerset Police", ""),
         ("DCP", "Devon and Cornwall Police", ""),
         ("DOR", "Dorset Police", ""),
         ("GLO", "Gloucestershire Constabulary", ""),
         ("WIL", "Wiltshire Police", ""),
     ]),
    ("southern-wales", "Southern Wales", "De Cymru", "TARIAN",
     "Tarian Regional Organised Crime Unit", "Tarian",
     [
         ("DYP", "Dyfed-Powys Police", "Heddlu Dyfed-Powys"),
         ("GWE", "Gwent Police", "Heddlu Gwent"),
         ("SWP", "South Wales Police", "Heddlu De Cymru"),
     ]),
    ("london", "London", "Llundain", None, None, None, [
        ("COL", "City of London Police", ""),
        ("MPS", "Metropolitan Police Service", ""),
    ]),
]

# Lead forces named in the public responses to the 2021 inspection; the rest are left for
# administrators to record.
LEAD_FORCES = {"TARIAN": "SWP", "ERSOU": "BED"}

ROCU_WELSH = {"TARIAN": "Uned Troseddau Cyfundrefnol Rhanbarthol Tarian"}

NATIONAL = [
    ("NCA", "National Crime Agency", "Yr Asiantaeth Troseddu Genedlaethol", "NCA"),
    ("BTP", "British Transport Police", "Heddlu Trafnidiaeth Prydain", "BTP"),
]

PARTNERS = [
    ("BF", "Border Force", "Llu'r Ffiniau", "border"),
    ("HMRC", "HM Revenue and Customs", "Cyllid a Thollau EF", "tax"),
    ("HOIE", "Home Office Immigration Enforcement", "Gorfodi Mewnfudo y Swyddfa Gartref",
     "immigration"),
    ("HMPPS", "HM Prison and Probation Service", "Gwasanaeth Carchardai a Phrawf EF", "probation"),
    ("DWP", "Department for Work and Pensions", "Yr Adran Gwaith a Phensiynau", "welfare"),
]

ROLES = [
    ("analyst", "Analyst", "Dadansoddwr"),
    ("intelligence_officer", "Intelligence officer", "Swyddog cudd-wybodaeth"),
    ("sio", "Senior investigating officer (SIO)", "Uwch swyddog ymchwilio (SIO)"),
    ("lro", "Lead responsible officer (LRO)", "Prif swyddog cyfrifol (LRO)"),
    ("sro", "Senior responsible officer (SRO)", "Uwch swyddog cyfrifol (SRO)"),
    ("tasking_chair", "Tasking chair / regional SOC coordinator",
     "Cadeirydd tasgio / cydlynydd SOC rhanbarthol"),
    ("chief_officer", "Chief officer", "Prif swyddog"),
    ("partner_user", "Partner user", "Defnyddiwr partner"),
    ("auditor", "Auditor", "Archwilydd"),
    ("administrator", "Administrator", "Gweinyddwr"),
]


def load(apps, schema_editor):
    Region = apps.get_model("organisations", "Region")
    Organisation = apps.get_model("organisations", "Organisation")
    Role = apps.get_model("organisations", "Role")

    forces = {}
    for code, name, name_cy, rocu_code, rocu_name, rocu_short, region_forces in REGIONS:
        region, _ = Region.objects.update_or_create(
            code=code, defaults={"name": name, "name_cy": name_cy}
        )
        for force_code, force_name, force_cy in region_forces:
            forces[force_code], _ = Organisation.objects.update_or_create(
                code=force_code,
                defaults={"name": force_name, "name_cy": force_cy, "kind": "force",
                          "region": region},
            )
        if rocu_code:
            Organisation.objects.update_or_create(
                code=rocu_code,
                defaults={
                    "name": rocu_name, "name_cy": ROCU_WELSH.get(rocu_code, ""),
                    "short_name": rocu_short, "kind": "rocu", "region": region,
                    "lead_force": forces.get(LEAD_FORCES.get(rocu_code, "")),
                },
            )
    for code, name, name_cy, short in NATIONAL:
        Organisation.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_cy": name_cy, "short_name": short, "kind": "national"},
        )
    for code, name, name_cy, partner_type in PARTNERS:
        Organisation.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_cy": name_cy, "kind": "partner",
                      "partner_type": partner_type},
        )
    for code, name, name_cy in ROLES:
        Role.objects.update_or_create(code=code, defaults={"name": name, "name_cy": name_cy})


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
