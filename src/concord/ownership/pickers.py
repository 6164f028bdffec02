"""The valid choices of ownership's forms, for the pickers and the forms alike: where a
transfer or tasking request may go, and who may be appointed SIO or LRO to an item (the
right organisation, the qualifying role, current vetting, cleared to see the record)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone

from concord.core import policy
from concord.core.choices import OrganisationKind
from concord.organisations.models import Organisation, User
from concord.ownership import tasking, transfers
from concord.ownership.choices import AppointmentRole, TransferKind
from concord.ownership.models import SUBJECT_FIELDS, TransferRequest
from concord.ownership.services import POST_ROLES
from concord.threats.models import REGISTER_ITEMS, RegisterItem
from concord.web import pickers

# Enough for any organisation's SIOs or LROs; the picker narrows them as the person types.
MAX_APPOINTEES = 200


def tasking_receivers(sender: Organisation) -> list[Organisation]:
    """Where `sender` may send a tasking request (tasking.route_allowed)."""
    return [
        receiver
        for receiver in Organisation.objects.active()
        .exclude(kind=OrganisationKind.PARTNER)
        .exclude(pk=sender.pk)
        .order_by("kind", "name")
        if tasking.route_allowed(sender, receiver)
    ]


def appointee_organisations(
    item: RegisterItem, post: str, transfer: TransferRequest | None = None
) -> list[Organisation]:
    """Whose people may hold the post: the owner's (on completing a transfer, the receiver's,
    which becomes the owner or gives the SIO); an LRO may also be a partner, or, after a full
    transfer, the former owner's SIO who handed the group over."""
    home = [transfer.to_organisation] if transfer is not None else [item.owner]
    if post != AppointmentRole.LRO:
        return home
    if transfer is not None:
        home.append(transfer.from_organisation)
    return [*home, *Organisation.objects.active().filter(kind=OrganisationKind.PARTNER)]


def appointees(item: RegisterItem, post: str, organisations: list[Organisation]) -> list[User]:
    """People who may be appointed to `post` on `item`: working for one of `organisations`
    today, holding a role that qualifies, with current vetting, and cleared to see the record
    (`policy.may_be_shown`: classification and any need-to-know list)."""
    if post not in AppointmentRole.values:
        return []
    today = timezone.localdate()
    wanted = {o.pk for o in organisations}
    candidates = (
        User.objects.filter(
            Q(organisation__in=wanted) | Q(secondments__organisation__in=wanted),
            is_active=True,
            vetting_expires__gte=today,
            roles__code__in=POST_ROLES[AppointmentRole(post)],
        )
        .exclude(vetting_level="")
        .select_related("organisation")
        .distinct()
        .order_by("last_name", "first_name", "username")[:MAX_APPOINTEES]
    )
    return [
        person
        for person in candidates
        if person.acting_organisation(today).pk in wanted and policy.may_be_shown(person, item)
    ]


def person_choice(person: User) -> pickers.Choice:
    organisation = person.acting_organisation()
    hint = " · ".join(x for x in (person.job_title, organisation.label) if x)
    return pickers.Choice(person.username, person.get_full_name() or person.username, hint)


def organisation_choice(organisation: Organisation) -> pickers.Choice:
    return pickers.Choice(
        organisation.code, organisation.display_name, str(organisation.get_kind_display())
    )


def _visible_item(user: Any, value: str) -> RegisterItem:
    """`ocg:OCG-DYP-000001` → the item, or 404 unless the person may see it."""
    kind, _sep, reference = value.partition(":")
    if kind not in SUBJECT_FIELDS:
        raise Http404
    item = (
        REGISTER_ITEMS[kind]
        .objects.visible_to(user)
        .select_related("owner")
        .filter(reference=reference.strip().upper())
        .first()
    )
    if item is None:
        raise Http404
    return item


def _transfer_for_completion(user: Any, value: str) -> TransferRequest:
    """A transfer the person's organisation receives, or 404."""
    transfer = (
        TransferRequest.objects.visible_to(user)
        .select_related("ocg", "priority_individual", "from_organisation", "to_organisation")
        .filter(pk=int(value) if value.isdigit() else 0)
        .first()
    )
    if transfer is None or transfer.to_organisation_id != user.acting_organisation().pk:
        raise Http404
    return transfer


def transfer_to_source(user: Any, params: QueryDict) -> list[pickers.Choice]:
    """`?item=ocg:REF&kind=support`: where a request about the item may go (for the kind)."""
    item = _visible_item(user, params.get("item", ""))
    kind = params.get("kind") or None
    return [organisation_choice(o) for o in transfers.allowed_receivers(item.owner, kind)]


def tasking_to_source(user: Any, params: QueryDict) -> list[pickers.Choice]:
    """Where the person's organisation may send a tasking request."""
    return [organisation_choice(o) for o in tasking_receivers(user.acting_organisation())]


def appointee_source(user: Any, params: QueryDict) -> list[pickers.Choice]:
    """`?transfer=ID&post=sio` (completing a transfer) or `?item=ocg:REF&role=lro` (the
    owner appointing; `role` is the appointment form's field): who may hold the post. Only
    for those who may make the appointment."""
    post = params.get("post") or params.get("role", "")
    transfer = None
    if params.get("transfer"):
        transfer = _transfer_for_completion(user, params.get("transfer", ""))
        item = transfer.subject
        if transfer.kind == TransferKind.SUPPORT and post != AppointmentRole.SIO:
            return []
    else:
        item = _visible_item(user, params.get("item", ""))
        if not policy.can(user, policy.CHANGE, item):
            raise Http404
    organisations = appointee_organisations(item, post, transfer)
    return [person_choice(p) for p in appointees(item, post, organisations)]


def picker_url(source: str, **params: str) -> str:
    from urllib.parse import urlencode

    url = reverse("pickers:choices", args=[source])
    return f"{url}?{urlencode(params)}" if params else url


def register() -> None:
    pickers.register("transfer-to", transfer_to_source)
    pickers.register("tasking-to", tasking_to_source)
    pickers.register("appointee", appointee_source)


def person_label(person: User) -> str:
    """How a person reads in a <select>: name, job title and organisation."""
    choice = person_choice(person)
    return f"{choice.label} ({choice.hint})" if choice.hint else choice.label
