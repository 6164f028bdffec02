from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Tasking and coordination: forums, meetings, agendas from the register, decisions."""

    name = "concord.meetings"
    label = "meetings"
    verbose_name = _("Tasking and coordination meetings")

    def ready(self) -> None:
        from concord.core import seeding
        from concord.meetings import services  # noqa: F401  # defines named actions of the policy
        from concord.meetings.seed import STEP
        from concord.web.navigation import NavItem, register

        seeding.register(STEP)
        register(
            NavItem(
                "meetings:forums",
                _("Meetings"),
                order=24,
                visible=lambda user: bool(user.role_codes),
            )
        )
