"""Changes to intelligence: record, sanitise, release (with four-eyes approval where it must),
disseminate, accept conditions, recall, feedback. Each checks permission first, validates,
runs in one transaction and is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.choices import CLASSIFICATION_RANK, Classification, RoleCode, ShareCause
from concord.core.models import AuditAction, Share, validate_classification
from concord.intelligence import feed
from concord.intelligence.choices import (
    FeedbackKind,
    HandlingCode,
    IntelligenceAssessment,
    ReportStatus,
    SourceEvaluation,
)
from concord.intelligence.models import ConditionsAccepted, Feedback, FeedObject, IntelReport
from concord.organisations.models import Organisation, User
from concord.organisations.notifications import label, notify
from concord.threats.models import Entity, Nominal, Ocg
from concord.threats.services import next_reference, require_mapper

# Who approves the release of a C-coded or SECRET report (a second person, four eyes).
APPROVER_ROLES = frozenset({RoleCode.SRO, RoleCode.CHIEF_OFFICER, RoleCode.TASKING_CHAIR})


@dataclass(frozen=True)
class Grading:
    source_evaluation: str = ""
    intelligence_assessment: str = ""
    handling_code: str = ""
    handling_conditions: str = ""
    legacy_grading: str = ""


def check_grading(grading: Grading) -> None:
    """3x5x2 in full, or a legacy 5x5x5 grading recorded as it was (never both, never
    converted); C needs its conditions. Each problem is named by its field."""
    errors: dict[str, str] = {}
    three = (grading.source_evaluation, grading.intelligence_assessment, grading.handling_code)
    if grading.legacy_grading.strip():
        if any(three):
            errors["legacy_grading"] = _(
                "Record either the 3x5x2 grading or the legacy 5x5x5 grading, not both: a "
                "legacy grading is kept as it was, never converted."
            )
    else:
        if grading.source_evaluation not in SourceEvaluation.values:
            errors["source_evaluation"] = _("Choose the source evaluation (1, 2 or 3).")
        if grading.intelligence_assessment not in IntelligenceAssessment.values:
            errors["intelligence_assessment"] = _("Choose the intelligence assessment (A to E).")
        if grading.handling_code not in HandlingCode.values:
            errors["handling_code"] = _("Choose the handling code (P or C).")
        elif (
            grading.handling_code == HandlingCode.CONDITIONS
            and not grading.handling_conditions.strip()
        ):
            errors["handling_conditions"] = _("A C-coded report needs its handling conditions.")
    if errors:
        raise ValidationError(errors)


def _audit(actor: Any, report: IntelReport, what: str, **detail: Any) -> None:
    audit.record(
        AuditAction.UPDATE, actor=actor, obj=report, detail={"intelligence": what, **detail}
    )


@transaction.atomic
def record_report(
    *,
    actor: Any,
    title: str,
    text: str,
    information_date: dt.date,
    grading: Grading,
    place: str = "",
    classification: str = Classification.OFFICIAL,
    sensitive: bool = False,
    ocgs: Sequence[str] = (),
    nominals: Sequence[str] = (),
) -> IntelReport:
    """Record a report (a draft until released), linked to OCGs and nominals the originator
    may see, and to the POLE entities (phones, vehicles, addresses…) linked to those nominals
    that the originator may see."""
    organisation = require_mapper(actor)
    validate_classification(classification)
    if classification not in policy.viewer_for(actor).classifications:
        raise ValidationError(
            {"classification": _("You cannot mark a record above your own vetting.")}
        )
    if len(title.strip()) < 3:
        raise ValidationError({"title": _("Give the report a title.")})
    if len(text.strip()) < 10:
        raise ValidationError({"text": _("Write the intelligence.")})
    if information_date > timezone.localdate():
        raise ValidationError({"information_date": _("The date cannot be in the future.")})
    check_grading(grading)
    wanted = [r.strip().upper() for r in ocgs if r.strip()]
    linked = list(Ocg.objects.visible_to(actor).filter(reference__in=wanted))
    if len(linked) != len(set(wanted)):
        missing = sorted(set(wanted) - {o.reference for o in linked})
        raise ValidationError(
            {"ocgs": _("Not recognised: %(refs)s") % {"refs": ", ".join(missing)}}
        )
    wanted_people = [r.strip().upper() for r in nominals if r.strip()]
    people = list(Nominal.objects.visible_to(actor).filter(reference__in=wanted_people))
    if len(people) != len(set(wanted_people)):
        missing = sorted(set(wanted_people) - {n.reference for n in people})
        raise ValidationError(
            {"nominals": _("Not recognised: %(refs)s") % {"refs": ", ".join(missing)}}
        )
    report = IntelReport.objects.create(
        owner=organisation,
        reference=next_reference("INT", organisation),
        title=title.strip(),
        text=text.strip(),
        information_date=information_date,
        place=place.strip(),
        originator=actor,
        classification=classification,
        sensitive=sensitive,
        source_evaluation=grading.source_evaluation,
        intelligence_assessment=grading.intelligence_assessment,
        handling_code=grading.handling_code,
        handling_conditions=grading.handling_conditions.strip(),
        legacy_grading=grading.legacy_grading.strip(),
    )
    report.ocgs.set(linked)
    report.nominals.set(people)
    report.entities.set(
        Entity.objects.visible_to(actor)
        .filter(links__nominal__in=people)
        .distinct()
        .values_list("pk", flat=True)
    )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        obj=report,
        changes=audit.diff({}, audit.snapshot(report, ["reference", "classification"])),
        detail={
            "grading": report.grading,
            "ocgs": [o.reference for o in linked],
            "nominals": [n.reference for n in people],
        },
    )
    return report


def _require_originating(actor: Any, report: IntelReport) -> None:
    if not policy.can(actor, policy.CHANGE, report):
        raise PermissionDenied(_("Only the originating organisation does that."))


@transaction.atomic
def sanitise(
    *,
    actor: Any,
    report: IntelReport,
    text: str,
    classification: str,
    sensitive: bool = False,
    grading: Grading | None = None,
) -> IntelReport:
    """A sanitised version at an equal or lower marking, linked to its original; it is the
    version shared wider."""
    _require_originating(actor, report)
    validate_classification(classification)
    if CLASSIFICATION_RANK[Classification(classification)] > CLASSIFICATION_RANK[
        Classification(report.classification)
    ] or (sensitive and not report.sensitive):
        raise ValidationError(
            {"classification": _("A sanitised version is marked at or below its original.")}
        )
    if len(text.strip()) < 10 or text.strip() == report.text:
        raise ValidationError(
            {"text": _("Write the sanitised text (it must differ from the original).")}
        )
    grading = grading or Grading(
        report.source_evaluation,
        report.intelligence_assessment,
        report.handling_code,
        report.handling_conditions,
        report.legacy_grading,
    )
    check_grading(grading)
    version = IntelReport.objects.create(
        owner=report.owner,
        reference=next_reference("INT", report.owner),
        title=report.title,
        text=text.strip(),
        information_date=report.information_date,
        place=report.place,
        originator=actor,
        classification=classification,
        sensitive=sensitive,
        source_evaluation=grading.source_evaluation,
        intelligence_assessment=grading.intelligence_assessment,
        handling_code=grading.handling_code,
        handling_conditions=grading.handling_conditions.strip(),
        legacy_grading=grading.legacy_grading.strip(),
        sanitised_from=report,
    )
    version.ocgs.set(report.ocgs.all())
    version.nominals.set(report.nominals.all())
    version.entities.set(report.entities.all())
    audit.record(
        AuditAction.CREATE, actor=actor, obj=version, detail={"sanitised_from": report.reference}
    )
    return version


def needs_four_eyes(report: IntelReport) -> bool:
    return (
        report.handling_code == HandlingCode.CONDITIONS
        or report.classification == Classification.SECRET
    )


@transaction.atomic
def release(*, actor: Any, report: IntelReport) -> IntelReport:
    """Release a draft: at once, or to a supervisor for approval when it is C-coded or SECRET."""
    _require_originating(actor, report)
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(_("Only a draft is released."))
    if needs_four_eyes(report):
        report.status = ReportStatus.AWAITING
        report.save(update_fields=["status", "updated_at"])
        _audit(actor, report, "release requested")
        approvers = (
            User.objects.filter(
                organisation_id=report.owner_id, is_active=True, roles__code__in=APPROVER_ROLES
            )
            .exclude(pk=actor.pk)
            .distinct()
        )
        notify(
            approvers,
            code="intelligence.awaits_approval",
            params={"ref": report.reference},
            link=f"/intelligence/{report.reference}/",
            about=report,
        )
        return report
    report.status, report.released_at = ReportStatus.RELEASED, timezone.now()
    report.save(update_fields=["status", "released_at", "updated_at"])
    _audit(actor, report, "released")
    return report


@policy.rule(policy.Act.RECORD_INTELLIGENCE)
def may_record_intelligence(user: Any, obj: Any = None) -> bool:
    """Recording intelligence is for those who may add to the register (never a partner)."""
    return policy.may(user, policy.Act.MAP, obj)


@policy.rule(policy.Act.APPROVE_RELEASE)
def may_approve_release(user: Any, report: IntelReport) -> bool:
    """A tasking chair, SRO or chief officer of the originating organisation."""
    return policy.can(user, policy.CHANGE, report) and bool(set(user.role_codes) & APPROVER_ROLES)


@transaction.atomic
def approve_release(*, actor: Any, report: IntelReport) -> IntelReport:
    """A second person of the originating organisation approves the release."""
    _require_originating(actor, report)
    policy.require(
        actor,
        policy.Act.APPROVE_RELEASE,
        report,
        _("A tasking chair, SRO or chief officer approves the release."),
    )
    if actor.pk == report.originator_id:
        raise ValidationError(_("Someone other than the originator approves the release."))
    moved = IntelReport.objects.filter(pk=report.pk, status=ReportStatus.AWAITING).update(
        status=ReportStatus.RELEASED, approved_by=actor, released_at=timezone.now()
    )
    if moved != 1:
        raise ValidationError(_("This report is not awaiting approval."))
    report.refresh_from_db()
    _audit(actor, report, "release approved")
    return report


def _can_share_on(actor: Any, report: IntelReport) -> None:
    """The originator shares; a recipient shares onward only what is P-coded."""
    if policy.can(actor, policy.CHANGE, report):
        return
    if not policy.can(actor, policy.VIEW, report):
        raise PermissionDenied(_("You cannot see this report."))
    if report.handling_code != HandlingCode.PERMITTED:
        raise ValidationError(
            _("Its handling conditions do not allow onward sharing: ask the originator.")
        )


@transaction.atomic
def disseminate(
    *, actor: Any, report: IntelReport, to: Iterable[Organisation], purpose: str
) -> list[Share]:
    """Share a released report with organisations, for a purpose. An original that has a
    sanitised version stays within its organisation: the sanitised version goes wider."""
    _can_share_on(actor, report)
    if report.status != ReportStatus.RELEASED:
        raise ValidationError(_("Release the report before sharing it."))
    if report.sanitised_versions.exists():
        raise ValidationError(_("Share the sanitised version; the original stays here."))
    if len(purpose.strip()) < 5:
        raise ValidationError({"purpose": _("Say what the sharing is for.")})
    organisations = [o for o in to if o.pk != report.owner_id]
    if not organisations:
        raise ValidationError({"to": _("Choose at least one other organisation.")})
    content_type = ContentType.objects.get_for_model(IntelReport)
    shares = []
    for organisation in organisations:
        share, _made = Share.objects.get_or_create(
            content_type=content_type,
            object_id=report.pk,
            to_organisation=organisation,
            revoked_at=None,
            defaults={
                "purpose": purpose.strip(),
                "created_by": actor,
                "cause": ShareCause.DISSEMINATION,
            },
        )
        shares.append(share)
    # Into each recipient's TAXII feed, with the OCGs the sharer may see named as the report
    # names them.
    seen = subjects_seen_by(actor, report)
    feed.publish(report, organisations, seen.ocgs, seen.nominals, seen.entities)
    audit.record(
        AuditAction.SHARE,
        actor=actor,
        obj=report,
        detail={"to": [o.code for o in organisations], "purpose": purpose.strip()},
    )
    notify(
        User.objects.filter(
            organisation__in=organisations,
            is_active=True,
            roles__code__in=[RoleCode.INTELLIGENCE_OFFICER, RoleCode.ANALYST],
        ).distinct(),
        code="intelligence.shared",
        params={"ref": report.reference, "org": report.owner.code},
        link=f"/intelligence/{report.reference}/",
        about=report,
    )
    return shares


@dataclass(frozen=True)
class Subjects:
    ocgs: list[Ocg]
    nominals: list[Nominal]
    entities: list[Entity]


def subjects_seen_by(user: Any, report: IntelReport) -> Subjects:
    """The OCGs, people and identifiers the report concerns that this person may see: all that
    goes with it when they export or share it."""
    return Subjects(
        list(report.ocgs.filter(pk__in=Ocg.objects.visible_to(user).values("pk"))),
        list(report.nominals.filter(pk__in=Nominal.objects.visible_to(user).values("pk"))),
        list(report.entities.filter(pk__in=Entity.objects.visible_to(user).values("pk"))),
    )


def conditions_accepted(user: Any, report: IntelReport) -> bool:
    """A C-coded report opens once the reader has accepted its conditions; the originating
    organisation's own staff need not."""
    if report.handling_code != HandlingCode.CONDITIONS:
        return True
    if report.owner_id == user.acting_organisation().pk:
        return True
    return ConditionsAccepted.objects.filter(report=report, person=user).exists()


@transaction.atomic
def accept_conditions(*, actor: Any, report: IntelReport) -> ConditionsAccepted:
    if not policy.can(actor, policy.VIEW, report):
        raise PermissionDenied(_("You cannot see this report."))
    accepted, _made = ConditionsAccepted.objects.get_or_create(
        report=report,
        person=actor,
        defaults={"conditions": report.handling_conditions, "accepted_at": timezone.now()},
    )
    _audit(actor, report, "conditions accepted")
    return accepted


@transaction.atomic
def recall(*, actor: Any, report: IntelReport, reason: str) -> IntelReport:
    """The originator recalls a report: every share of it ends, so recipients no longer see it."""
    _require_originating(actor, report)
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": _("Say why the report is recalled.")})
    if report.status == ReportStatus.RECALLED:
        raise ValidationError(_("This report is already recalled."))
    now = timezone.now()
    live = Share.objects.filter(
        content_type=ContentType.objects.get_for_model(IntelReport),
        object_id=report.pk,
        revoked_at__isnull=True,
    )
    recipients = list(Organisation.objects.filter(pk__in=live.values("to_organisation")))
    ended = live.update(revoked_at=now)
    report.status, report.recalled_at = ReportStatus.RECALLED, now
    report.save(update_fields=["status", "recalled_at", "updated_at"])
    # The revoked version reaches every feed the report went to, so peers recall it too.
    fed = Organisation.objects.filter(
        pk__in=FeedObject.objects.filter(report=report).values("organisation")
    )
    feed.publish_tombstone(report, {*recipients, *fed})
    _audit(actor, report, "recalled", reason=reason.strip(), shares_ended=ended)
    return report


@transaction.atomic
def give_feedback(*, actor: Any, report: IntelReport, kind: str, note: str = "") -> Feedback:
    if not policy.can(actor, policy.VIEW, report) or not conditions_accepted(actor, report):
        raise PermissionDenied(_("You cannot see this report."))
    if kind not in FeedbackKind.values:
        raise ValidationError({"kind": _("Choose actioned, corroborated or contradicted.")})
    feedback = Feedback.objects.create(
        report=report,
        person=actor,
        organisation=actor.acting_organisation(),
        kind=kind,
        note=note.strip(),
    )
    _audit(actor, report, "feedback", kind=kind)
    notify(
        [report.originator],
        code="intelligence.feedback",
        params={"ref": report.reference, "kind": label(FeedbackKind(feedback.kind), lower=True)},
        link=f"/intelligence/{report.reference}/",
        about=report,
    )
    return feedback
