from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """4P plans (Pursue, Prevent, Protect, Prepare), their actions and reviews, and disruptions."""

    name = "concord.plans"
    label = "plans"
    verbose_name = _("4P plans")

    def ready(self) -> None:
        from concord.core import seeding
        from concord.plans import (
            attention,  # noqa: F401  # registers its home-page providers
            services,  # noqa: F401  # defines named actions of the policy
        )
        from concord.plans.seed import STEP
        from concord.plans.views import panel
        from concord.web import panels
        from concord.web.navigation import NavItem, register, works_on_records

        seeding.register(STEP)
        for kind in ("ocg", "pi"):
            panels.register(kind, panel, order=20)
        register(
            NavItem(
                "plans:my_actions",
                _("My actions"),
                order=22,
                visible=works_on_records,
            )
        )
        register(
            NavItem(
                "plans:disruptions",
                _("Disruptions"),
                order=23,
                visible=works_on_records,
            )
        )
