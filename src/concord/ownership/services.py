"""Ownership: the periods of ownership of an OCG or priority individual, and the SIO, LRO
and SRO appointments with their vacancies (transfers between organisations are in
transfers.py). Shared by transfers and tasking: who decides for an organisation, and the
conditional status change that lets only one of two deciders win.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.choices import RoleCode
from concord.core.models import AuditAction, Share
from concord.organisations.models import Organisation, User
from concord.organisations.notifications import notify
from concord.ownership.choices import (
    AppointmentRole,
)
from concord.ownership.models import (
    Appointment,
    OwnershipPeriod,
    TransferRequest,
    subject_field,
)
from concord.threats.models import RegisterItem

# Who may decide a transfer for their organisation.
DECIDER_ROLES = frozenset({RoleCode.TASKING_CHAIR, RoleCode.SRO, RoleCode.CHIEF_OFFICER})
# The roles that qualify a person for each post. An LRO may be a partner, or the SIO who
# handed a group over on its full transfer.
POST_ROLES = {
    AppointmentRole.SIO: frozenset({RoleCode.SIO}),
    AppointmentRole.LRO: frozenset({RoleCode.LRO, RoleCode.SIO, RoleCode.PARTNER_USER}),
    AppointmentRole.SRO: frozenset({RoleCode.SRO, RoleCode.CHIEF_OFFICER}),
}


def _about(item: RegisterItem) -> dict[str, RegisterItem]:
    if item.kind_code not in ("ocg", "pi"):
        raise ValidationError(_("Only OCGs and priority individuals have owners and appointments."))
    return {subject_field(item): item}


def _link(transfer: TransferRequest) -> str:
    from django.urls import reverse

    return reverse("ownership:transfer_detail", args=[transfer.pk])


# Ownership history ----------------------------------------------------------------------------


def open_period(item: RegisterItem) -> OwnershipPeriod:
    """The item's current ownership period, starting the history from the record's creation
    if it has none yet (records made before the history existed, or by bulk loading)."""
    period = OwnershipPeriod.objects.filter(**_about(item), ended_at__isnull=True).first()
    if period is None:
        period, _created = OwnershipPeriod.objects.get_or_create(
            **_about(item),
            ended_at=None,
            defaults={
                "organisation_id": item.owner_id,
                "started_at": item.created_at or timezone.now(),
                "recorded_by": item.created_by,
            },
        )
    return period


def history(item: RegisterItem) -> list[OwnershipPeriod]:
    open_period(item)
    return list(
        OwnershipPeriod.objects.filter(**_about(item)).select_related("organisation", "transfer")
    )


# Appointments ---------------------------------------------------------------------------------


def _may_appoint(actor: Any, item: RegisterItem) -> None:
    if not policy.can(actor, policy.CHANGE, item):
        raise PermissionDenied(_("Only the owning organisation makes appointments."))


def _give_sight(item: RegisterItem, person: User, actor: Any, purpose: str) -> None:
    """An appointee from another organisation sees the item as their work: a named share,
    audited (and no access reason asked of them)."""
    if person.acting_organisation().pk != item.owner_id:
        _share(item, actor, purpose, to_person=person)


def _take_sight(item: RegisterItem, person: User) -> None:
    """A person who leaves their last post on the item loses the sight it gave them."""
    if Appointment.objects.filter(**_about(item), person=person, ended_on__isnull=True).exists():
        return
    Share.objects.filter(
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
        to_person=person,
        as_work=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())


def _share(item: RegisterItem, actor: Any, purpose: str, **to: Any) -> None:
    """A share the ownership services give as part of a change they make (the request, the
    appointment or the transfer is the authority), audited like any share."""
    share = Share.objects.create(
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
        purpose=purpose,
        created_by=actor,
        as_work=True,
        **to,
    )
    audit.record(
        AuditAction.SHARE,
        actor=actor,
        obj=item,
        detail={"share": share.pk, "to": str(next(iter(to.values()))), "purpose": purpose},
    )


@transaction.atomic
def appoint(
    *,
    actor: Any,
    item: RegisterItem,
    role: str,
    person: User,
    started_on: dt.date | None = None,
    transfer: TransferRequest | None = None,
    check_permission: bool = True,
) -> Appointment:
    """Appoint an SIO, LRO or SRO, ending whoever held the post. The person must hold the
    matching role and current vetting; an appointee from another organisation (a partner LRO)
    is given sight of the item by a named share."""
    if check_permission:
        _may_appoint(actor, item)
    if role not in AppointmentRole.values:
        raise ValidationError({"role": _("Choose SIO, LRO or SRO.")})
    if not person.is_active or not person.vetting_is_current():
        raise ValidationError(
            {
                "person": _("%(name)s cannot be appointed: account or vetting not current.")
                % {"name": person.get_full_name() or person.username}
            }
        )
    if not (set(person.role_codes) & POST_ROLES[AppointmentRole(role)]):
        raise ValidationError(
            {
                "person": _("%(name)s does not hold a role that qualifies for %(role)s.")
                % {
                    "name": person.get_full_name() or person.username,
                    "role": AppointmentRole(role).label,
                }
            }
        )
    on = started_on or timezone.localdate()
    current = (
        Appointment.objects.select_for_update()
        .filter(**_about(item), role=role, ended_on__isnull=True)
        .first()
    )
    if current is not None:
        if current.person_id == person.pk:
            raise ValidationError(
                {"person": _("%(name)s already holds this post.") % {"name": person}}
            )
        current.ended_on = max(on, current.started_on)
        current.save(update_fields=["ended_on"])
        _take_sight(item, current.person)
    appointment = Appointment.objects.create(
        **_about(item),
        role=role,
        person=person,
        organisation=person.acting_organisation(on),
        started_on=on,
        appointed_by=actor,
        transfer=transfer,
    )
    _give_sight(
        item, person, actor, _("Appointed %(role)s") % {"role": appointment.get_role_display()}
    )
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=item,
        changes={role: [current.person.username if current else None, person.username]},
        detail={"appointment": appointment.pk},
    )
    notify(
        [person, *(a.person for a in current_appointments(item).values())],
        subject=_("%(ref)s: %(name)s appointed %(role)s")
        % {
            "ref": item.reference,
            "name": person.get_full_name() or person.username,
            "role": appointment.get_role_display(),
        },
        link=item.get_absolute_url(),
    )
    return appointment


def current_appointments(item: RegisterItem) -> dict[str, Appointment]:
    """The SIO, LRO and SRO in post now, by role."""
    return {
        a.role: a
        for a in Appointment.objects.filter(**_about(item), ended_on__isnull=True).select_related(
            "person", "organisation"
        )
    }


@dataclass(frozen=True)
class Vacancy:
    role: str
    why: str


def vacancies(item: RegisterItem, posts: dict[str, Appointment] | None = None) -> list[Vacancy]:
    """What is missing or no longer valid: no LRO some days after mapping (configurable), an
    SIO or LRO who has left or whose vetting lapsed."""
    posts = current_appointments(item) if posts is None else posts
    found = []
    today = timezone.localdate()
    opened = timezone.localtime(item.created_at).date() if item.created_at else today
    if (
        AppointmentRole.LRO not in posts
        and (today - opened).days >= settings.CONCORD_LRO_VACANCY_DAYS
    ):
        found.append(
            Vacancy(
                AppointmentRole.LRO,
                _("No LRO %(days)s days after mapping.")
                % {"days": settings.CONCORD_LRO_VACANCY_DAYS},
            )
        )
    for role in (AppointmentRole.SIO, AppointmentRole.LRO):
        post = posts.get(role)
        if post is None:
            continue
        if not post.person.is_active:
            found.append(Vacancy(role, _("%(name)s has left.") % {"name": post.person}))
        elif not post.person.vetting_is_current():
            found.append(Vacancy(role, _("%(name)s's vetting has lapsed.") % {"name": post.person}))
    return found


# Transfer requests ----------------------------------------------------------------------------


def deciders(organisation: Organisation) -> list[User]:
    """The people who decide requests for an organisation."""
    return list(
        User.objects.filter(
            organisation=organisation, is_active=True, roles__code__in=DECIDER_ROLES
        ).distinct()
    )


def move_status(obj: Any, allowed: Iterable[str], **changes: Any) -> None:
    """Change a request's status only if it is still in one of `allowed`: a conditional UPDATE,
    so two people deciding at once cannot both succeed; the loser is told what happened."""
    model = type(obj)
    moved = model._base_manager.filter(pk=obj.pk, status__in=list(allowed)).update(**changes)
    if moved != 1:
        current = model._base_manager.get(pk=obj.pk)
        raise ValidationError(
            _("This request is already %(status)s.")
            % {"status": current.get_status_display().lower()}
        )
    for name, value in changes.items():
        setattr(obj, name, value)
