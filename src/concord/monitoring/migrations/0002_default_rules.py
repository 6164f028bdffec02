"""Default alert rules: starting thresholds an auditor can change (Django admin)."""

from django.db import migrations

RULES = [
    # kind, threshold, window (minutes), minimum history, rare-hour share (%)
    ("bulk_viewing", 50, 10, 0, 2),
    ("association_search", 0, 60, 0, 2),
    ("out_of_pattern", 0, 60, 100, 2),
    ("probing", 10, 10, 0, 2),
    ("expired_vetting", 0, 60, 0, 2),
]


def load(apps, schema_editor):
    AlertRule = apps.get_model("monitoring", "AlertRule")
    for kind, threshold, window, history, share in RULES:
        AlertRule.objects.update_or_create(kind=kind, defaults={
            "threshold": threshold, "window_minutes": window, "min_history": history,
            "rare_share_percent": share,
        })


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
