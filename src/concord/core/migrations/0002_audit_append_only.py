"""Database triggers make the audit tables append-only on SQLite and PostgreSQL."""

from django.db import migrations

from concord.core.audit import drop_triggers, install_triggers


def install(apps, schema_editor):
    install_triggers(schema_editor.connection)


def remove(apps, schema_editor):
    drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
