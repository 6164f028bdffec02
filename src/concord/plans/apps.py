from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """4P plans (Pursue, Prevent, Protect, Prepare), their actions and reviews, and disruptions."""

    name = "concord.plans"
    label = "plans"
    verbose_name = _("4P plans")

    def ready(self) -> None:
        from concord.core import seeding
        from concord.plans import (
            attention,  # noqa: F401  # registers its home-page providers
            guidance,  # noqa: F401  # defines named actions of the policy
            mentoring,  # noqa: F401  # named actions, and follows the mentee's new posts
            services,  # noqa: F401  # defines named actions of the policy
        )
        from concord.plans.lro_seed import STEP as LRO_STEP
        from concord.plans.seed import STEP
        from concord.plans.views import panel
        from concord.web import panels
        from concord.web.navigation import NavItem, register, works_on_records

        seeding.register(STEP)
        seeding.register(LRO_STEP)
        for kind in ("ocg", "pi"):
            panels.register(kind, panel, order=20)
        register(
            NavItem(
                "plans:my_actions",
                _("My actions"),
                order=22,
                visible=works_on_records,
            )
        )
        register(NavItem("plans:mentoring", _("Mentoring"), order=24, visible=_mentoring_nav))
        register(NavItem("plans:workload", _("Workload"), order=25, visible=_leads))
        register(NavItem("plans:guidance", _("LRO guidance"), order=26, visible=_plan_workers))
        register(
            NavItem(
                "plans:disruptions",
                _("Disruptions"),
                order=23,
                visible=works_on_records,
            )
        )


def _leads(user: Any) -> bool:
    from concord.core import policy

    return policy.may(user, policy.Act.LEAD_LROS, user.acting_organisation())


def _mentoring_nav(user: Any) -> bool:
    """LROs and those who lead them."""
    from concord.core.choices import RoleCode

    return RoleCode.LRO in set(user.role_codes) or _leads(user)


def _plan_workers(user: Any) -> bool:
    from concord.core import policy
    from concord.core.choices import RoleCode

    return bool(
        set(user.role_codes) & {RoleCode.LRO, RoleCode.SIO}
        or policy.may(user, policy.Act.EDIT_GUIDANCE, None)
        or _leads(user)
    )
