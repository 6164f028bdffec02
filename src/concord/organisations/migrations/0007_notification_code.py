"""Notifications hold a message code and its parameters, rendered in the reader's language."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("organisations", "0006_user_language")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="code",
            field=models.CharField(default="legacy", max_length=60, verbose_name="kind"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
    ]
