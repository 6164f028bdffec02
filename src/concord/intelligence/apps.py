from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    """Graded intelligence reports (3x5x2), sanitisation, dissemination, recall, feedback."""

    name = "concord.intelligence"
    label = "intelligence"
    verbose_name = _("Intelligence")

    def ready(self) -> None:
        from concord.core import seeding
        from concord.intelligence import services  # noqa: F401  # defines named actions of the policy
        from concord.intelligence.seed import STEP
        from concord.web.navigation import NavItem, register

        seeding.register(STEP)

        register(
            NavItem(
                "intelligence:reports",
                _("Intelligence"),
                order=13,
                visible=lambda user: bool(user.role_codes),
            )
        )
