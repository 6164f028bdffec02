from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    """Threat, risk and harm scoring: models as versioned data, assessments, the picture."""

    name = "concord.scoring"
    label = "scoring"
    verbose_name = _("THR scoring")

    def ready(self) -> None:
        from concord.core import seeding
        from concord.core.policy import Act
        from concord.scoring import attention  # noqa: F401  # registers its home-page providers
        from concord.scoring.seed import STEP
        from concord.web.navigation import NavItem, allowed, register

        seeding.register(STEP)
        register(
            NavItem(
                "scoring:picture",
                _("Priorities"),
                order=5,
                visible=allowed(Act.WORK_REGISTER),
            )
        )
