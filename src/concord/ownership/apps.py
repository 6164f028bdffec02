from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OwnershipConfig(AppConfig):
    """Who owns each OCG and priority individual, their SIO/LRO/SRO, and transfers of risk."""

    name = "concord.ownership"
    label = "ownership"
    verbose_name = _("Ownership")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from concord.core import seeding
        from concord.core.policy import Act
        from concord.ownership import (
            attention,  # noqa: F401  # registers its home-page providers
            pickers,
            search,  # noqa: F401  # adds tasking requests to search
            services,  # noqa: F401  # defines named actions of the policy
            tasking,  # noqa: F401  # defines named actions of the policy
            transfers,  # noqa: F401  # defines named actions of the policy
        )
        from concord.ownership.seed import STEP
        from concord.ownership.views import panel
        from concord.threats.models import Ocg, PriorityIndividual
        from concord.web import panels
        from concord.web.navigation import NavItem, allowed, register

        seeding.register(STEP)
        pickers.register()
        for model in (Ocg, PriorityIndividual):
            post_save.connect(
                _start_history, sender=model, dispatch_uid=f"ownership-{model.__name__}"
            )
            panels.register(model.kind_code, panel, order=10)
        register(
            NavItem(
                "ownership:tasking",
                _("Tasking"),
                order=21,
                visible=allowed(Act.WORK_REGISTER),
            )
        )
        register(
            NavItem(
                "ownership:transfers",
                _("Transfers"),
                order=20,
                visible=allowed(Act.WORK_REGISTER),
            )
        )


def _start_history(
    sender: type, instance: object, created: bool, raw: bool, **kwargs: object
) -> None:
    """A newly mapped OCG or designated PI starts its ownership history with its owner."""
    if created and not raw:
        from concord.ownership.services import open_period

        open_period(instance)  # type: ignore[arg-type]
