"""A scoring model carries its own Welsh: description, dimension and scale-level guidance."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("scoring", "0004_assess_priority_individuals_vulnerabilities")]

    operations = [
        migrations.AddField(
            model_name="scoringmodel",
            name="description_cy",
            field=models.TextField(blank=True, verbose_name="description in Welsh"),
        ),
        migrations.AddField(
            model_name="dimension",
            name="guidance_cy",
            field=models.TextField(blank=True, verbose_name="guidance in Welsh"),
        ),
        migrations.AddField(
            model_name="scalelevel",
            name="guidance_cy",
            field=models.TextField(blank=True, verbose_name="guidance in Welsh"),
        ),
    ]
