# Written by hand: an agenda entry keeps every reason it is on the agenda and its notes as
# codes with parameters (rendered in each reader's language); a meeting may take its agenda's
# items from a lower level than its forum's.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0002_agenda_subjects"),
    ]

    operations = [
        migrations.AddField(
            model_name="agendaitem",
            name="reasons",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="agendaitem",
            name="notes",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="meeting",
            name="agenda_level",
            field=models.CharField(
                blank=True,
                choices=[
                    ("force", "Force (level 1)"),
                    ("region", "Regional (level 2)"),
                    ("national", "National (level 3)"),
                ],
                max_length=10,
                verbose_name="items from level",
            ),
        ),
    ]
