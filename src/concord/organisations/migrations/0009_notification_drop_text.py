"""The rendered sentence is no longer stored: its words are in params (organisations/0008).

The columns are given a default first, so that going back can add them again to a table with
rows (0008's reversal then writes the words back)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("organisations", "0008_notification_legacy_text")]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="subject",
            field=models.CharField(default="", max_length=200, verbose_name="subject"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="body",
            field=models.TextField(blank=True, default="", verbose_name="message"),
        ),
        migrations.RemoveField(model_name="notification", name="subject"),
        migrations.RemoveField(model_name="notification", name="body"),
    ]
