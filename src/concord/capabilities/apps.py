from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapabilitiesConfig(AppConfig):
    """Capabilities, units, posts, funding streams, demand, allocation and gaps."""

    name = "concord.capabilities"
    label = "capabilities"
    verbose_name = _("Capability and capacity")

    def ready(self) -> None:
        from concord.capabilities import services  # noqa: F401  # defines named actions
        from concord.capabilities.planning_views import needs_panel
        from concord.capabilities.seed import STEP
        from concord.capabilities.views import sees_capacity
        from concord.core import seeding
        from concord.web import panels
        from concord.web.navigation import NavItem, register

        seeding.register(STEP)
        for kind in ("ocg", "pi"):
            panels.register(kind, needs_panel, order=30)
        register(NavItem("capabilities:list", _("Capability"), order=26, visible=sees_capacity))
