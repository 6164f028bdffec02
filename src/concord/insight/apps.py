from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    """Insight and oversight: public statistics under disclosure control (effectiveness,
    consistency and the oversight pack to come)."""

    name = "concord.insight"
    label = "insight"
    verbose_name = _("Insight and oversight")

    def ready(self) -> None:
        from concord.core import policy, seeding
        from concord.insight import services  # noqa: F401  # defines named actions
        from concord.insight.seed import STEP
        from concord.web.navigation import NavItem, register

        seeding.register(STEP)
        register(
            NavItem(
                "insight:releases",
                _("Statistics"),
                order=90,
                visible=lambda user: policy.may(user, policy.Act.PREPARE_STATISTICS, None),
            )
        )
