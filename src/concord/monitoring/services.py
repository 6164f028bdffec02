"""Changes in counter-corruption monitoring: declarations and alert reviews, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.models import AuditAction
from concord.monitoring.choices import AlertStatus, Relationship
from concord.monitoring.models import Alert, DeclaredAssociation
from concord.monitoring.scope import alerts_for, require_auditor


@transaction.atomic
def declare_association(
    *,
    actor: Any,
    name: str,
    relationship: str,
    date_of_birth: dt.date | None = None,
    notes: str = "",
) -> DeclaredAssociation:
    """A member of staff declares a relative or associate (seen only by auditors)."""
    name = " ".join(name.split())
    if len(name) < 3:
        raise ValidationError({"name": _("Enter the person's full name.")})
    if relationship not in Relationship.values:
        raise ValidationError({"relationship": _("Choose a relationship from the list.")})
    if date_of_birth and date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": _("The date of birth must be in the past.")})
    declared = DeclaredAssociation.objects.create(
        person=actor,
        name=name,
        relationship=relationship,
        date_of_birth=date_of_birth,
        notes=notes,
    )
    # The audit names the declaration, not the declared person: the trail is widely searched.
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        obj=declared,
        object_repr=f"Declaration {declared.pk} by {actor.username}",
    )
    return declared


@policy.rule(policy.Act.REVIEW_ALERT)
def may_review_alert(user: Any, alert: Alert) -> bool:
    """An auditor who oversees the alert's organisation."""
    try:
        require_auditor(user)
    except Http404:
        return False
    return alerts_for(user).filter(pk=alert.pk).exists()


@transaction.atomic
def review_alert(*, actor: Any, alert: Alert, status: str, note: str) -> Alert:
    """An auditor closes an alert as reviewed, or refers it for investigation."""
    require_auditor(actor)
    if not policy.may(actor, policy.Act.REVIEW_ALERT, alert):
        raise ValidationError(_("This alert is outside what you oversee."))
    if status not in (AlertStatus.REVIEWED, AlertStatus.REFERRED):
        raise ValidationError({"status": _("Choose reviewed or referred.")})
    if len(note.strip()) < 10:
        raise ValidationError({"note": _("Say what you found (at least 10 characters).")})
    if alert.person_id == actor.pk:
        raise ValidationError(_("You cannot review an alert about yourself."))
    before = {"status": alert.status, "review_note": alert.review_note}
    alert.status = status
    alert.review_note = note.strip()
    alert.reviewed_by = actor
    alert.reviewed_at = timezone.now()
    alert.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    audit.record(
        AuditAction.REVIEW,
        actor=actor,
        obj=alert,
        owner_code=alert.organisation.code,
        changes=audit.diff(before, {"status": status, "review_note": alert.review_note}),
    )
    return alert
