"""Loads Concord's default MoRiLE-style model as version 1, published."""

from django.db import migrations
from django.utils import timezone

from concord.scoring import defaults


def load(apps, schema_editor):
    ScoringModel = apps.get_model("scoring", "ScoringModel")
    Dimension = apps.get_model("scoring", "Dimension")
    ScaleLevel = apps.get_model("scoring", "ScaleLevel")
    if ScoringModel.objects.filter(name=defaults.NAME, version=1).exists():
        return
    model = ScoringModel.objects.create(
        name=defaults.NAME, version=1, status="published", description=defaults.DESCRIPTION,
        risk_formula=defaults.RISK_FORMULA, position_formula=defaults.POSITION_FORMULA,
        risk_bands=defaults.RISK_BANDS, position_bands=defaults.POSITION_BANDS,
        level_fit=defaults.LEVEL_FIT, review_days=90, published_at=timezone.now(),
    )
    for order, (code, name, name_cy, group, guidance, levels) in enumerate(defaults.DIMENSIONS):
        dimension = Dimension.objects.create(model=model, code=code, name=name, name_cy=name_cy,
                                             group=group, order=order, guidance=guidance)
        for level_order, (label, value, level_guidance) in enumerate(levels):
            ScaleLevel.objects.create(dimension=dimension, order=level_order, label=label,
                                      value=value, guidance=level_guidance)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
