"""Changes to 4P plans and disruptions: permission first, validation, one transaction, audit,
and the SIO and LRO told of each other's changes.

Who may do what:
- the plan (aim, objectives, actions, reviews): the item's LRO or SIO, or the owning
  organisation's operational staff;
- an action's progress and outcome: its owner (a person, or anyone of the partner agency it is
  given to) as well as those who may change the plan. A partner never sees more of the plan
  than its own actions and the partner context;
- a disruption: claimed by anyone who may see the item (a partner for its own actions), counted
  only when validated by a second person who may change the plan.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.models import AuditAction
from concord.organisations.models import Organisation, User
from concord.organisations.notifications import label, named, notify, said
from concord.ownership.choices import AppointmentRole
from concord.ownership.models import subject_field
from concord.ownership.services import current_appointments
from concord.plans.choices import OUTCOME_FIELDS, ActionStatus, DisruptionStatus, Strand
from concord.plans.models import Action, Disruption, DisruptionImpact, Objective, Plan, PlanReview
from concord.threats.models import RegisterItem


def plan_or_blank(item: RegisterItem) -> Plan:
    """The item's plan to read: the saved one, or a blank one not saved (reading a plan must
    not make one; the first change does, through `plan_for`)."""
    found = Plan.objects.filter(**{subject_field(item): item}).first()
    if found is not None:
        return found
    return Plan(
        **{subject_field(item): item},
        next_review_on=timezone.localdate() + dt.timedelta(days=28),
    )


def plan_for(item: RegisterItem) -> Plan:
    """The item's plan, made empty on first change."""
    plan, _created = Plan.objects.get_or_create(
        **{subject_field(item): item},
        defaults={"next_review_on": timezone.localdate() + dt.timedelta(days=28)},
    )
    return plan


@policy.rule(policy.Act.CHANGE_PLAN)
def may_change_plan(user: Any, item: RegisterItem) -> bool:
    """The item's LRO or SIO (wherever they work), or the owning organisation's staff other
    than the mentor of the item's LRO (plans/mentoring.py)."""
    if not policy.can(user, policy.VIEW, item):
        return False
    posts = current_appointments(item)
    if any(
        posts.get(role) and posts[role].person_id == user.pk
        for role in (AppointmentRole.LRO, AppointmentRole.SIO)
    ):
        return True
    if not policy.can(user, policy.CHANGE, item):
        return False
    # A mentor reads the mentee's plan and comments; the plan stays the mentee's to change.
    from concord.plans.mentoring import is_mentor_of

    return not is_mentor_of(user, item)


def _require_plan_change(actor: Any, item: RegisterItem) -> None:
    policy.require(
        actor,
        policy.Act.CHANGE_PLAN,
        item,
        _("Only the LRO, the SIO or the owning organisation changes the plan."),
    )


@policy.rule(policy.Act.VALIDATE_DISRUPTION)
def may_validate_disruption(user: Any, disruption: Disruption) -> bool:
    """Someone who may change the item's plan (never a partner) validates a claim."""
    return (
        not policy.viewer_for(user).is_partner
        and policy.visible(user, disruption)
        and may_change_plan(user, disruption.subject)
    )


@policy.rule(policy.Act.UPDATE_ACTION)
def may_update_action(user: Any, action: Action) -> bool:
    """The action's owner (a person, or anyone of its agency) or whoever may change the plan,
    if they may see the action at all."""
    if not policy.visible(user, action):
        return False
    if action.owner_person_id == user.pk:
        return True
    organisation = user.acting_organisation()
    if action.owner_organisation_id == organisation.pk:
        return True
    return may_change_plan(user, action.objective.plan.subject)


def _tell_the_other_post(actor: Any, item: RegisterItem, what: dict[str, Any]) -> None:
    """The SIO and LRO hear of each other's changes (and anyone else in post); `what` is a
    sentence of the notification catalogue (`said`), written in each reader's language."""
    posts = current_appointments(item)
    notify(
        [a.person for a in posts.values() if a.person_id != actor.pk],
        code="plan.changed",
        params={
            "ref": item.reference,
            "name": actor.get_full_name() or actor.username,
            "what": what,
        },
        link=item.get_absolute_url(),
        about=item,
    )


def _audit(actor: Any, item: RegisterItem, what: str, **detail: Any) -> None:
    audit.record(AuditAction.UPDATE, actor=actor, obj=item, detail={"plan": what, **detail})


@transaction.atomic
def set_plan_context(
    *, actor: Any, item: RegisterItem, aim: str, partner_context: str, review_days: int = 28
) -> Plan:
    _require_plan_change(actor, item)
    if not 7 <= review_days <= 365:
        raise ValidationError({"review_days": _("Review every 7 to 365 days.")})
    plan = plan_for(item)
    before = {"aim": plan.aim, "partner_context": plan.partner_context, "review": plan.review_days}
    plan.aim, plan.partner_context, plan.review_days = (
        aim.strip(),
        partner_context.strip(),
        review_days,
    )
    plan.save()
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=item,
        changes=audit.diff(
            before,
            {"aim": plan.aim, "partner_context": plan.partner_context, "review": review_days},
        ),
    )
    _tell_the_other_post(actor, item, said("plan.aim_changed"))
    return plan


@transaction.atomic
def add_objective(*, actor: Any, item: RegisterItem, strand: str, text: str) -> Objective:
    _require_plan_change(actor, item)
    if strand not in Strand.values:
        raise ValidationError({"strand": _("Choose Pursue, Prevent, Protect or Prepare.")})
    if len(text.strip()) < 5:
        raise ValidationError({"text": _("Write the objective.")})
    objective = Objective.objects.create(plan=plan_for(item), strand=strand, text=text.strip())
    _audit(actor, item, "objective added", objective=objective.pk, strand=strand)
    _tell_the_other_post(
        actor, item, said("plan.objective_added", strand=label(Strand(objective.strand)))
    )
    return objective


@transaction.atomic
def add_action(
    *,
    actor: Any,
    objective: Objective,
    description: str,
    due_on: dt.date,
    owner_person: User | None = None,
    owner_organisation: Organisation | None = None,
) -> Action:
    """Give an action to a person or an agency (a partner sees only what it is given)."""
    item = objective.plan.subject
    _require_plan_change(actor, item)
    if (owner_person is None) == (owner_organisation is None):
        raise ValidationError({"owner": _("Give the action to one person or one agency.")})
    if len(description.strip()) < 5:
        raise ValidationError({"description": _("Describe the action.")})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The due date cannot be in the past.")})
    if owner_person is not None and not owner_person.is_active:
        raise ValidationError({"owner": _("That person cannot take actions.")})
    action = Action.objects.create(
        objective=objective,
        description=description.strip(),
        due_on=due_on,
        owner_person=owner_person,
        owner_organisation=owner_organisation,
    )
    _audit(actor, item, "action added", action=action.pk)
    owner = owner_person or owner_organisation
    _tell_the_other_post(
        actor,
        item,
        said("plan.action_added", owner=str(owner_person) if owner_person else named(owner)),
    )
    recipients = [owner_person] if owner_person else _people_of(owner_organisation)
    notify(
        recipients,
        code="plan.action_for_you",
        params={"strand": label(Strand(objective.strand)), "ref": item.reference},
        link="/actions/",
        about=action,
    )
    return action


def _people_of(organisation: Organisation | None) -> list[User]:
    if organisation is None:
        return []
    return list(User.objects.filter(organisation=organisation, is_active=True))


@transaction.atomic
def update_action(*, actor: Any, action: Action, status: str, outcome: str = "") -> Action:
    """Progress an action: its owner (person or agency) or those who change the plan."""
    policy.require(
        actor, policy.Act.UPDATE_ACTION, action, _("This action is not yours to update.")
    )
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    if status == ActionStatus.DONE and len(outcome.strip()) < 3:
        raise ValidationError({"outcome": _("Say what the action achieved.")})
    before = {"status": action.status, "outcome": action.outcome}
    action.status, action.outcome = status, outcome.strip()
    action.save(update_fields=["status", "outcome", "updated_at"])
    item = action.objective.plan.subject
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=item,
        changes=audit.diff(before, {"status": action.status, "outcome": action.outcome}),
        detail={"plan": "action updated", "action": action.pk},
    )
    _tell_the_other_post(
        actor,
        item,
        said(
            "plan.action_status",
            action=str(action)[:60],
            status=label(ActionStatus(action.status), lower=True),
        ),
    )
    return action


@transaction.atomic
def review_plan(*, actor: Any, item: RegisterItem, notes: str) -> PlanReview:
    """Record a review: the notes, and what changed since the last review (objectives and
    actions added, and actions whose status changed); the next review falls due a cycle on."""
    _require_plan_change(actor, item)
    if len(notes.strip()) < 10:
        raise ValidationError({"notes": _("Write what the review found.")})
    plan = plan_for(item)
    last = plan.reviews.first()
    since = last.reviewed_at if last else plan.created_at
    changes = [
        _("Objective added: %(text)s") % {"text": o.text[:80]}
        for o in plan.objectives.filter(created_at__gt=since)
    ]
    for action in Action.objects.filter(objective__plan=plan, updated_at__gt=since):
        if action.created_at > since:
            changes.append(_("Action added: %(text)s") % {"text": action.description[:80]})
        else:
            changes.append(
                _("Action %(status)s: %(text)s")
                % {"status": action.get_status_display().lower(), "text": action.description[:80]}
            )
    now = timezone.now()
    review = PlanReview.objects.create(
        plan=plan, reviewed_by=actor, reviewed_at=now, notes=notes.strip(), changes=changes
    )
    plan.next_review_on = timezone.localdate() + dt.timedelta(days=plan.review_days)
    plan.save(update_fields=["next_review_on", "updated_at"])
    _audit(actor, item, "reviewed", review=review.pk)
    _tell_the_other_post(actor, item, said("plan.reviewed"))
    return review


# Disruptions ----------------------------------------------------------------------------------


def clean_outcomes(raw: dict[str, Any]) -> dict[str, Any]:
    """Outcome figures as numbers: whole, not negative; money and weights as decimals. Every
    problem is named by its field, and nothing is saved unless all are right."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in OUTCOME_FIELDS:
        value = raw.get(field, 0)
        text = str(value).strip().replace(",", "").lstrip("£") if value is not None else ""
        if text == "":
            text = "0"
        decimal_field = field.endswith(("_kg", "_gbp"))
        try:
            number = Decimal(text)
        except InvalidOperation:
            errors[field] = _("Give a number.")
            continue
        if not number.is_finite():
            errors[field] = _("Give a number.")
        elif number < 0:
            errors[field] = _("Cannot be negative.")
        elif not decimal_field and number != number.to_integral_value():
            errors[field] = _("Give a whole number.")
        elif number > Decimal("999999999"):
            errors[field] = _("That is too large.")
        else:
            cleaned[field] = number if decimal_field else int(number)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def claim_disruption(
    *,
    actor: Any,
    item: RegisterItem,
    strand: str,
    impact: str,
    occurred_on: dt.date,
    narrative: str,
    outcomes: dict[str, Any],
    action: Action | None = None,
) -> Disruption:
    """Claim a disruption. Police may claim for what they can see; a partner claims for an
    action given to its agency."""
    viewer = policy.viewer_for(actor)
    if viewer.is_partner:
        if action is None or not may_update_action(actor, action):
            raise PermissionDenied(_("A partner claims disruptions for its own actions."))
    elif not policy.can(actor, policy.VIEW, item):
        raise PermissionDenied(_("You cannot see this record."))
    from concord.plans.mentoring import is_mentor_of

    if is_mentor_of(actor, item):
        raise PermissionDenied(_("A mentor reads the plan; the mentee claims disruptions."))
    if action is not None and action.objective.plan.subject.pk != item.pk:
        raise ValidationError({"action": _("That action belongs to another plan.")})
    if strand not in Strand.values:
        raise ValidationError({"strand": _("Choose Pursue, Prevent, Protect or Prepare.")})
    level = DisruptionImpact.objects.filter(code=impact).first()
    if level is None:
        raise ValidationError({"impact": _("Choose an impact level.")})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("The date cannot be in the future.")})
    if len(narrative.strip()) < 10:
        raise ValidationError({"narrative": _("Describe what happened.")})
    figures = clean_outcomes(outcomes)
    disruption = Disruption.objects.create(
        **{subject_field(item): item},
        strand=strand,
        impact=level,
        occurred_on=occurred_on,
        narrative=narrative.strip(),
        action=action,
        claimed_by=actor,
        claimed_for=actor.acting_organisation(),
        claimed_at=timezone.now(),
        **figures,
    )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        object_type="plans.disruption",
        object_id=str(disruption.pk),
        object_repr=f"disruption of {item.reference}",
        owner_code=item.owner.code,
        detail={"item": item.reference, "strand": strand, "impact": impact},
    )
    _tell_the_other_post(actor, item, said("plan.disruption_claimed"))
    return disruption


@transaction.atomic
def validate_disruption(
    *, actor: Any, disruption: Disruption, accept: bool, reason: str = ""
) -> Disruption:
    """A second person who may change the plan validates (or rejects, saying why)."""
    item = disruption.subject
    policy.require(
        actor,
        policy.Act.VALIDATE_DISRUPTION,
        disruption,
        _("Only the LRO, the SIO or the owning organisation validates."),
    )
    if disruption.claimed_by_id == actor.pk:
        raise ValidationError(_("A second person validates a disruption, not its claimant."))
    if not accept and len(reason.strip()) < 10:
        raise ValidationError({"reason": _("Say why the claim is rejected.")})
    moved = Disruption.objects.filter(pk=disruption.pk, status=DisruptionStatus.CLAIMED).update(
        status=DisruptionStatus.VALIDATED if accept else DisruptionStatus.REJECTED,
        validated_by=actor,
        validated_at=timezone.now(),
        rejection_reason="" if accept else reason.strip(),
    )
    if moved != 1:
        raise ValidationError(_("This disruption has already been decided."))
    disruption.refresh_from_db()
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type="plans.disruption",
        object_id=str(disruption.pk),
        object_repr=f"disruption of {item.reference}",
        owner_code=item.owner.code,
        detail={"status": disruption.status, "reason": reason.strip()[:500]},
    )
    notify(
        [disruption.claimed_by],
        code="plan.disruption_decided",
        params={
            "ref": item.reference,
            "status": label(DisruptionStatus(disruption.status), lower=True),
        },
        link=item.get_absolute_url(),
        about=disruption,
    )
    return disruption
