"""What waits for a person in 4P plans: actions given to them or their agency that are due or
overdue (all a partner sees), plan reviews overdue on items they are SIO or LRO of, and
disruptions they may validate (web/attention.py shows them on the home page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from concord.core import policy
from concord.core.choices import RoleCode
from concord.ownership.choices import AppointmentRole
from concord.ownership.models import Appointment
from concord.ownership.services import DECIDER_ROLES
from concord.plans import checklist
from concord.plans.choices import ActionStatus, DisruptionStatus
from concord.plans.models import Action, Disruption, Plan
from concord.web import attention
from concord.web.attention import Entry, Row

# An action is shown from this many days before it falls due.
DUE_SOON_DAYS = 14
# Who of the owning organisation validates claims in practice (the rule lets its operational
# staff; the home page tells those whose work it is, and the item's SIO and LRO).
VALIDATING_ROLES = frozenset({*DECIDER_ROLES, RoleCode.SIO, RoleCode.LRO})
OPEN = [ActionStatus.OPEN, ActionStatus.IN_PROGRESS]


def actions_due(user: Any) -> QuerySet[Action]:
    """Open actions given to the person or their organisation (as *My actions* lists them),
    overdue or due within `DUE_SOON_DAYS`."""
    organisation = user.acting_organisation()
    soon = timezone.localdate() + dt.timedelta(days=DUE_SOON_DAYS)
    return (
        Action.objects.visible_to(user)
        .filter(Q(owner_person=user) | Q(owner_organisation=organisation))
        .filter(status__in=OPEN, due_on__lte=soon)
        .select_related("objective__plan__ocg", "objective__plan__priority_individual")
        .order_by("due_on", "id")
    )


def _action_row(action: Action) -> Row:
    return Row(
        reference=action.objective.plan.subject.reference,
        title=action.description[:120],
        url=reverse("plans:my_actions"),
        due=action.due_on,
        note=action.get_status_display(),
    )


def _posts(user: Any, field: str) -> QuerySet[Appointment, dict[str, Any]]:
    """The ids of the items of `field` the person is SIO or LRO of now."""
    posts: QuerySet[Appointment, dict[str, Any]] = Appointment.objects.filter(
        person=user,
        ended_on__isnull=True,
        role__in=[AppointmentRole.SIO, AppointmentRole.LRO],
        **{f"{field}__isnull": False},
    ).values(f"{field}_id")
    return posts


def reviews_overdue(user: Any) -> QuerySet[Plan]:
    """Plans of active items the person is SIO or LRO of, past their review date."""
    if policy.viewer_for(user).is_partner:
        return Plan.objects.none()
    return (
        Plan.objects.visible_to(user)
        .filter(next_review_on__lt=timezone.localdate())
        .filter(
            Q(ocg__in=_posts(user, "ocg"), ocg__status="active")
            | Q(
                priority_individual__in=_posts(user, "priority_individual"),
                priority_individual__status="active",
            )
        )
        .select_related("ocg", "priority_individual")
        .order_by("next_review_on", "id")
    )


def _review_row(plan: Plan) -> Row:
    item = plan.subject
    return Row(
        reference=item.reference,
        title=item.name,
        url=reverse("plans:plan", args=[item.kind_code, item.reference]),
        due=plan.next_review_on,
    )


def plans_with_gaps(user: Any) -> QuerySet[Plan]:
    """Plans of active items the person is LRO of now, with checklist gaps (plans/checklist.py),
    each annotated with its checks."""
    if policy.viewer_for(user).is_partner:
        return Plan.objects.none()
    posts = Appointment.objects.filter(person=user, ended_on__isnull=True, role=AppointmentRole.LRO)
    mine = Plan.objects.visible_to(user).filter(
        Q(ocg__in=posts.values("ocg_id"), ocg__status="active")
        | Q(
            priority_individual__in=posts.values("priority_individual_id"),
            priority_individual__status="active",
        )
    )
    return (
        checklist.annotated(checklist.with_gaps(mine))
        .select_related("ocg", "priority_individual")
        .order_by("next_review_on", "id")
    )


def _gaps_row(plan: Plan) -> Row:
    item = plan.subject
    gaps = [r.check.label for r in checklist.results_of(plan) if not r.met]
    return Row(
        reference=item.reference,
        title=item.name,
        url=reverse("plans:plan", args=[item.kind_code, item.reference]) + "#checklist",
        note=ngettext(
            "%(n)s check to do: %(first)s", "%(n)s checks to do, first: %(first)s", len(gaps)
        )
        % {"n": len(gaps), "first": gaps[0] if gaps else ""},
    )


def disruptions_to_validate(user: Any) -> QuerySet[Disruption]:
    """Claims awaiting validation the person may validate (`Act.VALIDATE_DISRUPTION`: who may
    change the item's plan, never a partner, never the claimant): as SIO or LRO of the item,
    or of its owning organisation in a post-holding or deciding role."""
    viewer = policy.viewer_for(user)
    if not viewer.sees_records or viewer.is_partner:
        return Disruption.objects.none()
    mine = user.acting_organisation().pk
    allowed = Q(ocg__in=_posts(user, "ocg")) | Q(
        priority_individual__in=_posts(user, "priority_individual")
    )
    if viewer.roles & VALIDATING_ROLES:
        allowed |= Q(ocg__owner_id=mine) | Q(priority_individual__owner_id=mine)
    return (
        Disruption.objects.visible_to(user)
        .filter(allowed, status=DisruptionStatus.CLAIMED)
        .exclude(claimed_by=user)
        .select_related("ocg", "priority_individual", "impact")
        .order_by("claimed_at", "id")
    )


def _disruption_row(disruption: Disruption) -> Row:
    item = disruption.subject
    return Row(
        reference=item.reference,
        title=_("%(impact)s %(strand)s disruption of %(name)s")
        % {
            "impact": disruption.impact.display_name,
            "strand": disruption.get_strand_display(),
            "name": item.name,
        },
        url=f"{reverse('plans:disruptions')}?status={DisruptionStatus.CLAIMED}",
        note=_("Occurred %(date)s") % {"date": date_format(disruption.occurred_on, "j F Y")},
    )


@attention.provider("plans")
def waiting(user: Any) -> list[Entry]:
    """Actions due, plan reviews overdue and disruptions to validate."""
    disruptions = reverse("plans:disruptions")
    return [
        *attention.entry(
            "plans.disruptions_to_validate",
            _("Disruptions to validate"),
            disruptions_to_validate(user),
            _disruption_row,
            order=14,
            see_all=f"{disruptions}?status={DisruptionStatus.CLAIMED}",
            see_all_label=_("Disruptions awaiting validation"),
        ),
        *attention.entry(
            "plans.reviews_overdue",
            _("4P plan reviews overdue"),
            reviews_overdue(user),
            _review_row,
            order=40,
        ),
        *attention.entry(
            "plans.checklist_gaps",
            _("4P plan checklists with gaps"),
            plans_with_gaps(user),
            _gaps_row,
            order=42,
            hint=_("Plans you are LRO of that miss a check; the plan page lists each one."),
        ),
        *attention.entry(
            "plans.actions_due",
            _("Actions due"),
            actions_due(user),
            _action_row,
            order=45,
            see_all=reverse("plans:my_actions"),
            see_all_label=_("My actions"),
            hint=_("Actions given to you or your organisation, overdue or due within 14 days."),
        ),
    ]
