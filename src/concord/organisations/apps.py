from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    """Organisations, regions, people, roles, vetting, teams and API tokens."""

    name = "concord.organisations"
    label = "organisations"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        from concord.core import policy, seeding
        from concord.core.policy import Act
        from concord.organisations import (
            attention,  # noqa: F401  # registers its home-page providers
            services,  # noqa: F401  # defines named actions of the policy
        )
        from concord.organisations.seed import STEP
        from concord.web.navigation import NavItem, register

        seeding.register(STEP)
        from concord.organisations import signals  # noqa: F401  # connects the audit receivers

        register(NavItem("organisations:list", _("Organisations"), order=80))
        register(
            NavItem(
                "organisations:people",
                _("People"),
                order=90,
                visible=lambda user: policy.may(
                    user, Act.ADMINISTER_ORGANISATION, user.organisation
                ),
            )
        )
