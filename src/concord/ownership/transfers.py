"""Transfer requests between force, ROCU and NCA: the request and its route, decision, query,
withdrawal, the written and confirmed handover, and the change of owner when it completes.

The invariant: an OCG or priority individual has exactly one owner at every moment. The owner
changes only in `complete_transfer`, in the same transaction that closes the open
`OwnershipPeriod` and opens the next; until then the sender stays owner. Every decision is a
conditional UPDATE on the request's status (`services.move_status`), so of two people deciding
at once one wins and the other is told the request was already decided.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.choices import OrganisationKind, RoleCode, ShareCause
from concord.core.models import AuditAction
from concord.core.services import end_shares, grant_share
from concord.organisations.models import Organisation, User
from concord.organisations.notifications import label, notify
from concord.ownership.choices import (
    OPEN_STATUSES,
    AppointmentRole,
    HandoverTopic,
    TransferKind,
    TransferStatus,
    Urgency,
)
from concord.ownership.models import (
    HandoverItem,
    OwnershipPeriod,
    TransferMessage,
    TransferRequest,
)
from concord.ownership.services import (
    DECIDER_ROLES,
    _about,
    _link,
    appoint,
    current_appointments,
    deciders,
    move_status,
    open_period,
)
from concord.threats.models import RegisterItem


def _organisation_of(actor: Any) -> Organisation:
    organisation: Organisation = actor.acting_organisation()
    return organisation


def _check_route(kind: str, sender: Organisation, receiver: Organisation) -> None:
    """Which way each kind of request may go."""
    if sender.pk == receiver.pk:
        raise ValidationError({"to_organisation": _("Choose another organisation.")})
    if receiver.kind == OrganisationKind.PARTNER:
        raise ValidationError(
            {"to_organisation": _("Risk transfers to a force, a ROCU or the NCA, not a partner.")}
        )
    allowed = {
        TransferKind.SUPPORT: {OrganisationKind.ROCU, OrganisationKind.NATIONAL},
        TransferKind.TRANSFER: {OrganisationKind.ROCU, OrganisationKind.NATIONAL},
        TransferKind.DEESCALATION: {OrganisationKind.FORCE},
        TransferKind.ADOPTION: {OrganisationKind.NATIONAL},
    }[TransferKind(kind)]
    if receiver.kind not in allowed:
        raise ValidationError(
            {
                "to_organisation": _("“%(kind)s” goes to: %(allowed)s.")
                % {
                    "kind": TransferKind(kind).label,
                    "allowed": _(" or ").join(
                        str(OrganisationKind(k).label) for k in sorted(allowed)
                    ),
                }
            }
        )
    if kind == TransferKind.DEESCALATION and sender.kind == OrganisationKind.FORCE:
        raise ValidationError({"kind": _("A force de-escalates nothing: it is the lowest level.")})
    if (
        receiver.kind == OrganisationKind.ROCU
        and sender.kind == OrganisationKind.FORCE
        and sender.region_id != receiver.region_id
    ):
        raise ValidationError({"to_organisation": _("A force goes to its own region's ROCU.")})


def allowed_receivers(sender: Organisation, kind: str | None = None) -> list[Organisation]:
    """The organisations a request of `kind` (of any kind when None) from `sender` may go to,
    by the same route rules the request is checked against (for pickers and forms)."""
    kinds = [kind] if kind in TransferKind.values else list(TransferKind.values)
    allowed = []
    for receiver in (
        Organisation.objects.active()
        .exclude(kind=OrganisationKind.PARTNER)
        .select_related("region")
        .order_by("kind", "name")
    ):
        for each in kinds:
            try:
                _check_route(each, sender, receiver)
            except ValidationError:
                continue
            allowed.append(receiver)
            break
    return allowed


@transaction.atomic
def request_transfer(
    *,
    actor: Any,
    item: RegisterItem,
    kind: str,
    to_organisation: Organisation,
    reason: str,
    asked: str,
    urgency: str = Urgency.ROUTINE,
) -> TransferRequest:
    """Ask another organisation to support, take, take back or adopt an item. The owner asks,
    except that the NCA may propose adoption itself. The other party is given sight of the
    item for the request; the sender stays owner until the transfer completes."""
    if kind not in TransferKind.values:
        raise ValidationError({"kind": _("Choose the kind of request.")})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("Choose an urgency.")})
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": _("Give the reason (at least ten characters).")})
    if len(asked.strip()) < 5:
        raise ValidationError({"asked": _("Say what is asked.")})
    # Lock the item: requests for one item are made one at a time.
    item = type(item).objects.select_for_update().get(pk=item.pk)
    owner = item.owner
    mine = _organisation_of(actor)
    proposes_adoption = kind == TransferKind.ADOPTION and mine.pk == to_organisation.pk
    if proposes_adoption:
        if not policy.can(actor, policy.VIEW, item) or mine.kind != OrganisationKind.NATIONAL:
            raise PermissionDenied(_("Only the NCA proposes adoption of what it can see."))
    elif not policy.can(actor, policy.CHANGE, item):
        raise PermissionDenied(_("Only the owning organisation asks to transfer this."))
    _check_route(kind, owner, to_organisation)
    if TransferRequest.objects.filter(**_about(item), status__in=OPEN_STATUSES).exists():
        raise ValidationError(_("%(ref)s already has an open request.") % {"ref": item.reference})
    try:
        with transaction.atomic():
            transfer = TransferRequest.objects.create(
                **_about(item),
                kind=kind,
                from_organisation=owner,
                to_organisation=to_organisation,
                reason=reason.strip(),
                asked=asked.strip(),
                urgency=urgency,
                requested_by=actor,
                requested_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError(
            _("%(ref)s already has an open request.") % {"ref": item.reference}
        ) from None
    other = owner if proposes_adoption else to_organisation
    grant_share(
        actor=actor,
        obj=item,
        cause=ShareCause.TRANSFER_REQUEST,
        cause_id=transfer.pk,
        purpose=_("Transfer request %(id)s") % {"id": transfer.pk},
        to_organisation=other,
        as_work=True,
    )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        object_type="ownership.transferrequest",
        object_id=str(transfer.pk),
        object_repr=f"{transfer.get_kind_display()} {item.reference}",
        detail={"item": item.reference, "from": owner.code, "to": to_organisation.code},
    )
    notify(
        deciders(other),
        code="transfer.requested",
        params={
            "kind": label(TransferKind(transfer.kind)),
            "ref": item.reference,
            "urgency": label(Urgency(transfer.urgency)),
        },
        link=_link(transfer),
        about=transfer,
    )
    return transfer


def deciding_organisation(transfer: TransferRequest) -> int:
    """The party that did not ask decides: the receiver, or the owner when the NCA proposed."""
    asked_by_receiver = (
        transfer.kind == TransferKind.ADOPTION
        and transfer.requested_by.acting_organisation(transfer.requested_at.date()).pk
        == transfer.to_organisation_id
    )
    return transfer.from_organisation_id if asked_by_receiver else transfer.to_organisation_id


@policy.rule(policy.Act.DECIDE_TRANSFER)
def may_decide_transfer(user: Any, transfer: TransferRequest) -> bool:
    """A tasking chair, SRO or chief officer of the deciding party, who may see the request."""
    return (
        _organisation_of(user).pk == deciding_organisation(transfer)
        and bool(set(user.role_codes) & DECIDER_ROLES)
        and policy.visible(user, transfer)
    )


def _require_decider(actor: Any, transfer: TransferRequest) -> None:
    policy.require(
        actor,
        policy.Act.DECIDE_TRANSFER,
        transfer,
        _("Only a tasking chair, SRO or chief officer of the receiving organisation decides."),
    )


@transaction.atomic
def decide_transfer(
    *,
    actor: Any,
    transfer: TransferRequest,
    decision: str,
    reason: str = "",
    meeting: str = "",
) -> TransferRequest:
    """Accept, decline (with a reason) or query a request. A tasking meeting's decision comes
    through here too, naming the meeting."""
    _require_decider(actor, transfer)
    now = timezone.now()
    if decision == "accept":
        move_status(
            transfer,
            {TransferStatus.REQUESTED, TransferStatus.QUERIED},
            status=TransferStatus.ACCEPTED,
            decided_by_id=actor.pk,
            decided_at=now,
            decision_reason=reason.strip(),
            decided_at_meeting=meeting,
        )
    elif decision == "decline":
        if len(reason.strip()) < 10:
            raise ValidationError({"reason": _("Say why the request is declined.")})
        move_status(
            transfer,
            {TransferStatus.REQUESTED, TransferStatus.QUERIED},
            status=TransferStatus.DECLINED,
            decided_by_id=actor.pk,
            decided_at=now,
            decision_reason=reason.strip(),
            decided_at_meeting=meeting,
        )
        _end_request_shares(actor, transfer)
    elif decision == "query":
        if len(reason.strip()) < 5:
            raise ValidationError({"reason": _("Write the question.")})
        move_status(transfer, {TransferStatus.REQUESTED}, status=TransferStatus.QUERIED)
        TransferMessage.objects.create(transfer=transfer, author=actor, text=reason.strip())
    else:
        raise ValidationError({"decision": _("Accept, decline or query.")})
    _audit_transfer(actor, transfer, decision, reason)
    notify(
        [transfer.requested_by],
        code="transfer.decided",
        params={
            "ref": transfer.subject.reference,
            "kind": label(TransferKind(transfer.kind)),
            "status": label(TransferStatus(transfer.status), lower=True),
            "reason": reason.strip(),
        },
        link=_link(transfer),
        about=transfer,
    )
    return transfer


@transaction.atomic
def answer_query(*, actor: Any, transfer: TransferRequest, text: str) -> TransferRequest:
    """The requester answers a query; the request goes back for decision."""
    if _organisation_of(actor).pk == deciding_organisation(transfer):
        raise PermissionDenied(_("The requesting side answers a query."))
    if not policy.can(actor, policy.VIEW, transfer.subject):
        raise PermissionDenied(_("You cannot see this item."))
    if len(text.strip()) < 5:
        raise ValidationError({"text": _("Write the answer.")})
    move_status(transfer, {TransferStatus.QUERIED}, status=TransferStatus.REQUESTED)
    TransferMessage.objects.create(transfer=transfer, author=actor, text=text.strip())
    _audit_transfer(actor, transfer, "answer", text)
    notify(
        deciders(Organisation.objects.get(pk=deciding_organisation(transfer))),
        code="transfer.answered",
        params={"ref": transfer.subject.reference},
        link=_link(transfer),
        about=transfer,
    )
    return transfer


@transaction.atomic
def withdraw_transfer(*, actor: Any, transfer: TransferRequest, reason: str) -> TransferRequest:
    """The requesting side withdraws a request before it completes."""
    if transfer.requested_by_id != actor.pk and not (
        _organisation_of(actor).pk == transfer.requested_by.acting_organisation().pk
        and policy.can(actor, policy.VIEW, transfer.subject)
    ):
        raise PermissionDenied(_("Only the requesting side withdraws a request."))
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": _("Say why the request is withdrawn.")})
    move_status(
        transfer,
        OPEN_STATUSES,
        status=TransferStatus.WITHDRAWN,
        decision_reason=reason.strip(),
        decided_at=timezone.now(),
    )
    _end_request_shares(actor, transfer)
    _audit_transfer(actor, transfer, "withdraw", reason)
    return transfer


def _end_request_shares(actor: Any, transfer: TransferRequest) -> None:
    """A declined or withdrawn request takes back the sight it gave (found by its cause, never
    by the purpose's text, which was written in the requester's language)."""
    end_shares(
        actor=actor,
        obj=transfer.subject,
        cause=ShareCause.TRANSFER_REQUEST,
        cause_id=transfer.pk,
    )


def _audit_transfer(actor: Any, transfer: TransferRequest, what: str, text: str = "") -> None:
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type="ownership.transferrequest",
        object_id=str(transfer.pk),
        object_repr=f"{transfer.get_kind_display()} {transfer.subject.reference}",
        detail={"action": what, "status": transfer.status, "text": text.strip()[:500]},
    )


# Handover and completion ----------------------------------------------------------------------


@transaction.atomic
def write_handover(*, actor: Any, transfer: TransferRequest, topic: str, text: str) -> HandoverItem:
    """The sending owner writes one part of the handover (after acceptance)."""
    if transfer.status != TransferStatus.ACCEPTED:
        raise ValidationError(_("The handover is written once the request is accepted."))
    if _organisation_of(actor).pk != transfer.from_organisation_id or not policy.can(
        actor, policy.CHANGE, transfer.subject
    ):
        raise PermissionDenied(_("The sending owner writes the handover."))
    if topic not in HandoverTopic.values:
        raise ValidationError({"topic": _("Choose a handover topic.")})
    if len(text.strip()) < 5:
        raise ValidationError({"text": _("Write the handover note (say 'None' if so).")})
    item, _created = HandoverItem.objects.update_or_create(
        transfer=transfer,
        topic=topic,
        defaults={
            "text": text.strip(),
            "written_by": actor,
            "confirmed_by": None,
            "confirmed_at": None,
        },
    )
    _audit_transfer(actor, transfer, f"handover:{topic}")
    return item


@transaction.atomic
def confirm_handover(*, actor: Any, transfer: TransferRequest, topic: str) -> HandoverItem:
    """The receiver confirms one part of the handover as received and understood."""
    if _organisation_of(actor).pk != transfer.to_organisation_id:
        raise PermissionDenied(_("The receiving organisation confirms the handover."))
    item = HandoverItem.objects.filter(transfer=transfer, topic=topic).first()
    if item is None:
        raise ValidationError({"topic": _("That part of the handover is not written yet.")})
    item.confirmed_by, item.confirmed_at = actor, timezone.now()
    item.save(update_fields=["confirmed_by", "confirmed_at"])
    _audit_transfer(actor, transfer, f"confirmed:{topic}")
    return item


def handover_missing(transfer: TransferRequest) -> list[str]:
    """Topics not yet written and confirmed, by label."""
    done = set(
        HandoverItem.objects.filter(transfer=transfer, confirmed_at__isnull=False).values_list(
            "topic", flat=True
        )
    )
    return [str(label) for value, label in HandoverTopic.choices if value not in done]


@transaction.atomic
def complete_transfer(
    *,
    actor: Any,
    transfer: TransferRequest,
    sio: User | None = None,
    lro: User | None = None,
) -> TransferRequest:
    """With every part of the handover confirmed, make the change: a new owner (for a full
    transfer, de-escalation or adoption) or a new SIO from the receiver (for SIO support).
    The former owner keeps sight of the item for warrants and safeguarding."""
    if _organisation_of(actor).pk != transfer.to_organisation_id or not (
        set(actor.role_codes) & (DECIDER_ROLES | {RoleCode.SIO})
    ):
        raise PermissionDenied(_("The receiving organisation completes the transfer."))
    missing = handover_missing(transfer)
    if missing:
        raise ValidationError(
            _("The handover is not confirmed yet: %(topics)s.") % {"topics": ", ".join(missing)}
        )
    if transfer.kind == TransferKind.SUPPORT:
        if sio is None:
            raise ValidationError({"sio": _("Name the SIO the receiving organisation appoints.")})
        if sio.acting_organisation().pk != transfer.to_organisation_id:
            raise ValidationError({"sio": _("The SIO comes from the receiving organisation.")})
        if lro is not None:
            raise ValidationError(
                {"lro": _("SIO support keeps the owner and its LRO: name only the SIO.")}
            )
    model = type(transfer.subject)
    item = model.objects.select_for_update().get(pk=transfer.subject.pk)
    now = timezone.now()
    move_status(
        transfer,
        {TransferStatus.ACCEPTED},
        status=TransferStatus.COMPLETED,
        completed_at=now,
    )
    if transfer.kind == TransferKind.SUPPORT:
        assert sio is not None
        appoint(
            actor=actor,
            item=item,
            role=AppointmentRole.SIO,
            person=sio,
            transfer=transfer,
            check_permission=False,
        )
    else:
        change_owner(actor=actor, item=item, to=transfer.to_organisation, transfer=transfer, at=now)
        for role, person in ((AppointmentRole.SIO, sio), (AppointmentRole.LRO, lro)):
            if person is not None:
                appoint(
                    actor=actor,
                    item=item,
                    role=role,
                    person=person,
                    transfer=transfer,
                    check_permission=False,
                )
    _audit_transfer(actor, transfer, "complete")
    posts = current_appointments(item)
    notify(
        [transfer.requested_by, *(a.person for a in posts.values())],
        code="transfer.completed",
        params={"ref": item.reference, "kind": label(TransferKind(transfer.kind))},
        link=item.get_absolute_url(),
        about=item,
    )
    return transfer


def change_owner(
    *, actor: Any, item: RegisterItem, to: Organisation, transfer: TransferRequest, at: Any
) -> None:
    """Close the open ownership period and open the next, and set the item's owner, in one
    transaction (the caller holds the item's row lock)."""
    if item.owner_id != transfer.from_organisation_id:
        raise ValidationError(
            _("%(ref)s is no longer owned by %(org)s.")
            % {"ref": item.reference, "org": transfer.from_organisation.code}
        )
    previous = open_period(item)
    previous.ended_at = at
    previous.save(update_fields=["ended_at"])
    OwnershipPeriod.objects.create(
        **_about(item), organisation=to, started_at=at, transfer=transfer, recorded_by=actor
    )
    before = item.owner
    item.owner = to
    item.save(update_fields=["owner", "updated_at"])
    grant_share(
        actor=actor,
        obj=item,
        cause=ShareCause.FORMER_OWNER,
        cause_id=transfer.pk,
        purpose=_("Former owner: warrants and safeguarding"),
        to_organisation=before,
        as_work=True,
    )
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=item,
        changes={"owner": [before.code, to.code]},
        detail={"transfer": transfer.pk},
    )


def open_requests_for(organisation: Organisation) -> Q:
    """Requests an organisation must act on or is waiting for."""
    return Q(status__in=OPEN_STATUSES) & (
        Q(to_organisation=organisation) | Q(from_organisation=organisation)
    )
