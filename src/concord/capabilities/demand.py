"""What threats need of each capability, and the national allocation of capacity to them:
needs named by a plan action, a tasking request or a request for SIO support (by a party to it),
and the runs a ROCU's or the NCA's tasking chairs start.

Each service checks who may act, validates before writing (naming the field), writes in one
transaction and records the change in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concord.capabilities import services
from concord.capabilities.choices import CatalogueStatus, DemandSource
from concord.capabilities.models import BandNeed, Capability, Demand
from concord.core import audit, policy
from concord.core.choices import OrganisationKind, RoleCode
from concord.core.models import AuditAction

# --- demand -------------------------------------------------------------------------------


@transaction.atomic
def record_demand(
    *,
    actor: Any,
    item: Any,
    capability: Capability,
    amount: Any,
    starts: dt.date,
    ends: dt.date,
    source: str,
    action: Any = None,
    tasking: Any = None,
    transfer: Any = None,
    notes: str = "",
) -> Demand:
    """Record that a register item needs a capability over a period, named by a plan action,
    a tasking request or a request for SIO support (which must be about the same item)."""
    if not policy.visible(actor, item):
        raise ValidationError({"item": _("No such record.")})
    named: dict[str, Any] = {
        DemandSource.ACTION: action,
        DemandSource.TASKING: tasking,
        DemandSource.TRANSFER: transfer,
    }
    if source not in named or named[source] is None:
        raise ValidationError({"source": _("Name the action or request that needs it.")})
    origin = named[source]
    if not policy.visible(actor, origin):
        raise ValidationError({"source": _("No such record.")})
    about = _item_of(origin)
    if about is not None and about != item:
        raise ValidationError({"source": _("That action or request is about another record.")})
    if not may_name_need(actor, item, origin):
        raise PermissionDenied(_("Only the owner or a party to the request names its needs."))
    if capability.catalogue.status != CatalogueStatus.PUBLISHED:
        raise ValidationError({"capability": _("Choose a capability of the current catalogue.")})
    if ends < starts:
        raise ValidationError({"ends": _("A need ends on or after the day it starts.")})
    demand = Demand(
        capability=capability,
        amount=services.as_decimal(amount, "amount"),
        starts=starts,
        ends=ends,
        source=source,
        action=action,
        tasking=tasking,
        transfer=transfer,
        requested_by=actor.acting_organisation(),
        created_by=actor,
        notes=notes.strip(),
    )
    _about(demand, item)
    services.validated(demand)
    demand.save()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        object_type="capabilities.demand",
        object_id=str(demand.pk),
        object_repr=f"{capability.code} for {item.reference}",
        owner_code=item.owner.code,
        changes=audit.diff({}, audit.snapshot(demand)),
    )
    return demand


def parties_to(item: Any, origin: Any) -> set[int]:
    """The organisations that may say what an item's action or request needs: the item's
    owner, and the sender and receiver of a tasking request or transfer."""
    found = {item.owner_id}
    for name in ("owner_id", "from_organisation_id", "to_organisation_id", "owner_organisation_id"):
        value = getattr(origin, name, None)
        if value:
            found.add(value)
    return found


def may_name_need(actor: Any, item: Any, origin: Any) -> bool:
    acting = actor.acting_organisation()
    return bool(
        acting is not None
        and not policy.viewer_for(actor).is_partner
        and acting.pk in parties_to(item, origin)
        and policy.visible(actor, item)
    )


def _about(demand: Demand, item: Any) -> None:
    from concord.threats.models import Ocg, PriorityIndividual, Vulnerability

    demand.ocg = item if isinstance(item, Ocg) else None
    demand.priority_individual = item if isinstance(item, PriorityIndividual) else None
    demand.vulnerability = item if isinstance(item, Vulnerability) else None
    if demand.ocg is None and demand.priority_individual is None and demand.vulnerability is None:
        raise ValidationError({"item": _("A need is about an OCG, a PI or a vulnerability.")})


def _item_of(origin: Any) -> Any:
    """The register item an action, tasking request or transfer is about, if it names one."""
    plan = getattr(getattr(origin, "objective", None), "plan", None)
    holder = plan if plan is not None else origin
    for name in ("ocg", "priority_individual", "vulnerability"):
        found = getattr(holder, name, None)
        if found is not None:
            return found
    return None


def expected_needs(band: str) -> list[BandNeed]:
    """What an item of a priority band is expected to need a week, by capability."""
    return list(
        BandNeed.objects.filter(band=band, capability__catalogue__status=CatalogueStatus.PUBLISHED)
        .select_related("capability")
        .order_by("capability__name")
    )


# --- allocation -----------------------------------------------------------------------------


def may_run_allocation(user: Any) -> bool:
    """Tasking chairs, chief officers and SROs of a ROCU or national organisation run the
    national allocation (it reads everyone's capacity; what each person sees of it is theirs)."""
    acting = user.acting_organisation()
    return bool(
        acting is not None
        and acting.kind in (OrganisationKind.ROCU, OrganisationKind.NATIONAL)
        and user.vetting_is_current()
        and user.role_codes & {RoleCode.TASKING_CHAIR, RoleCode.CHIEF_OFFICER, RoleCode.SRO}
    )


@transaction.atomic
def run_allocation(*, actor: Any, starts: dt.date, weeks: int = 6) -> Any:
    """Solve the national allocation for the weeks from `starts` and keep it as the live plan,
    with its gaps."""
    if not may_run_allocation(actor):
        raise PermissionDenied(_("Only a ROCU's or the NCA's tasking chairs run the allocation."))
    return keep_allocation(actor=actor, starts=starts, weeks=weeks)


@transaction.atomic
def keep_allocation(*, actor: Any, starts: dt.date, weeks: int) -> Any:
    """Solve and keep a run and its gaps (the demo world's first run has no actor)."""
    from concord.capabilities import allocation, gaps, planning
    from concord.capabilities.models import AllocationRun

    if not 1 <= weeks <= 52:
        raise ValidationError({"weeks": _("Plan for 1 to 52 weeks.")})
    world = planning.build(starts=starts, weeks=weeks)
    problem = planning.problem_of(world)
    plan = allocation.solve(problem)
    result = planning.plan_to_json(plan)
    result["loans"] = world.loans
    run = AllocationRun.objects.create(
        starts=starts,
        weeks=weeks,
        created_by=actor,
        solver=plan.solver,
        status=str(plan.status),
        objective=plan.objective,
        best_bound=plan.best_bound,
        coverage=plan.coverage,
        seconds=plan.seconds,
        pools=len(problem.pools),
        needs=len(problem.needs),
        result=result,
        totals=gaps.totals(result),
    )
    kept = gaps.record_gaps(run=run, world=world)
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        object_type="capabilities.allocationrun",
        object_id=str(run.pk),
        object_repr=str(run),
        detail={
            "solver": plan.solver,
            "status": str(plan.status),
            "coverage": round(plan.coverage, 4),
            "pools": run.pools,
            "needs": run.needs,
            "loans": len(world.loans),
            **{f"gaps_{k}": v for k, v in kept.items()},
        },
    )
    return run
