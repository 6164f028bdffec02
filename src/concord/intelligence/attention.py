"""What waits for a person in intelligence (web/attention.py shows it on the home page):

- releases awaiting their four-eyes approval (`Act.APPROVE_RELEASE`: a tasking chair, SRO or
  chief officer of the originating organisation, not the originator);
- C-coded reports shared with them or their organisation whose handling conditions they have
  not accepted (the content opens only after);
- new intelligence: reports shared with them or their organisation in the last
  `NEW_SHARE_DAYS` days that they have not opened since (an audited view of the report after
  the share was made: opening it is what the audit trail records). C-coded reports waiting for
  their conditions are listed under those instead, not twice.

A partner's home shows only its actions, so none of these is offered to partners.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from concord.core import policy
from concord.core.models import AuditAction, AuditEntry, Share
from concord.intelligence.choices import HandlingCode, ReportStatus
from concord.intelligence.models import ConditionsAccepted, IntelReport
from concord.intelligence.services import APPROVER_ROLES
from concord.web import attention
from concord.web.attention import Entry, Row

NEW_SHARE_DAYS = 30


def releases_to_approve(user: Any) -> QuerySet[IntelReport]:
    """Reports of the person's organisation awaiting release approval by someone else."""
    viewer = policy.viewer_for(user)
    if viewer.is_partner or not viewer.roles & APPROVER_ROLES:
        return IntelReport.objects.none()
    return (
        IntelReport.objects.visible_to(user)
        .filter(owner_id=user.acting_organisation().pk, status=ReportStatus.AWAITING)
        .exclude(originator=user)
        .order_by("updated_at", "id")
    )


def _offered(user: Any) -> bool:
    viewer = policy.viewer_for(user)
    return viewer.sees_records and not viewer.is_partner


def _shared_with(user: Any) -> QuerySet[Any]:
    """Released reports of other organisations the person may see, with `shared_at`, when the
    newest live share with them or their organisation was made."""
    viewer = policy.viewer_for(user)
    shares = (
        Share.objects.filter(
            content_type=ContentType.objects.get_for_model(IntelReport),
            object_id=OuterRef("pk"),
            revoked_at__isnull=True,
        )
        .filter(Q(until__isnull=True) | Q(until__gte=timezone.localdate()))
        .filter(Q(to_organisation_id=viewer.organisation_id) | Q(to_person_id=viewer.user_id))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        IntelReport.objects.visible_to(user)
        .exclude(owner_id=viewer.organisation_id)
        .filter(status=ReportStatus.RELEASED)
        .annotate(shared_at=Subquery(shares))
        .filter(shared_at__isnull=False)
        .select_related("owner")
    )


def _with_acceptance(user: Any) -> QuerySet[Any]:
    """What is shared with the person, with `accepted`: whether they accepted its handling
    conditions."""
    accepted = ConditionsAccepted.objects.filter(report=OuterRef("pk"), person_id=user.pk)
    annotated: QuerySet[Any] = _shared_with(user).annotate(accepted=Exists(accepted))
    return annotated


def conditions_to_accept(user: Any) -> QuerySet[Any]:
    """C-coded reports shared with the person whose conditions they have not accepted."""
    if not _offered(user):
        return IntelReport.objects.none()
    return (
        _with_acceptance(user)
        .filter(handling_code=HandlingCode.CONDITIONS, accepted=False)
        .order_by("-shared_at", "-id")
    )


def new_shares(user: Any) -> QuerySet[Any]:
    """Reports shared in the last `NEW_SHARE_DAYS` days not opened by the person since."""
    if not _offered(user):
        return IntelReport.objects.none()
    opened = AuditEntry.objects.filter(
        actor_id=user.pk,
        action=AuditAction.VIEW,
        object_type="intelligence.intelreport",
        object_id=Cast(OuterRef("pk"), CharField()),
        at__gte=OuterRef("shared_at"),
    )
    since = timezone.now() - dt.timedelta(days=NEW_SHARE_DAYS)
    found: QuerySet[Any] = (
        _with_acceptance(user)
        .filter(shared_at__gte=since)
        .filter(Q(accepted=True) | ~Q(handling_code=HandlingCode.CONDITIONS))
        .annotate(opened=Exists(opened))
        .filter(opened=False)
        .order_by("-shared_at", "-id")
    )
    return found


def _report_row(report: IntelReport) -> Row:
    shared_at = getattr(report, "shared_at", None)
    return Row(
        reference=report.reference,
        title=report.title,
        url=reverse("intelligence:report", args=[report.reference]),
        note=(
            _("From %(org)s, shared %(date)s")
            % {
                "org": report.owner.code,
                "date": date_format(timezone.localtime(shared_at).date(), "j F Y"),
            }
            if shared_at
            else _("Graded %(grading)s") % {"grading": report.grading}
        ),
    )


@attention.provider("intelligence")
def waiting(user: Any) -> list[Entry]:
    """Releases to approve, conditions to accept and new intelligence shared."""
    reports = reverse("intelligence:reports")
    return [
        *attention.entry(
            "intelligence.releases_to_approve",
            _("Intelligence releases to approve"),
            releases_to_approve(user),
            _report_row,
            order=13,
            see_all=f"{reports}?status={ReportStatus.AWAITING}",
            see_all_label=_("Reports awaiting release approval"),
        ),
        *attention.entry(
            "intelligence.conditions_to_accept",
            _("Handling conditions to accept"),
            conditions_to_accept(user),
            _report_row,
            order=50,
            hint=_("C-coded intelligence opens once you accept its handling conditions."),
        ),
        *attention.entry(
            "intelligence.new_shares",
            _("New intelligence shared with you"),
            new_shares(user),
            _report_row,
            order=51,
            see_all=reports,
            see_all_label=_("Intelligence"),
            hint=_("Shared with you or your organisation in the last 30 days and not opened."),
        ),
    ]
