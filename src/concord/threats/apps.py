from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThreatsConfig(AppConfig):
    """The register: OCGs, priority individuals, vulnerabilities and POLE entities."""

    name = "concord.threats"
    label = "threats"
    verbose_name = _("Register")

    def ready(self) -> None:
        from concord.core import seeding
        from concord.core.policy import Act
        from concord.threats import services  # noqa: F401  # defines named actions of the policy
        from concord.threats.seed import STEP
        from concord.web.navigation import NavItem, allowed, register

        seeding.register(STEP)
        register(
            NavItem("threats:ocg_list", _("OCGs"), order=10, visible=allowed(Act.WORK_REGISTER))
        )
        register(
            NavItem(
                "threats:pi_list",
                _("Priority individuals"),
                order=11,
                visible=allowed(Act.WORK_REGISTER),
            )
        )
        register(
            NavItem(
                "threats:vulnerability_list",
                _("Vulnerabilities"),
                order=12,
                visible=allowed(Act.WORK_REGISTER),
            )
        )
        register(
            NavItem("threats:search", _("Search"), order=15, visible=allowed(Act.WORK_REGISTER))
        )
