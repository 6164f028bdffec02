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
    share = Share.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        to_organisation=to_organisation,
        to_person=to_person,
        purpose=purpose.strip(),
        until=until,
        created_by=actor,
    )
    audit.record(
        AuditAction.SHARE,
        actor=actor,
        obj=obj,
        detail={
            "share": share.pk,
            "purpose": share.purpose,
            "to_organisation": getattr(to_organisation, "code", None),
            "to_person": getattr(to_person, "username", None),
            "until": until.isoformat() if until else None,
        },
    )
    return share


@transaction.atomic
def revoke_share(*, actor: Any, share: Share) -> Share:
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
