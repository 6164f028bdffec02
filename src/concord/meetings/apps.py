from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Tasking and coordination: forums, meetings, agendas from the register, decisions."""

    name = "concord.meetings"
    label = "meetings"
    verbose_name = _("Tasking and coordination meetings")

    def ready(self) -> None:
        from concord.core import seeding
        from concord.meetings import (
            attention,  # noqa: F401  # registers its home-page providers
            services,  # noqa: F401  # defines named actions of the policy
        )
        from concord.meetings.seed import STEP
        from concord.meetings.views import my_actions_panel
        from concord.web import panels
        from concord.web.navigation import NavItem, register

        seeding.register(STEP)
        panels.register("my_actions", my_actions_panel)
        register(
            NavItem(
                "meetings:forums",
                _("Meetings"),
                order=24,
                visible=_sits_on_forums,
            )
        )


def _sits_on_forums(user: object) -> bool:
    """Meetings are for those who work across the register, and any partner on a forum."""
    from concord.core import policy
    from concord.meetings.models import Forum

    return policy.may(user, policy.Act.WORK_REGISTER, None) or (
        policy.viewer_for(user).sees_records and Forum.objects.visible_to(user).exists()
    )
