"""Publish the capability catalogue Concord ships (capabilities/defaults.py) as version 1, with
the expected needs per priority band. Editable afterwards as data."""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

from concord.capabilities import defaults


def load(apps, schema_editor):
    Catalogue = apps.get_model("capabilities", "Catalogue")
    Capability = apps.get_model("capabilities", "Capability")
    BandNeed = apps.get_model("capabilities", "BandNeed")
    CriminalityType = apps.get_model("threats", "CriminalityType")
    if Catalogue.objects.exists():
        return
    catalogue = Catalogue.objects.create(
        version=1,
        status="published",
        published_at=timezone.now(),
        notes="The catalogue Concord ships: ROCU specialist capabilities and force ones.",
    )
    types = {t.code: t for t in CriminalityType.objects.all()}
    made = {}
    for (
        code, name, name_cy, level, unit, vetting, team_size, strands, criminality, description
    ) in defaults.CAPABILITIES:
        capability = Capability.objects.create(
            catalogue=catalogue,
            code=code,
            name=name,
            name_cy=name_cy,
            level=level,
            unit=unit,
            vetting=vetting,
            team_size=team_size,
            fte_per_unit=Decimal(defaults.FTE_PER_UNIT[code]) if code in defaults.FTE_PER_UNIT else None,
            strands=strands,
            description=description,
        )
        capability.criminality_types.set([types[c] for c in criminality if c in types])
        made[code] = capability
    BandNeed.objects.bulk_create(
        BandNeed(band=band, capability=made[code], amount=Decimal(amount))
        for band, code, amount in defaults.BAND_NEEDS
    )


def unload(apps, schema_editor):
    apps.get_model("capabilities", "Catalogue").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("capabilities", "0001_initial"),
        ("threats", "0002_criminality_types"),
    ]

    operations = [migrations.RunPython(load, unload)]
