"""A person's language is kept on their profile (blank: not chosen)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0005_notification_about"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[("en-gb", "English"), ("cy", "Cymraeg")],
                help_text=(
                    "The language Concord and its emails speak to this person; blank: not chosen."
                ),
                max_length=8,
                verbose_name="language",
            ),
        ),
    ]
