"""The name-and-year blocking key now holds the first letter of the given name's code (a block
of everyone with one surname born in one year grew quadratic at national scale): every
registered subject's keys are made again as the engine now makes them."""

from django.db import migrations


def rekey(apps, schema_editor):  # type: ignore[no-untyped-def]
    from concord.deconfliction.checking import rekey as store_again

    store_again(apps.get_model("deconfliction", "Subject"), apps.get_model("deconfliction", "SubjectKey"))


class Migration(migrations.Migration):
    dependencies = [("deconfliction", "0002_federated_deconfliction")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
