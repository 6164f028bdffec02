from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    """Insight and oversight: public statistics under disclosure control, effectiveness,
    national consistency, the oversight pack and the good practice library."""

    name = "concord.insight"
    label = "insight"
    verbose_name = _("Insight and oversight")

    def ready(self) -> None:
        from concord.core import policy, seeding
        from concord.insight import services  # noqa: F401  # defines named actions
        from concord.insight.seed import OVERSIGHT_STEP, STEP
        from concord.insight.services import works_with_records
        from concord.web.navigation import NavItem, register

        seeding.register(STEP)
        seeding.register(OVERSIGHT_STEP)
        register(
            NavItem(
                "insight:releases",
                _("Statistics"),
                order=90,
                visible=lambda user: policy.may(user, policy.Act.PREPARE_STATISTICS, None),
            )
        )
        register(
            NavItem(
                "insight:effectiveness",
                _("Effectiveness"),
                order=86,
                visible=works_with_records,
            )
        )
        register(
            NavItem(
                "insight:oversight",
                _("Oversight"),
                order=87,
                visible=lambda user: policy.may(user, policy.Act.OVERSEE, None),
            )
        )
        register(
            NavItem(
                "insight:practices",
                _("Good practice"),
                order=88,
                visible=works_with_records,
            )
        )
