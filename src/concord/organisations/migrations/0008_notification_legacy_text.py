"""Notifications written before codes keep their sentence, as made, under the code "legacy"
(its language cannot be known again: it was the actor's); new ones are rendered per reader."""

from django.db import migrations


def keep_the_text(apps, schema_editor):
    Notification = apps.get_model("organisations", "Notification")
    batch = []
    for n in Notification.objects.only("pk", "subject", "body").iterator(chunk_size=2000):
        n.code = "legacy"
        n.params = {"subject": n.subject, "body": n.body}
        batch.append(n)
        if len(batch) == 2000:
            Notification.objects.bulk_update(batch, ["code", "params"])
            batch = []
    Notification.objects.bulk_update(batch, ["code", "params"])


def back_to_text(apps, schema_editor):
    Notification = apps.get_model("organisations", "Notification")
    batch = []
    for n in Notification.objects.only("pk", "code", "params").iterator(chunk_size=2000):
        params = n.params or {}
        n.subject = str(params.get("subject", n.code))[:200]
        n.body = str(params.get("body", ""))
        batch.append(n)
    Notification.objects.bulk_update(batch, ["subject", "body"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0007_notification_code")]

    operations = [migrations.RunPython(keep_the_text, back_to_text)]
