"""Template filters for the capability pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Why an allocation left a need unmet (allocation.Reason), in words.
REASONS = {
    "no_pool": _("no organisation holds this capability"),
    "no_vetting": _("no pool of it has the vetting the need requires"),
    "team_too_small": _("no pool can field a team of the size it needs"),
    "out_of_region": _("only pools outside its region could serve it"),
    "joint_partner": _("a capability it needs alongside this one is unmet"),
    "flex_too_costly": _("flex from another region costs more than it gains"),
    "capacity_taken": _("the capacity it could use serves higher-priority threats"),
    "spare_unused": _("capacity was left unused: the plan is not proven optimal"),
}


@register.filter
def unmet_reason(code: str) -> str:
    return str(REASONS.get(str(code), code))
