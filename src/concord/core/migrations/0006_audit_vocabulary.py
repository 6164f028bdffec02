"""The audit vocabulary (core.models.AuditAction) gains LIST: a list of protected records shown.

The choices are written out here, not imported, so this migration never changes with the code.
(0005_share_cause, made at the same time, alters the same choices; this one keeps the
vocabulary's migration its own whatever becomes of that one.)
"""

from django.db import migrations, models

ACTIONS = [
    ("create", "Created"),
    ("update", "Changed"),
    ("delete", "Deleted"),
    ("view", "Viewed"),
    ("search", "Searched"),
    ("list", "Listed"),
    ("export", "Exported"),
    ("download", "Downloaded"),
    ("share", "Shared"),
    ("reason", "Gave a reason for access"),
    ("sign_in", "Signed in"),
    ("sign_in_failed", "Sign-in refused"),
    ("sign_out", "Signed out"),
    ("not_found", "Asked for something not found"),
    ("token_refused", "API token refused"),
    ("review", "Reviewed an alert"),
]


class Migration(migrations.Migration):
    dependencies = [("core", "0005_share_cause")]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(choices=ACTIONS, max_length=20),
        ),
    ]
