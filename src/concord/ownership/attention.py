"""What waits for a person in ownership: transfer requests to decide, handovers to write,
confirm or complete, tasking requests to decide and outcomes to record, and vacancies on what
their organisation owns (web/attention.py shows them on the home page).

Each query is the named action's own condition written as a filter over what the person may
see (`visible_to`), so a list is one query; tests check that every row passes the rule itself
(`policy.may`) and that the rule refuses what is left out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import BigIntegerField, Case, Count, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core import policy
from concord.core.choices import RoleCode
from concord.organisations.models import Secondment
from concord.ownership import services
from concord.ownership.choices import (
    AppointmentRole,
    HandoverTopic,
    TaskingStatus,
    TransferKind,
    TransferStatus,
)
from concord.ownership.models import Appointment, TaskingRequest, TransferRequest
from concord.threats.models import Ocg, PriorityIndividual, RegisterItem
from concord.web import attention
from concord.web.attention import Entry, Row

# Who writes and completes a handover besides the one who asked: those who decide for the
# organisation and its SIOs and LROs (the rule allows any of the owner's staff to write; the
# home page tells those whose work it is).
HANDOVER_ROLES = frozenset({*services.DECIDER_ROLES, RoleCode.SIO, RoleCode.LRO})
# Who appoints to an item's posts in practice (the rule: the owning organisation's staff).
APPOINTING_ROLES = frozenset({*services.DECIDER_ROLES, RoleCode.SIO, RoleCode.LRO})
TOPICS = len(HandoverTopic.values)


def _requester_organisation() -> Coalesce:
    """The organisation the requester acted for on the day they asked (a secondment wins), as
    `transfers.deciding_organisation` reads it: the NCA proposing adoption acts for the
    receiver, and then the owner decides."""
    seconded_to = Subquery(
        Secondment.objects.filter(
            person_id=OuterRef("requested_by_id"), starts__lte=OuterRef("requested_on")
        )
        .filter(Q(ends__isnull=True) | Q(ends__gte=OuterRef("requested_on")))
        .order_by("-starts")
        .values("organisation_id")[:1]
    )
    return Coalesce(seconded_to, F("requested_by__organisation_id"), output_field=BigIntegerField())


def _open_transfers(user: Any, status: str) -> QuerySet[Any]:
    """Requests in `status` the person may see that their organisation is party to, with
    `deciding`, the deciding party's id."""
    mine = user.acting_organisation().pk
    proposed_by_receiver = Q(
        kind=TransferKind.ADOPTION, requester_organisation=F("to_organisation")
    )
    return (
        TransferRequest.objects.visible_to(user)
        .filter(status=status)
        .filter(Q(to_organisation_id=mine) | Q(from_organisation_id=mine))
        .annotate(requested_on=TruncDate("requested_at", tzinfo=dt.UTC))
        .annotate(requester_organisation=_requester_organisation())
        .annotate(
            deciding=Case(
                When(proposed_by_receiver, then=F("from_organisation_id")),
                default=F("to_organisation_id"),
                output_field=BigIntegerField(),
            )
        )
        .select_related("ocg", "priority_individual", "from_organisation", "requested_by")
        .order_by("requested_at", "id")
    )


def transfers_to_decide(user: Any) -> QuerySet[Any]:
    """Requests awaiting a decision that is this person's (`Act.DECIDE_TRANSFER`): a tasking
    chair, SRO or chief officer of the deciding party, who may see the request. A queried
    request waits for the requester's answer, not for them."""
    if not set(user.role_codes) & services.DECIDER_ROLES:
        return TransferRequest.objects.none()
    return _open_transfers(user, TransferStatus.REQUESTED).filter(
        deciding=user.acting_organisation().pk
    )


def transfer_queries_to_answer(user: Any) -> QuerySet[Any]:
    """Queried requests of the person's side (the party that does not decide): for the one who
    asked and, on that side, those who decide or hold SIO and LRO posts."""
    viewer = policy.viewer_for(user)
    if not viewer.sees_records or viewer.is_partner:
        return TransferRequest.objects.none()
    mine = user.acting_organisation().pk
    queried = _open_transfers(user, TransferStatus.QUERIED).exclude(deciding=mine)
    if not set(user.role_codes) & HANDOVER_ROLES:
        queried = queried.filter(requested_by=user)
    return queried


def _transfer_row(transfer: TransferRequest) -> Row:
    item = transfer.subject
    return Row(
        reference=item.reference,
        title=_("%(kind)s: %(name)s, from %(org)s")
        % {
            "kind": transfer.get_kind_display(),
            "name": item.name,
            "org": transfer.from_organisation.code,
        },
        url=reverse("ownership:transfer_detail", args=[transfer.pk]),
        note=_("%(urgency)s · %(status)s")
        % {"urgency": transfer.get_urgency_display(), "status": transfer.get_status_display()},
    )


def handovers(user: Any) -> tuple[QuerySet[TransferRequest], QuerySet[TransferRequest]]:
    """Accepted requests whose handover waits for this person: to write (their organisation
    sends, not every part written) and to confirm or complete (it receives, a written part
    is unconfirmed or all are confirmed)."""
    none = TransferRequest.objects.none()
    viewer = policy.viewer_for(user)
    if not viewer.sees_records or viewer.is_partner:
        return none, none
    mine = user.acting_organisation().pk
    accepted = (
        TransferRequest.objects.visible_to(user)
        .filter(status=TransferStatus.ACCEPTED)
        .annotate(
            written=Count("handover", distinct=True),
            confirmed=Count(
                "handover", filter=Q(handover__confirmed_at__isnull=False), distinct=True
            ),
        )
        .select_related("ocg", "priority_individual", "from_organisation", "to_organisation")
        .order_by("decided_at", "id")
    )
    handles = bool(set(user.role_codes) & HANDOVER_ROLES)
    to_write = accepted.filter(from_organisation_id=mine, written__lt=TOPICS)
    if not handles:
        to_write = to_write.filter(requested_by=user)
    to_receive = (
        accepted.filter(to_organisation_id=mine).filter(
            Q(confirmed__lt=F("written")) | Q(confirmed__gte=TOPICS)
        )
        if handles
        else none
    )
    # Writing needs the item itself to be the person's organisation's (the sender owns it).
    to_write = to_write.filter(Q(ocg__owner_id=mine) | Q(priority_individual__owner_id=mine))
    return to_write, to_receive


def _handover_row(transfer: Any) -> Row:
    item = transfer.subject
    return Row(
        reference=item.reference,
        title=_("%(kind)s: %(name)s") % {"kind": transfer.get_kind_display(), "name": item.name},
        url=reverse("ownership:transfer_detail", args=[transfer.pk]),
        note=_("%(written)s of %(topics)s parts written, %(confirmed)s confirmed")
        % {"written": transfer.written, "topics": TOPICS, "confirmed": transfer.confirmed},
    )


def taskings_to_decide(user: Any) -> QuerySet[TaskingRequest]:
    """Requests to the person's organisation awaiting a decision, for its deciders
    (`Act.DECIDE_TASKING`; a queried one waits for the sender's answer)."""
    if not set(user.role_codes) & services.DECIDER_ROLES:
        return TaskingRequest.objects.none()
    return (
        TaskingRequest.objects.visible_to(user)
        .filter(to_organisation_id=user.acting_organisation().pk, status=TaskingStatus.REQUESTED)
        .select_related("owner")
        .order_by("respond_by", "id")
    )


def tasking_queries_to_answer(user: Any) -> QuerySet[TaskingRequest]:
    """Queried requests the person's organisation sent: for the one who asked and its
    deciders (answering is the sender's, `policy.can(CHANGE)`)."""
    viewer = policy.viewer_for(user)
    if not viewer.sees_records or viewer.is_partner:
        return TaskingRequest.objects.none()
    queried = (
        TaskingRequest.objects.visible_to(user)
        .filter(owner_id=user.acting_organisation().pk, status=TaskingStatus.QUERIED)
        .select_related("owner")
        .order_by("respond_by", "id")
    )
    if not set(user.role_codes) & HANDOVER_ROLES:
        queried = queried.filter(requested_by=user)
    return queried


def outcomes_to_record(user: Any) -> QuerySet[TaskingRequest]:
    """Accepted requests to the person's organisation whose outcome is not recorded: for the
    one who accepted and the organisation's deciders."""
    mine = Q(decided_by=user)
    if set(user.role_codes) & services.DECIDER_ROLES:
        mine = Q()
    return (
        TaskingRequest.objects.visible_to(user)
        .filter(mine, to_organisation_id=user.acting_organisation().pk)
        .filter(status=TaskingStatus.ACCEPTED)
        .select_related("owner")
        .order_by("respond_by", "id")
    )


def _tasking_row(tasking: TaskingRequest) -> Row:
    return Row(
        reference=tasking.reference,
        title=_("%(capability)s, from %(org)s")
        % {"capability": tasking.capability, "org": tasking.owner.code},
        url=reverse("ownership:tasking_detail", args=[tasking.reference]),
        due=tasking.respond_by,
        note=tasking.get_status_display(),
    )


def vacant(user: Any, model: type[RegisterItem]) -> QuerySet[Any]:
    """Active items the person's organisation owns with a vacancy (`services.vacancies`): no
    LRO some days after mapping, or an SIO or LRO who has left or whose vetting lapsed. For
    those who appoint: the owning organisation's staff (not partners) who hold a post-holding
    or deciding role."""
    viewer = policy.viewer_for(user)
    if not viewer.sees_records or viewer.is_partner or not viewer.roles & APPOINTING_ROLES:
        return model.objects.none()
    field = "ocg" if model is Ocg else "priority_individual"
    today = timezone.localdate()
    current = Appointment.objects.filter(ended_on__isnull=True, **{f"{field}__isnull": False})
    with_lro = current.filter(role=AppointmentRole.LRO).values(f"{field}_id")
    lapsed = (
        current.filter(role__in=[AppointmentRole.SIO, AppointmentRole.LRO])
        .filter(
            Q(person__is_active=False)
            | Q(person__vetting_level="")
            | Q(person__vetting_expires__isnull=True)
            | Q(person__vetting_expires__lt=today)
        )
        .values(f"{field}_id")
    )
    return (
        model.objects.visible_to(user)
        .filter(owner_id=user.acting_organisation().pk, status="active")
        .filter(
            (services.on_register_before(model, services.lro_vacancy_since()) & ~Q(pk__in=with_lro))
            | Q(pk__in=lapsed)
        )
        .order_by("band_rank", "reference")
    )


def _vacancy_row(item: RegisterItem) -> Row:
    found = services.vacancies(item)
    return Row(
        reference=item.reference,
        title=item.name,
        url=reverse("ownership:ownership", args=[item.kind_code, item.reference]),
        note=" ".join(str(v.why) for v in found),
    )


@attention.provider("ownership")
def waiting(user: Any) -> list[Entry]:
    """Decisions, handovers, outcomes and vacancies waiting for the person."""
    to_write, to_receive = handovers(user)
    transfers_list = reverse("ownership:transfers")
    tasking_list = reverse("ownership:tasking")
    entries = [
        *attention.entry(
            "ownership.transfers_to_decide",
            _("Transfer requests to decide"),
            transfers_to_decide(user),
            _transfer_row,
            order=10,
            see_all=transfers_list,
            see_all_label=_("Transfers"),
        ),
        *attention.entry(
            "ownership.taskings_to_decide",
            _("Tasking requests to decide"),
            taskings_to_decide(user),
            _tasking_row,
            order=11,
            see_all=tasking_list,
            see_all_label=_("Tasking"),
        ),
        *attention.entry(
            "ownership.transfer_queries",
            _("Queries on your transfer requests to answer"),
            transfer_queries_to_answer(user),
            _transfer_row,
            order=12,
            see_all=f"{transfers_list}?status={TransferStatus.QUERIED}",
            see_all_label=_("Queried transfer requests"),
        ),
        *attention.entry(
            "ownership.tasking_queries",
            _("Queries on your tasking requests to answer"),
            tasking_queries_to_answer(user),
            _tasking_row,
            order=13,
            see_all=f"{tasking_list}?status={TaskingStatus.QUERIED}",
            see_all_label=_("Queried tasking requests"),
        ),
        *attention.entry(
            "ownership.handovers_to_write",
            _("Handovers to write"),
            to_write,
            _handover_row,
            order=20,
            see_all=transfers_list,
            see_all_label=_("Transfers"),
        ),
        *attention.entry(
            "ownership.handovers_to_receive",
            _("Handovers to confirm or complete"),
            to_receive,
            _handover_row,
            order=21,
            see_all=transfers_list,
            see_all_label=_("Transfers"),
        ),
        *attention.entry(
            "ownership.outcomes_to_record",
            _("Tasking outcomes to record"),
            outcomes_to_record(user),
            _tasking_row,
            order=22,
            see_all=f"{tasking_list}?status={TaskingStatus.ACCEPTED}",
            see_all_label=_("Accepted tasking requests"),
        ),
    ]
    for model, heading, key in (
        (Ocg, _("OCGs with a vacancy"), "ownership.vacancies_ocg"),
        (
            PriorityIndividual,
            _("Priority individuals with a vacancy"),
            "ownership.vacancies_pi",
        ),
    ):
        entries += attention.entry(
            key,
            heading,
            vacant(user, model),
            _vacancy_row,
            order=30,
            hint=_("Appoint an SIO or LRO on the item's ownership page."),
        )
    return entries
