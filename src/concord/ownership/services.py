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
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.choices import RoleCode, ShareCause
from concord.core.models import AuditAction
from concord.core.services import end_shares, grant_share
from concord.organisations.models import Organisation, User
from concord.organisations.notifications import label, notify
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


@policy.rule(policy.Act.APPOINT)
def may_appoint(user: Any, item: RegisterItem) -> bool:
    """The owning organisation's staff appoint to an item's posts."""
    return policy.can(user, policy.CHANGE, item)


def _may_appoint(actor: Any, item: RegisterItem) -> None:
    policy.require(
        actor, policy.Act.APPOINT, item, _("Only the owning organisation makes appointments.")
    )


def _give_sight(item: RegisterItem, appointment: Appointment, actor: Any) -> None:
    """An appointee from another organisation sees the item as their work: a named share,
    audited (and no access reason asked of them)."""
    person = appointment.person
    if person.acting_organisation().pk != item.owner_id:
        grant_share(
            actor=actor,
            obj=item,
            cause=ShareCause.APPOINTMENT,
            cause_id=appointment.pk,
            purpose=_("Appointed %(role)s") % {"role": appointment.get_role_display()},
            to_person=person,
            as_work=True,
        )


def _take_sight(item: RegisterItem, appointment: Appointment, actor: Any) -> None:
    """A person who leaves a post loses the sight it gave them (another post they still hold
    on the item keeps its own share)."""
    end_shares(actor=actor, obj=item, cause=ShareCause.APPOINTMENT, cause_id=appointment.pk)


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
    if not policy.may_be_shown(person, item):
        raise ValidationError(
            {
                "person": _(
                    "%(name)s cannot be appointed: they are not cleared to see %(ref)s "
                    "(%(marking)s) or are not on its need-to-know list."
                )
                % {
                    "name": person.get_full_name() or person.username,
                    "ref": item.reference,
                    "marking": item.marking,
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
        _take_sight(item, current, actor)
    appointment = Appointment.objects.create(
        **_about(item),
        role=role,
        person=person,
        organisation=person.acting_organisation(on),
        started_on=on,
        appointed_by=actor,
        transfer=transfer,
    )
    _give_sight(item, appointment, actor)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=item,
        changes={role: [current.person.username if current else None, person.username]},
        detail={"appointment": appointment.pk},
    )
    notify(
        [person, *(a.person for a in current_appointments(item).values())],
        code="ownership.appointed",
        params={
            "ref": item.reference,
            "name": person.get_full_name() or person.username,
            "role": label(AppointmentRole(appointment.role)),
        },
        link=item.get_absolute_url(),
        about=item,
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


# The date each owned kind of item came onto the register: the vacancy clock runs from it.
ON_REGISTER_SINCE = {"ocg": "mapped_on", "pi": "designated_on"}


def on_register_since(item: RegisterItem) -> dt.date:
    """When the item was mapped (an OCG) or designated (a priority individual), not when its
    row was written: a group mapped eight months ago and loaded today is eight months old."""
    field = ON_REGISTER_SINCE.get(item.kind_code)
    day = getattr(item, field, None) if field else None
    if isinstance(day, dt.date):
        return day
    return timezone.localtime(item.created_at).date() if item.created_at else timezone.localdate()


def on_register_before(model: type[RegisterItem], day: dt.date) -> Q:
    """Items of a kind mapped (or designated) before `day`: the vacancy clock as a filter, for
    lists that find vacancies in the database (the agenda, a person's home page)."""
    field = ON_REGISTER_SINCE.get(model.kind_code)
    return Q(**{f"{field}__lt": day}) if field else Q(created_at__date__lt=day)


def lro_vacancy_since() -> dt.date:
    """Items on the register before this day and still without an LRO are a vacancy."""
    return timezone.localdate() - dt.timedelta(days=settings.CONCORD_LRO_VACANCY_DAYS - 1)


def vacancies(item: RegisterItem, posts: dict[str, Appointment] | None = None) -> list[Vacancy]:
    """What is missing or no longer valid: no LRO some days after mapping (configurable), an
    SIO or LRO who has left or whose vetting lapsed."""
    posts = current_appointments(item) if posts is None else posts
    found = []
    today = timezone.localdate()
    opened = on_register_since(item)
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
