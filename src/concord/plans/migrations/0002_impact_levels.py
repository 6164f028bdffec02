"""The default disruption impact levels (editable data: the national definitions are not public)."""

from django.db import migrations

LEVELS = [
    (
        "major",
        "Major",
        "Mawr",
        1,
        "The group's capability is removed or its leadership taken out: principals charged, "
        "supply chains or finances dismantled, harm to victims stopped.",
    ),
    (
        "moderate",
        "Moderate",
        "Cymedrol",
        2,
        "The group's capability is significantly reduced for a sustained period: significant "
        "members charged, seizures that change its business, victims safeguarded.",
    ),
    (
        "minor",
        "Minor",
        "Bach",
        3,
        "A short-term effect on the group's activity: arrests without charge, small seizures, "
        "warnings, partner enforcement.",
    ),
]


def load(apps, schema_editor):
    impact = apps.get_model("plans", "DisruptionImpact")
    for code, name, name_cy, rank, definition in LEVELS:
        impact.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_cy": name_cy, "rank": rank, "definition": definition},
        )


def unload(apps, schema_editor):
    apps.get_model("plans", "DisruptionImpact").objects.filter(
        code__in=[level[0] for level in LEVELS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
