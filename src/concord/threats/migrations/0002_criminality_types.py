"""Criminality types of the 2018 Serious and Organised Crime Strategy (editable afterwards)."""

from django.db import migrations

TYPES = [
    ("child-sexual-abuse", "Child sexual abuse", "Cam-drin plant yn rhywiol"),
    ("modern-slavery", "Modern slavery and human trafficking",
     "Caethwasiaeth fodern a masnachu pobl"),
    ("organised-immigration-crime", "Organised immigration crime", "Troseddau mewnfudo cyfundrefnol"),
    ("illegal-drugs", "Illegal drugs (including county lines)",
     "Cyffuriau anghyfreithlon (gan gynnwys llinellau cyffuriau)"),
    ("illegal-firearms", "Illegal firearms", "Drylliau anghyfreithlon"),
    ("organised-acquisitive-crime", "Organised acquisitive crime", "Troseddau caffael cyfundrefnol"),
    ("cyber-crime", "Cyber crime", "Seiberdroseddu"),
    ("fraud", "Fraud", "Twyll"),
    ("money-laundering", "Money laundering", "Gwyngalchu arian"),
    ("bribery-corruption-sanctions", "Bribery, corruption and sanctions evasion",
     "Llwgrwobrwyo, llygredd ac osgoi sancsiynau"),
]


def load(apps, schema_editor):
    CriminalityType = apps.get_model("threats", "CriminalityType")
    for ordering, (code, name, name_cy) in enumerate(TYPES, start=1):
        CriminalityType.objects.update_or_create(
            code=code, defaults={"name": name, "name_cy": name_cy, "ordering": ordering})


class Migration(migrations.Migration):
    dependencies = [("threats", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
