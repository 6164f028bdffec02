from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeconflictionConfig(AppConfig):
    """Target and event deconfliction: operations, the online check, pointer-only hits and
    the watch desk; the matching engine (`matching/`) and the batch command."""

    name = "concord.deconfliction"
    label = "deconfliction"
    verbose_name = _("Deconfliction")

    def ready(self) -> None:
        from concord.core import seeding
        from concord.deconfliction import services  # noqa: F401  # defines named actions
        from concord.deconfliction.seed import STEP
        from concord.deconfliction.seed_national import STEP as NATIONAL_STEP
        from concord.deconfliction.views import keeps_watch, may_deconflict
        from concord.web.navigation import NavItem, register

        seeding.register(STEP)
        seeding.register(NATIONAL_STEP)
        register(
            NavItem("deconfliction:list", _("Deconfliction"), order=27, visible=may_deconflict)
        )
        register(NavItem("deconfliction:desk", _("Watch desk"), order=28, visible=keeps_watch))
