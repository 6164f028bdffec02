from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeconflictionConfig(AppConfig):
    """Target and event deconfliction: the matching engine now; hits and the watch desk later."""

    name = "concord.deconfliction"
    label = "deconfliction"
    verbose_name = _("Deconfliction")
