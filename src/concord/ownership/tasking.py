"""Tasking requests between organisations: ask, decide (accept, decline with a reason, query),
answer, withdraw, record the outcome, and escalate what is overdue to the receiver's chief
officers. The NCA tasking a ROCU is the formal national tasking HMICFRS recommended."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.choices import Classification, OrganisationKind, RoleCode, ShareCause
from concord.core.models import AuditAction, validate_classification
from concord.core.services import grant_share
from concord.organisations.models import Organisation, User
from concord.organisations.notifications import label, notify
from concord.ownership.choices import TASKING_AWAITING, TaskingStatus, Urgency
from concord.ownership.models import TaskingMessage, TaskingRequest
from concord.ownership.services import DECIDER_ROLES, deciders, move_status
from concord.threats.models import Ocg, PriorityIndividual
from concord.threats.services import next_reference, require_mapper


def route_allowed(sender: Organisation, receiver: Organisation) -> bool:
    """Force → its ROCU; ROCU → a force of its region or the NCA; NCA → any ROCU."""
    kinds = (sender.kind, receiver.kind)
    if kinds == (OrganisationKind.FORCE, OrganisationKind.ROCU):
        return sender.region_id == receiver.region_id
    if kinds == (OrganisationKind.ROCU, OrganisationKind.FORCE):
        return sender.region_id == receiver.region_id
    return kinds in {
        (OrganisationKind.ROCU, OrganisationKind.NATIONAL),
        (OrganisationKind.NATIONAL, OrganisationKind.ROCU),
    }


def _link(tasking: TaskingRequest) -> str:
    return reverse("ownership:tasking_detail", args=[tasking.reference])


@policy.rule(policy.Act.REQUEST_TASKING)
def may_request_tasking(user: Any, obj: Any = None) -> bool:
    """Tasking goes between forces, ROCUs and the NCA: for those who may add to the register."""
    return policy.may(user, policy.Act.MAP, obj)


@transaction.atomic
def request_tasking(
    *,
    actor: Any,
    to_organisation: Organisation,
    capability: str,
    asked: str,
    reason: str,
    respond_by: dt.date,
    urgency: str = Urgency.ROUTINE,
    ocg: Ocg | None = None,
    priority_individual: PriorityIndividual | None = None,
    classification: str = Classification.OFFICIAL,
    sensitive: bool = False,
) -> TaskingRequest:
    """Send a tasking request; the receiver's deciders are told, and the receiver sees it
    (and the OCG or PI it concerns) by a share for the request."""
    sender = require_mapper(actor)
    if not route_allowed(sender, to_organisation):
        raise ValidationError(
            {
                "to_organisation": _(
                    "Tasking goes from a force to its ROCU, a ROCU to a force of its region or to "
                    "the NCA, or the NCA to a ROCU."
                )
            }
        )
    if len(capability.strip()) < 3:
        raise ValidationError({"capability": _("Name the capability or action.")})
    if len(asked.strip()) < 5:
        raise ValidationError({"asked": _("Say what is asked.")})
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": _("Give the reason (at least ten characters).")})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("Choose an urgency.")})
    if respond_by < timezone.localdate():
        raise ValidationError({"respond_by": _("The response date cannot be in the past.")})
    validate_classification(classification)
    about = [i for i in (ocg, priority_individual) if i is not None]
    for item in about:
        if not policy.can(actor, policy.VIEW, item):
            raise ValidationError({"ocg": _("No record you can see has that reference.")})
        if item.classification == Classification.SECRET:
            classification = Classification.SECRET
        sensitive = sensitive or item.sensitive
    if classification not in policy.viewer_for(actor).classifications:
        raise ValidationError(
            {"classification": _("You cannot mark a record above your own vetting.")}
        )
    tasking = TaskingRequest.objects.create(
        owner=sender,
        reference=next_reference("TSK", sender),
        to_organisation=to_organisation,
        ocg=ocg,
        priority_individual=priority_individual,
        capability=capability.strip(),
        asked=asked.strip(),
        reason=reason.strip(),
        urgency=urgency,
        respond_by=respond_by,
        requested_by=actor,
        classification=classification,
        sensitive=sensitive,
    )
    purpose = _("Tasking request %(ref)s") % {"ref": tasking.reference}
    for record in (tasking, *about):
        grant_share(
            actor=actor,
            obj=record,
            cause=ShareCause.TASKING_REQUEST,
            cause_id=tasking.pk,
            purpose=purpose,
            to_organisation=to_organisation,
            as_work=True,
        )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        obj=tasking,
        changes=audit.diff(
            {}, audit.snapshot(tasking, ["reference", "capability", "respond_by", "urgency"])
        ),
        detail={"to": to_organisation.code, "about": [i.reference for i in about]},
    )
    notify(
        deciders(to_organisation),
        code="tasking.requested",
        params={"ref": tasking.reference, "org": sender.code, "date": respond_by.isoformat()},
        link=_link(tasking),
        about=tasking,
    )
    return tasking


@policy.rule(policy.Act.DECIDE_TASKING)
def may_decide_tasking(user: Any, tasking: TaskingRequest) -> bool:
    """A tasking chair, SRO or chief officer of the receiving organisation who may see it."""
    return (
        user.acting_organisation().pk == tasking.to_organisation_id
        and bool(set(user.role_codes) & DECIDER_ROLES)
        and policy.visible(user, tasking)
    )


def _require_receiver_decider(actor: Any, tasking: TaskingRequest) -> None:
    policy.require(
        actor,
        policy.Act.DECIDE_TASKING,
        tasking,
        _("Only a tasking chair, SRO or chief officer of the receiving organisation decides."),
    )


def _audit(actor: Any, tasking: TaskingRequest, what: str, text: str = "") -> None:
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=tasking,
        detail={"action": what, "status": tasking.status, "text": text.strip()[:500]},
    )


@transaction.atomic
def decide_tasking(
    *, actor: Any, tasking: TaskingRequest, decision: str, reason: str = ""
) -> TaskingRequest:
    """Accept, decline (with a reason) or query a tasking request."""
    _require_receiver_decider(actor, tasking)
    now = timezone.now()
    if decision in ("accept", "decline"):
        if decision == "decline" and len(reason.strip()) < 10:
            raise ValidationError({"reason": _("Say why the request is declined.")})
        move_status(
            tasking,
            TASKING_AWAITING,
            status=TaskingStatus.ACCEPTED if decision == "accept" else TaskingStatus.DECLINED,
            decided_by_id=actor.pk,
            decided_at=now,
            decision_reason=reason.strip(),
        )
    elif decision == "query":
        if len(reason.strip()) < 5:
            raise ValidationError({"reason": _("Write the question.")})
        move_status(tasking, {TaskingStatus.REQUESTED}, status=TaskingStatus.QUERIED)
        TaskingMessage.objects.create(tasking=tasking, author=actor, text=reason.strip())
    else:
        raise ValidationError({"decision": _("Accept, decline or query.")})
    _audit(actor, tasking, decision, reason)
    notify(
        [tasking.requested_by],
        code="tasking.decided",
        params={
            "ref": tasking.reference,
            "status": label(TaskingStatus(tasking.status), lower=True),
            "reason": reason.strip(),
        },
        link=_link(tasking),
        about=tasking,
    )
    return tasking


def _require_sender(actor: Any, tasking: TaskingRequest) -> None:
    if not policy.can(actor, policy.CHANGE, tasking):
        raise PermissionDenied(_("Only the requesting organisation does that."))


@transaction.atomic
def answer_tasking_query(*, actor: Any, tasking: TaskingRequest, text: str) -> TaskingRequest:
    _require_sender(actor, tasking)
    if len(text.strip()) < 5:
        raise ValidationError({"text": _("Write the answer.")})
    move_status(tasking, {TaskingStatus.QUERIED}, status=TaskingStatus.REQUESTED)
    TaskingMessage.objects.create(tasking=tasking, author=actor, text=text.strip())
    _audit(actor, tasking, "answer", text)
    notify(
        deciders(tasking.to_organisation),
        code="tasking.answered",
        params={"ref": tasking.reference},
        link=_link(tasking),
        about=tasking,
    )
    return tasking


@transaction.atomic
def withdraw_tasking(*, actor: Any, tasking: TaskingRequest, reason: str) -> TaskingRequest:
    _require_sender(actor, tasking)
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": _("Say why the request is withdrawn.")})
    move_status(
        tasking,
        {*TASKING_AWAITING, TaskingStatus.ACCEPTED},
        status=TaskingStatus.WITHDRAWN,
        decision_reason=reason.strip(),
    )
    _audit(actor, tasking, "withdraw", reason)
    return tasking


@transaction.atomic
def record_tasking_outcome(*, actor: Any, tasking: TaskingRequest, outcome: str) -> TaskingRequest:
    """The receiver records what was done; the request is then done."""
    if actor.acting_organisation().pk != tasking.to_organisation_id:
        raise PermissionDenied(_("The receiving organisation records the outcome."))
    if len(outcome.strip()) < 5:
        raise ValidationError({"outcome": _("Say what was done.")})
    move_status(
        tasking, {TaskingStatus.ACCEPTED}, status=TaskingStatus.DONE, outcome=outcome.strip()
    )
    _audit(actor, tasking, "done", outcome)
    notify(
        [tasking.requested_by],
        code="tasking.done",
        params={"ref": tasking.reference},
        link=_link(tasking),
        about=tasking,
    )
    return tasking


def escalate_overdue(*, on: dt.date | None = None) -> list[TaskingRequest]:
    """Tell the receiving organisation's chief officers of every request still awaiting a
    decision after its response date (once per request). Run daily (`concord escalate_tasking`)."""
    today = on or timezone.localdate()
    escalated = []
    overdue = TaskingRequest.objects.filter(
        status__in=TASKING_AWAITING, respond_by__lt=today, escalated_at__isnull=True
    ).select_related("to_organisation")
    for tasking in overdue:
        with transaction.atomic():
            claimed = TaskingRequest.objects.filter(
                pk=tasking.pk, escalated_at__isnull=True
            ).update(escalated_at=timezone.now())
            if not claimed:
                continue  # another run escalated it
            chiefs = User.objects.filter(
                organisation=tasking.to_organisation,
                is_active=True,
                roles__code=RoleCode.CHIEF_OFFICER,
            ).distinct()
            notify(
                chiefs,
                code="tasking.overdue",
                params={"ref": tasking.reference, "date": tasking.respond_by.isoformat()},
                link=_link(tasking),
                about=tasking,
            )
            audit.record(
                AuditAction.UPDATE,
                obj=tasking,
                detail={"action": "escalated", "to": [c.username for c in chiefs]},
            )
        escalated.append(tasking)
    return escalated
