from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    """Partner referrals: intake, automatic checks, triage and figures."""

    name = "concord.referrals"
    label = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from concord.core import seeding
        from concord.referrals import attention, services  # named actions
        from concord.referrals.seed import STEP
        from concord.web.navigation import NavItem, register

        seeding.register(STEP)
        attention.register_providers()
        register(
            NavItem("referrals:list", _("Referrals"), order=34, visible=services.may_send_or_triage)
        )
