"""Public statistics releases: prepared by one person of the national function, approved (and
so published) by another, withdrawn with a reason. Each service checks who may act, validates,
writes in one transaction and records the audit trail."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.choices import OrganisationKind, RoleCode
from concord.core.models import AuditAction
from concord.insight import disclosure, statistics
from concord.insight.choices import ReleaseStatus
from concord.insight.models import StatisticsRelease

PREPARERS = frozenset(
    {RoleCode.ANALYST, RoleCode.TASKING_CHAIR, RoleCode.CHIEF_OFFICER, RoleCode.SRO}
)
ROUNDING = (1, 5, 10)


@policy.rule(policy.Act.PREPARE_STATISTICS)
def may_prepare(user: Any, obj: Any = None) -> bool:
    """The national function: analysts, tasking chairs, SROs and chief officers of a national
    organisation, with current vetting."""
    acting = user.acting_organisation() if user.is_authenticated else None
    return bool(
        acting is not None
        and acting.kind == OrganisationKind.NATIONAL
        and user.vetting_is_current()
        and user.role_codes & PREPARERS
    )


def _audit(
    actor: Any,
    release: StatisticsRelease,
    what: str,
    action: AuditAction = AuditAction.UPDATE,
    **detail: Any,
) -> None:
    audit.record(
        action,
        actor=actor,
        object_type="insight.statisticsrelease",
        object_id=str(release.pk),
        object_repr=release.label,
        detail={"release": what, **detail},
    )


def _rules(threshold: Any, rounding_base: Any) -> disclosure.Rules:
    try:
        threshold = int(threshold)
    except (TypeError, ValueError):
        raise ValidationError({"threshold": _("Enter a whole number.")}) from None
    if not 3 <= threshold <= 50:
        raise ValidationError({"threshold": _("Suppress counts below a threshold of 3 to 50.")})
    try:
        base = int(rounding_base)
    except (TypeError, ValueError):
        raise ValidationError({"rounding_base": _("Choose a rounding from the list.")}) from None
    if base not in ROUNDING:
        raise ValidationError({"rounding_base": _("Choose a rounding from the list.")})
    return disclosure.Rules(
        threshold=threshold,
        rounding_base=base,
        protection=disclosure.Protection(percent=20, width=max(base, 3)),
    )


def _rules_data(rules: disclosure.Rules) -> dict[str, Any]:
    return {
        "threshold": rules.threshold,
        "rounding_base": rules.rounding_base,
        "protection": {"percent": rules.protection.percent, "width": rules.protection.width},
    }


@transaction.atomic
def prepare_release(
    *, actor: Any, year: int, quarter: int, threshold: Any = 10, rounding_base: Any = 5
) -> StatisticsRelease:
    """Count a finished quarter, protect every table and keep it as the quarter's draft
    (replacing an earlier draft); nothing is public until a second person approves it."""
    policy.require(
        actor, policy.Act.PREPARE_STATISTICS, None, _("Only the national function does that.")
    )
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("Choose a quarter from 1 to 4.")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter the financial year it starts in.")})
    _first, last = statistics.quarter_dates(year, quarter)
    if last >= timezone.localdate():
        raise ValidationError({"quarter": _("A quarter is released once it has ended.")})
    if StatisticsRelease.objects.filter(
        year=year, quarter=quarter, status=ReleaseStatus.PUBLISHED
    ).exists():
        raise ValidationError({"quarter": _("This quarter is published: withdraw it first.")})
    rules = _rules(threshold, rounding_base)
    counts = statistics.count(year, quarter)
    protected = statistics.protect(counts, rules)
    StatisticsRelease.objects.filter(
        year=year, quarter=quarter, status=ReleaseStatus.DRAFT
    ).delete()
    release = StatisticsRelease.objects.create(
        year=year,
        quarter=quarter,
        rules=_rules_data(rules),
        tables=[p.published() for p in protected],
        counts=counts,
        prepared_by=actor,
        prepared_at=timezone.now(),
    )
    _audit(actor, release, "prepared", AuditAction.CREATE, rules=release.rules)
    return release


@transaction.atomic
def approve_release(*, actor: Any, release: StatisticsRelease) -> StatisticsRelease:
    """Publish a draft: by a second person of the national function, after protecting the
    kept counts again and finding exactly the tables prepared, with no breach."""
    policy.require(
        actor, policy.Act.PREPARE_STATISTICS, None, _("Only the national function does that.")
    )
    release = StatisticsRelease.objects.select_for_update().get(pk=release.pk)
    if release.status != ReleaseStatus.DRAFT:
        raise ValidationError(_("Only a draft is approved."))
    if release.prepared_by_id == actor.pk:
        raise PermissionDenied(_("A release is approved by someone other than who prepared it."))
    protected = statistics.protect(release.counts, statistics.rules_of(release.rules))
    for table in protected:
        breaches = disclosure.check(table.release)
        if breaches:
            raise ValidationError(
                _("The %(table)s table fails disclosure control: it is not published.")
                % {"table": table.code}
            )
    if [p.published() for p in protected] != release.tables:
        raise ValidationError(_("The tables differ from those prepared: prepare it again."))
    release.status = ReleaseStatus.PUBLISHED
    release.approved_by = actor
    release.published_at = timezone.now()
    release.save(update_fields=["status", "approved_by", "published_at"])
    _audit(actor, release, "published")
    return release


@transaction.atomic
def withdraw_release(*, actor: Any, release: StatisticsRelease, reason: str) -> StatisticsRelease:
    """Take a published release (or a draft) off, with the reason; its history shows it."""
    policy.require(
        actor, policy.Act.PREPARE_STATISTICS, None, _("Only the national function does that.")
    )
    text = reason.strip()
    if len(text) < 10:
        raise ValidationError({"reason": _("Say why it is withdrawn (at least ten characters).")})
    if len(text) > 2000:
        raise ValidationError({"reason": _("Keep the reason to 2,000 characters.")})
    release = StatisticsRelease.objects.select_for_update().get(pk=release.pk)
    if release.status == ReleaseStatus.WITHDRAWN:
        raise ValidationError(_("It is already withdrawn."))
    release.status = ReleaseStatus.WITHDRAWN
    release.withdrawn_at = timezone.now()
    release.withdrawn_reason = text
    release.save(update_fields=["status", "withdrawn_at", "withdrawn_reason"])
    _audit(actor, release, "withdrawn", reason=text)
    return release


# --- Oversight, consistency and good practice -------------------------------------------------


def works_with_records(user: Any) -> bool:
    """Effectiveness and good practice are for the police and national agencies' people who
    work with records (a partner sees only its own actions and claims)."""
    viewer = policy.viewer_for(user)
    return viewer.sees_records and not viewer.is_partner


OVERSEERS = frozenset({RoleCode.CHIEF_OFFICER, RoleCode.TASKING_CHAIR})


@policy.rule(policy.Act.OVERSEE)
def may_oversee(user: Any, obj: Any = None) -> bool:
    """A ROCU's chief officer or tasking chair (its governance) for the ROCU and the forces of
    its region; a force's chief officer or chair for the force and its region's ROCU (the
    regional governance board sits the region's forces); the national function for every one.
    With no organisation: whether the person oversees any. What a pack shows is still only
    what its reader may see."""
    if not user.is_authenticated or not user.vetting_is_current():
        return False
    if may_prepare(user, None):
        return True
    acting = user.acting_organisation()
    if acting is None or not user.role_codes & OVERSEERS:
        return False
    if acting.kind not in (OrganisationKind.ROCU, OrganisationKind.FORCE):
        return False
    if obj is None:
        return True
    return bool(
        obj.pk == acting.pk
        or (
            obj.region_id == acting.region_id
            and {acting.kind, obj.kind} == {OrganisationKind.ROCU, OrganisationKind.FORCE}
        )
    )


def start_consistency_run(*, actor: Any) -> str:
    """Queue a consistency run over every ROCU and force (the national function); returns the
    task's id for its progress."""
    from concord.core import tasks
    from concord.insight.tasks import run_consistency

    policy.require(actor, policy.Act.PREPARE_STATISTICS, None)
    with transaction.atomic():
        task_id = tasks.start(
            run_consistency, actor=actor, message=_("Consistency run"), actor_id=actor.pk
        )
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            object_type="insight.consistencyrun",
            detail={"consistency": "started", "task": task_id},
        )
    return task_id


def comment_on_practice(*, actor: Any, practice: Any, text: str) -> Any:
    """Add a comment to a practice (anyone who works with records)."""
    from concord.insight.models import PracticeComment

    if not works_with_records(actor):
        raise PermissionDenied("not allowed to comment")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Enter a comment.")})
    if len(text) > 1000:
        raise ValidationError({"text": _("A comment must be 1,000 characters or fewer.")})
    with transaction.atomic():
        comment = PracticeComment.objects.create(practice=practice, author=actor, text=text)
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            object_type="insight.practicecomment",
            object_id=str(comment.pk),
            object_repr=practice.title,
            changes={"text": [None, text]},
        )
    return comment


def record_adoption(
    *, actor: Any, practice: Any, organisation: Any, status: str, since: Any
) -> Any:
    """Record (or change) an organisation's adoption of a practice: those who oversee it."""
    from concord.insight.choices import AdoptionStatus
    from concord.insight.models import Adoption

    if organisation is None:
        raise ValidationError({"organisation": _("Choose an organisation.")})
    policy.require(actor, policy.Act.OVERSEE, organisation)
    if status not in AdoptionStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    if since is None:
        raise ValidationError({"since": _("Enter the date as a real date.")})
    if since > timezone.localdate():
        raise ValidationError({"since": _("The date must be today or in the past.")})
    with transaction.atomic():
        adoption, created = Adoption.objects.update_or_create(
            practice=practice,
            organisation=organisation,
            defaults={"status": status, "since": since, "recorded_by": actor},
        )
        audit.record(
            AuditAction.CREATE if created else AuditAction.UPDATE,
            actor=actor,
            object_type="insight.adoption",
            object_id=str(adoption.pk),
            object_repr=f"{practice.title}: {organisation.code}",
            owner_code=organisation.code,
            changes={"status": [None, status], "since": [None, since.isoformat()]},
        )
    return adoption
