from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Counter-corruption monitoring: audit search, declared associations, alerts."""

    name = "concord.monitoring"
    label = "monitoring"
    verbose_name = _("Counter-corruption monitoring")

    def ready(self) -> None:
        from concord.core import seeding
        from concord.core.signals import audit_entry_committed
        from concord.monitoring import (
            attention,  # noqa: F401  # registers its home-page providers
            detectors,
            services,  # noqa: F401  # defines named actions of the policy
        )
        from concord.monitoring.seed import STEP
        from concord.web.navigation import NavItem, register

        audit_entry_committed.connect(detectors.on_audit_entry, dispatch_uid="monitoring")
        seeding.register(STEP)
        register(
            NavItem(
                "monitoring:audit",
                _("Audit"),
                order=95,
                visible=lambda user: user.has_role("auditor"),
            )
        )
        register(
            NavItem(
                "monitoring:alerts",
                _("Alerts"),
                order=96,
                visible=lambda user: user.has_role("auditor"),
            )
        )
        register(NavItem("monitoring:declare", _("Declarations"), order=97))
