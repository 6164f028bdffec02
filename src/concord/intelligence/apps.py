from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    """Graded intelligence reports (3x5x2), sanitisation, dissemination, recall, feedback."""

    name = "concord.intelligence"
    label = "intelligence"
    verbose_name = _("Intelligence")

    def ready(self) -> None:
        from concord.web.navigation import NavItem, register

        register(
            NavItem(
                "intelligence:reports",
                _("Intelligence"),
                order=13,
                visible=lambda user: bool(user.role_codes),
            )
        )
