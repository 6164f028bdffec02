from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    """Graded intelligence reports (3x5x2), sanitisation, dissemination, recall, feedback."""

    name = "concord.intelligence"
    label = "intelligence"
    verbose_name = _("Intelligence")

    def ready(self) -> None:
        from concord.core import metrics, seeding
        from concord.core.policy import Act
        from concord.intelligence import (
            attention,  # noqa: F401  # registers its home-page providers
            services,  # noqa: F401  # defines named actions of the policy
        )
        from concord.intelligence.metrics import sync_lag
        from concord.intelligence.search import nominal_panel  # also adds reports to search
        from concord.intelligence.seed import STEP
        from concord.web import panels
        from concord.web.navigation import NavItem, allowed, register

        seeding.register(STEP)
        metrics.add_source(sync_lag)
        panels.register("nominal", nominal_panel, order=30)

        register(
            NavItem(
                "intelligence:reports",
                _("Intelligence"),
                order=13,
                visible=allowed(Act.WORK_REGISTER),
            )
        )
