"""The checklist of a 4P plan: checks derived from the plan's state, grouped by stage.

Each check is a row of `CHECKS`: its stage, its words, and the condition under which it is met,
as a database expression over the plan (so a list of plans is checked in one query, and the
home page counts plans with gaps without reading each one). A new check is one new row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from concord.core.choices import OrganisationKind
from concord.plans.choices import ActionStatus, Stage, Strand
from concord.plans.models import Action, Objective, Plan, PlanReview

OPEN = [ActionStatus.OPEN, ActionStatus.IN_PROGRESS]


def _has_objective(strand: str) -> Q:
    return Q(Exists(Objective.objects.filter(plan=OuterRef("pk"), strand=strand)))


def _archived() -> Q:
    return Q(ocg__status="archived") | Q(priority_individual__status="archived")


@dataclass(frozen=True)
class Check:
    code: str
    stage: str
    label: str | Promise
    # Met when this holds of the plan (evaluated as of `today`).
    met: Any


def checks() -> list[Check]:
    """The checks, in the order of the plan's stages (built per call: they read today's date)."""
    today = timezone.localdate()
    return [
        Check("aim", Stage.OPENING, _("The aim of the plan is written"), ~Q(aim="")),
        Check(
            "partner_context",
            Stage.OPENING,
            _("The context partners may see is written"),
            ~Q(partner_context=""),
        ),
        *[
            Check(
                f"objective_{value}",
                Stage.OBJECTIVES,
                _("A %(strand)s objective is set") % {"strand": label},
                _has_objective(value),
            )
            for value, label in Strand.choices
        ],
        Check(
            "objectives_actioned",
            Stage.ACTIONS,
            _("Every objective has at least one action"),
            ~Q(
                Exists(
                    Objective.objects.filter(plan=OuterRef("pk")).exclude(
                        Exists(Action.objects.filter(objective=OuterRef("pk")))
                    )
                )
            ),
        ),
        Check(
            "partner_action",
            Stage.ACTIONS,
            _("A partner agency holds at least one action"),
            Q(
                Exists(
                    Action.objects.filter(
                        objective__plan=OuterRef("pk"),
                        owner_organisation__kind=OrganisationKind.PARTNER,
                    )
                )
            ),
        ),
        Check(
            "actions_on_time",
            Stage.ACTIONS,
            _("No action is overdue"),
            ~Q(
                Exists(
                    Action.objects.filter(
                        objective__plan=OuterRef("pk"), status__in=OPEN, due_on__lt=today
                    )
                )
            ),
        ),
        Check(
            "reviewed",
            Stage.REVIEW,
            _("The plan has been reviewed"),
            Q(Exists(PlanReview.objects.filter(plan=OuterRef("pk")))),
        ),
        Check(
            "review_on_time",
            Stage.REVIEW,
            _("The next review is not overdue"),
            Q(next_review_on__gte=today),
        ),
        Check(
            "closed_cleanly",
            Stage.CLOSURE,
            _("At closure, no action is left open"),
            ~_archived()
            | ~Q(Exists(Action.objects.filter(objective__plan=OuterRef("pk"), status__in=OPEN))),
        ),
    ]


def annotated(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """The plans, each with `check_<code>` True or False and `gaps` (one query)."""
    found = checks()
    gaps = Q()
    for check in found:
        gaps |= ~Q(check.met)
    return plans.annotate(
        **{f"check_{c.code}": ExpressionWrapper(c.met, output_field=BooleanField()) for c in found},
        has_gaps=ExpressionWrapper(gaps, output_field=BooleanField()),
    )


def with_gaps(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """Those of the plans that fail at least one check."""
    gaps = Q()
    for check in checks():
        gaps |= ~Q(check.met)
    return plans.filter(gaps)


@dataclass(frozen=True)
class Result:
    check: Check
    met: bool


def results(plan: Plan) -> list[Result]:
    """Each check for one plan (a plan not yet saved meets none but closure's)."""
    found = checks()
    if plan.pk is None:
        return [Result(c, c.code == "closed_cleanly") for c in found]
    row = annotated(Plan.objects.filter(pk=plan.pk)).values(*[f"check_{c.code}" for c in found])
    values = row.first() or {}
    return [Result(c, bool(values.get(f"check_{c.code}"))) for c in found]


def results_of(plan: Plan) -> list[Result]:
    """Each check for a plan read from `annotated` (no query)."""
    return [Result(c, bool(getattr(plan, f"check_{c.code}", False))) for c in checks()]


def by_stage(found: list[Result]) -> dict[str, list[Result]]:
    grouped: dict[str, list[Result]] = {value: [] for value in Stage.values}
    for result in found:
        grouped[result.check.stage].append(result)
    return grouped


def progress(found: list[Result]) -> tuple[int, int]:
    """(met, of)."""
    return sum(1 for r in found if r.met), len(found)
