"""Changes to any protected record's marking and sharing: permission, validation, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.choices import ShareCause
from concord.core.models import AuditAction, ProtectedRecord, Share


def _require(actor: Any, action: str, obj: ProtectedRecord) -> None:
    if not policy.can(actor, action, obj):
        raise PermissionDenied(_("You cannot do that to this record."))


@transaction.atomic
def share_record(
    *,
    actor: Any,
    obj: ProtectedRecord,
    purpose: str,
    to_organisation: Any = None,
    to_person: Any = None,
    until: dt.date | None = None,
) -> Share:
    """The owner shares one record with another organisation or a named person, for a purpose."""
    _require(actor, policy.SHARE, obj)
    if (to_organisation is None) == (to_person is None):
        raise ValidationError(_("Share with one organisation or one person."))
    if len(purpose.strip()) < 5:
        raise ValidationError({"purpose": _("Say what the share is for.")})
    if until is not None and until < timezone.localdate():
        raise ValidationError({"until": _("The end date cannot be in the past.")})
    if to_organisation is not None and to_organisation.pk == obj.owner_id:
        raise ValidationError({"to_organisation": _("The record already belongs there.")})
    return grant_share(
        actor=actor,
        obj=obj,
        cause=ShareCause.MANUAL,
        purpose=purpose,
        to_organisation=to_organisation,
        to_person=to_person,
        until=until,
    )


def grant_share(
    *,
    actor: Any,
    obj: Any,
    cause: ShareCause,
    purpose: str,
    cause_id: int | None = None,
    to_organisation: Any = None,
    to_person: Any = None,
    until: dt.date | None = None,
    as_work: bool = False,
) -> Share:
    """Give a share, audited: the one way a share begins. The caller is the authority (the
    owner's share, a transfer or tasking request, an appointment, a dissemination); `cause`
    and `cause_id` are how `end_shares` finds it again. An identical live share is reused."""
    if (to_organisation is None) == (to_person is None):
        raise ValidationError(_("Share with one organisation or one person."))
    content_type = ContentType.objects.get_for_model(obj)
    existing = Share.objects.filter(
        content_type=content_type,
        object_id=obj.pk,
        to_organisation=to_organisation,
        to_person=to_person,
        cause=cause,
        cause_id=cause_id,
        revoked_at__isnull=True,
        until=until,
    ).first()
    if existing is not None:
        return existing
    share = Share.objects.create(
        content_type=content_type,
        object_id=obj.pk,
        to_organisation=to_organisation,
        to_person=to_person,
        purpose=purpose.strip()[:300],
        until=until,
        created_by=actor,
        as_work=as_work,
        cause=cause,
        cause_id=cause_id,
    )
    audit.record(
        AuditAction.SHARE,
        actor=actor,
        obj=obj,
        detail={
            "share": share.pk,
            "cause": cause.value,
            "cause_id": cause_id,
            "purpose": share.purpose,
            "to_organisation": getattr(to_organisation, "code", None),
            "to_person": getattr(to_person, "username", None),
            "until": until.isoformat() if until else None,
            "as_work": as_work,
        },
    )
    return share


def end_shares(
    *,
    actor: Any,
    obj: Any,
    cause: ShareCause | None = None,
    cause_id: int | None = None,
    to_person: Any = None,
    to_organisation: Any = None,
) -> int:
    """End the live shares of `obj` given for a cause (and its id; None: every cause), audited:
    the one way shares given by a request, appointment or dissemination end."""
    live = Share.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        revoked_at__isnull=True,
    )
    if cause is not None:
        live = live.filter(cause=cause, cause_id=cause_id)
    if to_person is not None:
        live = live.filter(to_person=to_person)
    if to_organisation is not None:
        live = live.filter(to_organisation=to_organisation)
    ended = list(live.values_list("pk", flat=True))
    if not ended:
        return 0
    Share.objects.filter(pk__in=ended).update(revoked_at=timezone.now())
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=obj,
        detail={
            "shares_ended": ended,
            "cause": cause.value if cause is not None else "all",
            "cause_id": cause_id,
        },
    )
    return len(ended)


@transaction.atomic
def revoke_share(*, actor: Any, share: Share) -> Share:
    """The owner ends one share (whatever gave it)."""
    obj: Any = share.content_type.get_object_for_this_type(pk=share.object_id)
    _require(actor, policy.SHARE, obj)
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        audit.record(
            AuditAction.UPDATE, actor=actor, obj=obj, detail={"share": share.pk, "revoked": True}
        )
    return share


@transaction.atomic
def set_need_to_know(
    *,
    actor: Any,
    obj: ProtectedRecord,
    people: Iterable[Any] = (),
    teams: Iterable[Any] = (),
) -> ProtectedRecord:
    """Limit a record to named people and teams (and the owner's managers); empty lifts it."""
    _require(actor, policy.CHANGE, obj)
    people, teams = list(people), list(teams)
    before = {
        "people": sorted(obj.need_to_know_people.values_list("username", flat=True)),
        "teams": sorted(obj.need_to_know_teams.values_list("name", flat=True)),
    }
    obj.need_to_know_people.set(people)
    obj.need_to_know_teams.set(teams)
    obj.need_to_know_only = bool(people or teams)
    type(obj).objects.filter(pk=obj.pk).update(need_to_know_only=obj.need_to_know_only)
    after = {"people": sorted(p.username for p in people), "teams": sorted(t.name for t in teams)}
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=obj,
        changes=audit.diff(
            {f"need_to_know_{k}": v for k, v in before.items()},
            {f"need_to_know_{k}": v for k, v in after.items()},
        ),
    )
    return obj


MARKING_FIELDS = ("classification", "sensitive", "handling_instructions")


@transaction.atomic
def change_marking(
    *,
    actor: Any,
    obj: ProtectedRecord,
    classification: str,
    sensitive: bool,
    handling_instructions: str = "",
) -> ProtectedRecord:
    """Change a record's classification, SENSITIVE marking and handling instructions."""
    _require(actor, policy.CHANGE, obj)
    before = audit.snapshot(obj, MARKING_FIELDS)
    obj.classification = classification
    obj.sensitive = sensitive
    obj.handling_instructions = handling_instructions
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save(update_fields=[*MARKING_FIELDS, "updated_at"])
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=obj,
        changes=audit.diff(before, audit.snapshot(obj, MARKING_FIELDS)),
    )
    return obj
