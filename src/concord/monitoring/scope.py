"""What an auditor oversees: their organisation; a ROCU's auditors its region; national all."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from concord.core.choices import OrganisationKind, RoleCode
from concord.core.models import AuditEntry
from concord.monitoring.models import Alert, DeclaredAssociation


def require_auditor(user: Any) -> None:
    """Monitoring pages do not exist for anyone but auditors (404, not 403)."""
    if not (user.is_authenticated and user.has_role(RoleCode.AUDITOR) and user.may_sign_in()):
        raise Http404


def overseen_codes(user: Any) -> set[str] | None:
    """Organisation codes the auditor oversees, or None for all (national reach)."""
    from concord.organisations.models import Organisation

    organisation = user.acting_organisation()
    if organisation.national_reach:
        return None
    if organisation.kind == OrganisationKind.ROCU and organisation.region_id:
        return set(
            Organisation.objects.filter(region_id=organisation.region_id).values_list(
                "code", flat=True
            )
        )
    return {organisation.code}


def audit_entries_for(user: Any) -> QuerySet[AuditEntry]:
    codes = overseen_codes(user)
    entries = AuditEntry.objects.all()
    if codes is None:
        return entries
    return entries.filter(Q(organisation_code__in=codes) | Q(owner_code__in=codes))


def alerts_for(user: Any) -> QuerySet[Alert]:
    codes = overseen_codes(user)
    alerts = Alert.objects.select_related("person", "organisation", "reviewed_by")
    return alerts if codes is None else alerts.filter(organisation__code__in=codes)


def declarations_for(user: Any) -> QuerySet[DeclaredAssociation]:
    codes = overseen_codes(user)
    declared = DeclaredAssociation.objects.select_related("person", "person__organisation")
    return declared if codes is None else declared.filter(person__organisation__code__in=codes)
