"""Gaps from the allocation, and a tasking chair's answer to each: lend (agree the loan the plan
proposes), bid (for posts or funding to close it), or accept the risk until a review date.

Each run of the allocation keeps its gaps (`record_gaps`): a threat's need of a capability that
is unmet, or met only by capacity from another region. An open gap goes on the regional and
national tasking agendas; a chair's decision there acts through the services below, each of
which checks who may decide, validates, writes in one transaction and records the audit trail.
An agreed loan is pinned in every later run (the lender's pool gives that capacity to that
threat first), so the gap stays closed; a bid or an accepted risk keeps the gap off the agendas
until its review date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.capabilities.choices import ANSWERED, GapStatus
from concord.capabilities.models import AllocationRun, Capability, Gap
from concord.core import audit, policy
from concord.core.choices import OrganisationKind, RoleCode
from concord.core.models import AuditAction
from concord.organisations.models import Organisation, User
from concord.organisations.notifications import named, notify

DECIDERS = frozenset({RoleCode.TASKING_CHAIR, RoleCode.CHIEF_OFFICER, RoleCode.SRO})
RATIONALE_MIN = 10
RATIONALE_MAX = 4000
# How long a bid or an accepted risk keeps a gap off the agendas unless the chair says.
DEFAULT_REVIEW = dt.timedelta(weeks=12)
NATIONAL = "national"


@policy.rule(policy.Act.DECIDE_GAP)
def may_decide(user: Any, gap: Gap) -> bool:
    """A tasking chair, SRO or chief officer of the ROCU of the gap's region, or of a national
    organisation, with current vetting, who may see the gap."""
    acting = user.acting_organisation()
    if acting is None or not user.vetting_is_current() or not (user.role_codes & DECIDERS):
        return False
    regional = (
        acting.kind == OrganisationKind.ROCU and acting.region_id == gap.organisation.region_id
    )
    if acting.kind != OrganisationKind.NATIONAL and not regional:
        return False
    return bool(Gap.objects.visible_to(user).filter(pk=gap.pk).exists())


# --- from a run --------------------------------------------------------------------------


@dataclass
class Found:
    """One threat's shortfall of one capability in a run."""

    item: Any
    capability: Capability
    needed: int = 0
    unmet: int = 0
    weighted: float = 0.0
    lenders: dict[str, int] = field(default_factory=dict)

    def lender(self) -> tuple[str, int] | None:
        """The organisation lending most (the first by code on a tie) and the total lent."""
        if not self.lenders:
            return None
        return max(sorted(self.lenders), key=self.lenders.__getitem__), sum(self.lenders.values())


def shortfalls(world: Any, result: dict[str, Any]) -> list[Found]:
    """Per threat and capability: what is unmet, and what only capacity from another region
    meets (the plan's proposed loan)."""
    needed: dict[str, int] = {n.id: n.amount for n in world.problem.needs}
    found: dict[tuple[str, str], Found] = {}

    def at(need: str, threat: str) -> Found | None:
        code = need.rsplit("/", 1)[-1]
        item = world.items.get(threat)
        capability = world.capabilities.get(code)
        if item is None or capability is None:
            return None
        key = (threat, code)
        if key not in found:
            found[key] = Found(item=item, capability=capability, needed=needed.get(need, 0))
        return found[key]

    for unmet in result["unmet"]:
        row = at(unmet["need"], unmet["threat"])
        if row is not None:
            row.unmet += int(unmet["amount"])
            row.weighted += unmet["amount"] * unmet["weight"]
    for given in result["assignments"]:
        if given["cost"] <= 0:
            continue
        row = at(given["need"], given["threat"])
        if row is not None:
            lender = given["pool"].split("/")[0]
            row.lenders[lender] = row.lenders.get(lender, 0) + int(given["amount"])
    return list(found.values())


def totals(result: dict[str, Any]) -> dict[str, list[float]]:
    """Unmet need by capability and region, for the trend from run to run."""
    cells: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for u in result["unmet"]:
        cell = cells[f"{u['capability']}|{u['region']}"]
        cell[0] += u["amount"]
        cell[1] = round(cell[1] + u["amount"] * u["weight"], 4)
    return dict(cells)


def _item_filter(item: Any) -> dict[str, Any]:
    field = {"ocg": "ocg", "pi": "priority_individual", "vulnerability": "vulnerability"}[
        item.kind_code
    ]
    return {field: item}


def record_gaps(*, run: AllocationRun, world: Any) -> dict[str, int]:
    """Keep the run's gaps: update the open gap of each threat and capability, open one where
    none is answered, and close as met the open gaps the run no longer finds. Called inside
    the run's transaction."""
    today = timezone.localdate()
    ends = run.starts + dt.timedelta(weeks=run.weeks) - dt.timedelta(days=1)
    organisations = {o.code: o for o in Organisation.objects.all()}
    open_gaps = {
        (g.register_item.kind_code, g.register_item.pk, g.capability_id): g
        for g in Gap.objects.filter(status=GapStatus.OPEN).select_related(
            "ocg", "priority_individual", "vulnerability"
        )
    }
    answered = {
        (g.register_item.kind_code, g.register_item.pk, g.capability_id)
        for g in Gap.objects.filter(status__in=ANSWERED).select_related(
            "ocg", "priority_individual", "vulnerability"
        )
        if g.answered_on(today)
    }
    made = updated = 0
    seen: set[int] = set()
    for row in shortfalls(world, run.result):
        proposal = row.lender()
        if row.unmet <= 0 and proposal is None:
            continue
        key = (row.item.kind_code, row.item.pk, row.capability.pk)
        if key in answered:
            continue
        gap = open_gaps.get(key)
        if gap is None:
            gap = Gap(
                capability=row.capability,
                organisation=row.item.owner,
                first_run=run,
                **_item_filter(row.item),
            )
            made += 1
        else:
            updated += 1
        gap.organisation = row.item.owner
        owner = row.item.owner
        gap.region = owner.region.code if owner.region_id else NATIONAL
        gap.band = row.item.band
        gap.band_rank = row.item.band_rank or 99
        gap.starts, gap.ends = run.starts, ends
        gap.needed, gap.unmet, gap.weighted = row.needed, row.unmet, round(row.weighted, 4)
        gap.proposed_from = organisations.get(proposal[0]) if proposal else None
        gap.proposed = proposal[1] if proposal else 0
        gap.last_run = run
        gap.save()
        seen.add(gap.pk)
    met = [g for g in open_gaps.values() if g.pk not in seen]
    for gap in met:
        gap.status, gap.closed_at, gap.last_run = GapStatus.MET, timezone.now(), run
    Gap.objects.bulk_update(met, ["status", "closed_at", "last_run"])
    return {"opened": made, "updated": updated, "met": len(met)}


def pinned_loans(starts: dt.date, ends: dt.date) -> list[Gap]:
    """Agreed loans in force over a period, pinned in the allocation."""
    return list(
        Gap.objects.filter(status=GapStatus.LOAN, starts__lte=ends, ends__gte=starts)
        .select_related(
            "capability", "lender", "ocg", "priority_individual", "vulnerability", "organisation"
        )
        .order_by("pk")
    )


# --- a chair's answer ----------------------------------------------------------------------


def _rationale(rationale: str) -> str:
    text = rationale.strip()
    if len(text) < RATIONALE_MIN:
        raise ValidationError({"rationale": _("Give the rationale (at least ten characters).")})
    if len(text) > RATIONALE_MAX:
        raise ValidationError(
            {"rationale": _("Keep the rationale to %(n)s characters.") % {"n": RATIONALE_MAX}}
        )
    return text


def _open(actor: Any, gap: Gap) -> Gap:
    policy.require(actor, policy.Act.DECIDE_GAP, gap, _("No such gap."))
    locked = Gap.objects.select_for_update().get(pk=gap.pk)
    if locked.status != GapStatus.OPEN:
        raise ValidationError(
            _("This gap has already been answered (%(status)s).")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def _decided(gap: Gap, actor: Any, rationale: str, decided_in: str) -> None:
    gap.rationale = rationale
    gap.decided_by = actor
    gap.decided_at = timezone.now()
    gap.decided_in = decided_in.strip()[:120]


def _audit(actor: Any, gap: Gap, before: dict[str, Any], what: str) -> None:
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type="capabilities.gap",
        object_id=str(gap.pk),
        object_repr=f"{gap.reference} {gap.capability.code} for {gap.register_item.reference}",
        owner_code=gap.organisation.code,
        changes=audit.diff(before, audit.snapshot(gap)),
        detail={"gap": what, "decided_in": gap.decided_in},
    )


def _chairs_of(organisation: Organisation) -> list[User]:
    return list(
        User.objects.filter(
            organisation=organisation, is_active=True, roles__code__in=sorted(DECIDERS)
        ).distinct()
    )


def _regional_chairs(organisation: Organisation) -> list[User]:
    """The deciders of the ROCU of an organisation's region (or of the organisation itself)."""
    if organisation.region_id is None:
        return _chairs_of(organisation)
    return list(
        User.objects.filter(
            organisation__kind=OrganisationKind.ROCU,
            organisation__region_id=organisation.region_id,
            is_active=True,
            roles__code__in=sorted(DECIDERS),
        ).distinct()
    )


@transaction.atomic
def agree_loan(
    *,
    actor: Any,
    gap: Gap,
    rationale: str,
    lender: Organisation | None = None,
    amount: int | None = None,
    decided_in: str = "",
) -> Gap:
    """Agree the loan that closes a gap (the plan's proposal unless another lender or amount
    is named): from then on the lender's capacity serves the threat first, for the gap's
    period. The lender's chairs are told."""
    gap = _open(actor, gap)
    text = _rationale(rationale)
    lender = lender or gap.proposed_from
    if lender is None:
        raise ValidationError({"lender": _("Name the organisation that lends the capacity.")})
    if lender.pk == gap.organisation_id or lender.kind == OrganisationKind.PARTNER:
        raise ValidationError({"lender": _("Choose another police organisation to lend.")})
    if not lender.capability_units.filter(capability=gap.capability).exists():
        raise ValidationError(
            {
                "lender": _("%(org)s holds no unit of %(capability)s.")
                % {"org": lender.name, "capability": gap.capability.display_name}
            }
        )
    lent = amount if amount is not None else (gap.proposed or gap.unmet or gap.needed)
    if not isinstance(lent, int) or not 1 <= lent <= 1000:
        raise ValidationError({"amount": _("Lend a whole number from 1 to 1,000.")})
    before = audit.snapshot(gap)
    _decided(gap, actor, text, decided_in)
    gap.status, gap.lender, gap.lent = GapStatus.LOAN, lender, lent
    gap.review_on = gap.ends
    gap.save()
    _audit(actor, gap, before, "loan agreed")
    notify(
        [p for p in _chairs_of(lender) if p.pk != actor.pk],
        code="capabilities.loan_agreed",
        params={
            "capability": named(gap.capability),
            "lender": lender.code,
            "borrower": gap.organisation.code,
            "amount": lent,
            "date": gap.ends.strftime("%d/%m/%Y"),
        },
        link=gap.get_absolute_url(),
        about=gap,
    )
    return gap


def _review_on(review_on: dt.date | None, gap: Gap) -> dt.date:
    today = timezone.localdate()
    day = review_on or max(gap.ends, today + DEFAULT_REVIEW)
    if day <= today:
        raise ValidationError({"review_on": _("The review date must be after today.")})
    if day > today + dt.timedelta(days=730):
        raise ValidationError({"review_on": _("Review it within two years.")})
    return day


@transaction.atomic
def make_bid(
    *,
    actor: Any,
    gap: Gap,
    rationale: str,
    posts: int = 0,
    review_on: dt.date | None = None,
    decided_in: str = "",
) -> Gap:
    """Bid for the posts or funding that would close a gap (the business plan shows the bid
    among its risks); the gap stays off the agendas until the review date."""
    gap = _open(actor, gap)
    text = _rationale(rationale)
    if not isinstance(posts, int) or not 0 <= posts <= 100:
        raise ValidationError({"posts": _("Bid for a whole number of posts from 0 to 100.")})
    day = _review_on(review_on, gap)
    before = audit.snapshot(gap)
    _decided(gap, actor, text, decided_in)
    gap.status, gap.bid_posts, gap.review_on = GapStatus.BID, posts, day
    gap.save()
    _audit(actor, gap, before, "bid made")
    return gap


@transaction.atomic
def accept_risk(
    *,
    actor: Any,
    gap: Gap,
    rationale: str,
    review_on: dt.date | None = None,
    decided_in: str = "",
) -> Gap:
    """Accept the risk of a gap left unmet until a review date, with the rationale."""
    gap = _open(actor, gap)
    text = _rationale(rationale)
    day = _review_on(review_on, gap)
    before = audit.snapshot(gap)
    _decided(gap, actor, text, decided_in)
    gap.status, gap.review_on = GapStatus.RISK, day
    gap.save()
    _audit(actor, gap, before, "risk accepted")
    return gap


def may_end_loan(user: Any, gap: Gap) -> bool:
    """The borrower's or the lender's deciders end an agreed loan early."""
    if gap.status != GapStatus.LOAN or gap.lender is None:
        return False
    acting = user.acting_organisation()
    if acting is None or not user.vetting_is_current() or not (user.role_codes & DECIDERS):
        return False
    if acting.kind == OrganisationKind.NATIONAL:
        return True
    return acting.kind == OrganisationKind.ROCU and acting.region_id in (
        gap.organisation.region_id,
        gap.lender.region_id,
    )


@transaction.atomic
def end_loan(*, actor: Any, gap: Gap, reason: str) -> Gap:
    """End an agreed loan before its period is out (the lender needs it back, or the need
    has gone): the next allocation opens the gap again if the need is still there."""
    if not Gap.objects.visible_to(actor).filter(pk=gap.pk).exists() or not may_end_loan(actor, gap):
        raise ValidationError(_("Only the lender's or borrower's tasking chairs end a loan."))
    text = _rationale(reason)
    gap = Gap.objects.select_for_update(of=("self",)).select_related("lender").get(pk=gap.pk)
    if gap.status != GapStatus.LOAN:
        raise ValidationError(_("This loan has already ended."))
    before = audit.snapshot(gap)
    gap.status, gap.closed_at = GapStatus.ENDED, timezone.now()
    gap.rationale = f"{gap.rationale}\n\n{text}".strip()
    gap.save()
    _audit(actor, gap, before, "loan ended")
    assert gap.lender is not None
    notify(
        [
            p
            for p in _chairs_of(gap.lender) + _regional_chairs(gap.organisation)
            if p.pk != actor.pk
        ],
        code="capabilities.loan_ended",
        params={
            "capability": named(gap.capability),
            "lender": gap.lender.code,
            "borrower": gap.organisation.code,
            "reason": text,
        },
        link=gap.get_absolute_url(),
        about=gap,
    )
    return gap


def with_threat_seen(queryset: Any, user: Any) -> Any:
    """Gaps with `threat_seen`: whether the person may see the threat each names (the lending
    side of a loan may not), in the same query."""
    from django.db.models import BooleanField, Case, Q, Value, When

    from concord.core.restriction import target_of, visible_ids

    viewer = policy.viewer_for(user)
    seen = Q(pk__in=[])
    for path in ("ocg", "priority_individual", "vulnerability"):
        seen |= Q(**{f"{path}__in": visible_ids(target_of(Gap, path), viewer)})
    return queryset.annotate(
        threat_seen=Case(
            When(seen, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )
