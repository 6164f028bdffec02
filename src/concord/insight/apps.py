from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    """Insight and oversight: for now the disclosure control engine of the public statistics."""

    name = "concord.insight"
    label = "insight"
    verbose_name = _("Insight and oversight")
