"""Changes to referrals: sending one (a form or the API), taking in a file of them whole,
assigning a triager, and each decision. Every one checks the policy's named action, runs in
one transaction and writes the audit trail; decisions tell the sender the outcome, nothing
more."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.choices import OrganisationKind, RoleCode
from concord.core.models import AuditAction
from concord.intelligence import services as intelligence
from concord.organisations.models import Organisation, User
from concord.organisations.notifications import label, notify
from concord.ownership import tasking
from concord.referrals import checks, intake
from concord.referrals.choices import (
    PRIORITY_ORDER,
    Decision,
    Priority,
    ReferralStatus,
    Strength,
)
from concord.referrals.models import (
    PriorityRule,
    Referral,
    ReferralRoute,
    ReferralUpload,
    ResponseTime,
)
from concord.threats.models import Ocg, PriorityIndividual
from concord.threats.services import next_references

# Who triages and decides referrals in the receiving unit.
TRIAGE_ROLES = frozenset(
    {
        RoleCode.ANALYST,
        RoleCode.INTELLIGENCE_OFFICER,
        RoleCode.SIO,
        RoleCode.TASKING_CHAIR,
        RoleCode.SRO,
        RoleCode.CHIEF_OFFICER,
    }
)
DEFAULT_HOURS = 72
# An upload of more rows than this is taken in by a background task (with its progress).
TASK_ROWS = 500


@policy.rule(policy.Act.SEND_REFERRAL)
def may_send_referral(user: Any, obj: Any = None) -> bool:
    """Any partner, or a force's or agency's own team, whose role works with records."""
    return policy.viewer_for(user).sees_records


@policy.rule(policy.Act.TRIAGE_REFERRALS)
def may_triage_referrals(user: Any, obj: Any = None) -> bool:
    """Triage staff of a police organisation (never a partner)."""
    viewer = policy.viewer_for(user)
    return viewer.sees_records and not viewer.is_partner and bool(viewer.roles & TRIAGE_ROLES)


@policy.rule(policy.Act.DECIDE_REFERRAL)
def may_decide_referral(user: Any, referral: Referral) -> bool:
    """Triage staff of the referral's receiving unit."""
    return (
        may_triage_referrals(user, None)
        and referral.receiving_unit_id == policy.viewer_for(user).organisation_id
    )


def _sender_of(actor: Any) -> Organisation:
    if not policy.may(actor, policy.Act.SEND_REFERRAL, None):
        raise PermissionDenied(_("Your role cannot send referrals."))
    organisation: Organisation = actor.acting_organisation()
    return organisation


def _routes() -> dict[str, Organisation]:
    return {
        r.postcode_area: r.receiving_unit
        for r in ReferralRoute.objects.select_related("receiving_unit")
    }


def _timing() -> tuple[dict[str, str], dict[str, int]]:
    rules = dict(PriorityRule.objects.values_list("category", "priority"))
    hours = dict(ResponseTime.objects.values_list("priority", "hours"))
    return rules, hours


def _raised(priority: str) -> str:
    position = PRIORITY_ORDER.index(Priority(priority))
    return PRIORITY_ORDER[max(0, position - 1)].value


@dataclass
class UploadResult:
    """What an upload did, or why it did nothing: errors as (row, column, message)."""

    checked: int = 0
    created: int = 0
    unchanged: int = 0
    strong_matches: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _plan(
    sender: Organisation, rows: Sequence[dict[str, Any]], *, first_row: int
) -> tuple[list[tuple[int, intake.Details, Organisation]], UploadResult]:
    """Check every row (each error by row and column); the good rows with their route."""
    result = UploadResult()
    routes = _routes()
    seen: dict[str, int] = {}
    planned: list[tuple[int, intake.Details, Organisation]] = []
    for offset, raw in enumerate(rows):
        number = first_row + offset
        details, errors = intake.read_row(raw)
        for column, message in errors.items():
            result.errors.append((number, column, message))
        reference = str(raw.get("sender_reference", "") or "").strip()
        if reference:
            if reference in seen:
                result.errors.append(
                    (
                        number,
                        "sender_reference",
                        _("The same reference as row %(row)s: each referral needs its own.")
                        % {"row": seen[reference]},
                    )
                )
            seen.setdefault(reference, number)
        if details is None:
            continue
        unit = routes.get(details.postcode_area)
        if unit is None:
            result.errors.append(
                (
                    number,
                    "postcode",
                    _("No unit receives referrals for postcode area %(area)s yet.")
                    % {"area": details.postcode_area},
                )
            )
            continue
        planned.append((number, details, unit))
    return planned, result


def _store(
    *,
    actor: Any,
    sender: Organisation,
    planned: list[tuple[int, intake.Details, Organisation]],
    result: UploadResult,
    upload: ReferralUpload | None,
    register: checks.Register | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> UploadResult:
    """Create the new referrals (those sent before are left as they are), check them, set
    their priority and due time, and audit each one."""
    existing = set(
        Referral.objects.filter(
            sender=sender, sender_reference__in=[d.sender_reference for _n, d, _u in planned]
        ).values_list("sender_reference", flat=True)
    )
    rules, hours = _timing()
    now = timezone.now()
    fresh = []
    for _number, details, unit in planned:
        if details.sender_reference in existing:
            result.unchanged += 1
            continue
        priority = rules.get(details.category, Priority.P3)
        fresh.append(
            Referral(
                sender=sender,
                submitted_by=actor,
                sender_reference=details.sender_reference,
                upload=upload,
                receiving_unit=unit,
                category=details.category,
                items=details.items,
                found_on=details.found_on,
                place=details.place,
                postcode=details.postcode,
                people=details.people,
                addresses=details.addresses,
                phones=details.phones,
                emails=details.emails,
                accounts=details.accounts,
                handling_code=details.handling_code,
                handling_conditions=details.handling_conditions,
                received_at=now,
                priority=priority,
                due_at=now + dt.timedelta(hours=hours.get(priority, DEFAULT_HOURS)),
            )
        )
    for referral, reference in zip(fresh, next_references("RFL", sender, len(fresh)), strict=True):
        referral.reference = reference
    created: list[Referral] = []
    for start in range(0, len(fresh), 1000):
        created.extend(Referral.objects.bulk_create(fresh[start : start + 1000]))
        if progress is not None:
            progress(len(created), len(fresh) * 2)
    if created and created[0].pk is None:  # a backend that returns no ids
        created = list(
            Referral.objects.filter(
                sender=sender, sender_reference__in=[r.sender_reference for r in fresh]
            )
        )
    register = register or (checks.Register.load() if created else None)
    hits: list[checks.Hit] = []
    for start in range(0, len(created), 1000):
        hits.extend(checks.check(created[start : start + 1000], register))
        if progress is not None:
            progress(len(created) + min(len(created), start + 1000), len(created) * 2)
    strong = {h.referral.pk for h in hits if h.strength == Strength.STRONG}
    raised = []
    for referral in created:
        referral.checked_at = timezone.now()
        if referral.pk in strong:
            referral.priority = _raised(referral.priority)
            referral.due_at = referral.received_at + dt.timedelta(
                hours=hours.get(referral.priority, DEFAULT_HOURS)
            )
        raised.append(referral)
    Referral.objects.bulk_update(raised, ["checked_at", "priority", "due_at"], batch_size=1000)
    audit.record_many(
        [
            audit.build(
                AuditAction.CREATE,
                actor=actor,
                obj=r,
                owner_code=r.receiving_unit.code,
                changes=audit.diff({}, {"sender_reference": r.sender_reference}),
                detail={
                    "sender": sender.code,
                    "category": r.category,
                    "priority": r.priority,
                    "upload": upload.pk if upload else None,
                },
            )
            for r in created
        ]
    )
    result.created = len(created)
    result.strong_matches = len(strong)
    result.referrals = created
    return result


@transaction.atomic
def send_referral(*, actor: Any, row: dict[str, Any]) -> Referral:
    """Send one referral (the form and the API): checked at once; sending the same sender's
    reference again returns the referral already received, unchanged."""
    sender = _sender_of(actor)
    planned, result = _plan(sender, [row], first_row=1)
    if result.errors:
        raise ValidationError({column: message for _row, column, message in result.errors})
    reference = planned[0][1].sender_reference
    found = Referral.objects.filter(sender=sender, sender_reference=reference).first()
    if found is not None:
        return found
    _store(actor=actor, sender=sender, planned=planned, result=result, upload=None)
    return result.referrals[0]


def upload_referrals(
    *,
    actor: Any,
    filename: str,
    rows: Sequence[dict[str, Any]] | None = None,
    content: bytes | None = None,
    dry_run: bool = False,
    register: checks.Register | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> UploadResult:
    """Take in a file of referrals whole, or nothing: a missing column is named, each bad
    value by its row and column; references received before are left as they were."""
    sender = _sender_of(actor)
    if rows is None:
        from concord.scoring.importing import read_table

        try:
            rows = read_table(filename, content or b"")
        except ValueError as exc:
            return UploadResult(errors=[(0, "", str(exc))])
    if not rows:
        return UploadResult(errors=[(0, "", _("The file has no referrals."))])
    missing = [column for column in intake.REQUIRED if column not in set(rows[0])]
    planned, result = _plan(sender, rows, first_row=2)
    # A missing column is named once, not again on every row.
    result.errors = [
        *[(1, c, _("The column “%(column)s” is missing.") % {"column": c}) for c in missing],
        *[error for error in result.errors if error[1] not in missing],
    ]
    result.checked = len(planned)
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        upload = ReferralUpload.objects.create(
            sender=sender, uploaded_by=actor, filename=filename[:200], rows=len(rows)
        )
        _store(
            actor=actor,
            sender=sender,
            planned=planned,
            result=result,
            upload=upload,
            register=register,
            progress=progress,
        )
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=upload,
            changes=audit.diff({}, {"filename": upload.filename, "rows": upload.rows}),
            detail={"rows": len(rows), "created": result.created, "unchanged": result.unchanged},
        )
    return result


def _require_decider(actor: Any, referral: Referral) -> None:
    if not policy.visible(actor, referral):
        raise PermissionDenied
    policy.require(actor, policy.Act.DECIDE_REFERRAL, referral)


@transaction.atomic
def assign_referral(*, actor: Any, referral: Referral, triager: User) -> Referral:
    """Give a referral to a triager of the receiving unit."""
    _require_decider(actor, referral)
    if not referral.is_open:
        raise ValidationError({"triager": _("This referral has been decided.")})
    if not may_decide_referral(triager, referral):
        raise ValidationError({"triager": _("Choose a triager of the receiving unit.")})
    before = {"assigned_to": referral.assigned_to_id}
    referral.assigned_to = triager
    referral.status = ReferralStatus.ASSIGNED
    referral.save(update_fields=["assigned_to", "status"])
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=referral,
        owner_code=referral.receiving_unit.code,
        changes=audit.diff(before, {"assigned_to": triager.pk}),
    )
    return referral


def _decide(
    *, actor: Any, referral: Referral, decision: Decision, note: str, **links: Any
) -> Referral:
    """Record the decision, audit it, and tell the sender the outcome."""
    referral.status = ReferralStatus.DECIDED
    referral.decision = decision
    referral.decision_note = note.strip()
    referral.decided_by = actor
    referral.decided_at = timezone.now()
    if referral.assigned_to_id is None:
        referral.assigned_to = actor
    for name, value in links.items():
        setattr(referral, name, value)
    referral.save()
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=referral,
        owner_code=referral.receiving_unit.code,
        changes=audit.diff({"decision": ""}, {"decision": decision.value}),
        detail={
            "decision": decision.value,
            **{name: getattr(value, "pk", None) for name, value in links.items()},
        },
    )
    notify(
        [referral.submitted_by],
        code="referral.decided",
        params={"ref": referral.sender_reference, "decision": label(decision, lower=True)},
        link=referral.get_absolute_url(),
        about=referral,
    )
    return referral


def _open_for_decision(actor: Any, referral: Referral, note: str, minimum: int = 10) -> None:
    _require_decider(actor, referral)
    if not referral.is_open:
        raise ValidationError({"decision": _("This referral has been decided.")})
    if len(note.strip()) < minimum:
        raise ValidationError({"note": _("Give the reason (at least ten characters).")})


@transaction.atomic
def close_referral(*, actor: Any, referral: Referral, note: str) -> Referral:
    """No further action, with the reason."""
    _open_for_decision(actor, referral, note)
    return _decide(actor=actor, referral=referral, decision=Decision.NO_FURTHER_ACTION, note=note)


def referral_text(referral: Referral) -> str:
    """The referral's content, as an intelligence report carries it."""
    lines = [
        _("Referral %(ref)s from %(sender)s (their reference %(theirs)s).")
        % {
            "ref": referral.reference,
            "sender": referral.sender.name,
            "theirs": referral.sender_reference,
        },
        _("Found on %(date)s at %(place)s %(postcode)s: %(items)s.")
        % {
            "date": referral.found_on.isoformat(),
            "place": referral.place,
            "postcode": referral.postcode,
            "items": referral.items_text,
        },
    ]
    for heading, values in (
        (_("People"), [f"{p.get('name', '')} {p.get('dob', '')}".strip() for p in referral.people]),
        (_("Addresses"), referral.addresses),
        (_("Phones"), referral.phones),
        (_("Email addresses"), referral.emails),
        (_("Accounts"), referral.accounts),
    ):
        if values:
            lines.append(f"{heading}: {'; '.join(values)}")
    return "\n".join(lines)


@transaction.atomic
def record_intelligence_from_referral(
    *,
    actor: Any,
    referral: Referral,
    source_evaluation: str,
    intelligence_assessment: str,
    note: str = "",
    nominals: Sequence[str] = (),
) -> Referral:
    """Record an intelligence report carrying the referral's content and handling code."""
    _open_for_decision(actor, referral, note or "intelligence", minimum=1)
    report = intelligence.record_report(
        actor=actor,
        title=_("Referral %(ref)s: %(category)s")
        % {"ref": referral.reference, "category": referral.get_category_display()},
        text=referral_text(referral),
        information_date=referral.found_on,
        place=f"{referral.place} {referral.postcode}".strip()[:200],
        grading=intelligence.Grading(
            source_evaluation=source_evaluation,
            intelligence_assessment=intelligence_assessment,
            handling_code=referral.handling_code,
            handling_conditions=referral.handling_conditions,
        ),
        nominals=nominals,
    )
    return _decide(
        actor=actor,
        referral=referral,
        decision=Decision.INTELLIGENCE,
        note=note,
        intelligence_report=report,
    )


@transaction.atomic
def link_referral(*, actor: Any, referral: Referral, reference: str, note: str) -> Referral:
    """Link the referral to an OCG or priority individual the triager may see."""
    _open_for_decision(actor, referral, note)
    wanted = reference.strip().upper()
    ocg = Ocg.objects.visible_to(actor).filter(reference=wanted).first()
    pi = None
    if ocg is None:
        pi = PriorityIndividual.objects.visible_to(actor).filter(reference=wanted).first()
    if ocg is None and pi is None:
        raise ValidationError(
            {"reference": _("No OCG or priority individual you can see has that reference.")}
        )
    return _decide(
        actor=actor,
        referral=referral,
        decision=Decision.LINKED,
        note=note,
        ocg=ocg,
        priority_individual=pi,
    )


@transaction.atomic
def open_investigation(
    *,
    actor: Any,
    referral: Referral,
    note: str,
    task_to: Organisation | None = None,
    respond_by: dt.date | None = None,
) -> Referral:
    """Open an investigation, or ask another organisation for one (a tasking request)."""
    _open_for_decision(actor, referral, note)
    request = None
    if task_to is not None:
        request = tasking.request_tasking(
            actor=actor,
            to_organisation=task_to,
            capability=_("Investigation of a partner referral"),
            asked=_("Investigate referral %(ref)s") % {"ref": referral.reference},
            reason=note,
            respond_by=respond_by or timezone.localdate() + dt.timedelta(days=14),
        )
    return _decide(
        actor=actor,
        referral=referral,
        decision=Decision.INVESTIGATION,
        note=note,
        tasking_request=request,
    )


@transaction.atomic
def refer_for_safeguarding(*, actor: Any, referral: Referral, note: str) -> Referral:
    """A safeguarding referral was made (to whom and why, in the note)."""
    _open_for_decision(actor, referral, note)
    return _decide(actor=actor, referral=referral, decision=Decision.SAFEGUARDING, note=note)


def decide_referral(
    *,
    actor: Any,
    referral: Referral,
    decision: str,
    note: str = "",
    source_evaluation: str = "",
    intelligence_assessment: str = "",
    reference: str = "",
    task_to: str = "",
    respond_by: dt.date | None = None,
) -> Referral:
    """One decision by its code (from a form or the API), made by its own service."""
    if decision == Decision.NO_FURTHER_ACTION:
        return close_referral(actor=actor, referral=referral, note=note)
    if decision == Decision.INTELLIGENCE:
        return record_intelligence_from_referral(
            actor=actor,
            referral=referral,
            source_evaluation=source_evaluation,
            intelligence_assessment=intelligence_assessment,
            note=note,
        )
    if decision == Decision.LINKED:
        return link_referral(actor=actor, referral=referral, reference=reference, note=note)
    if decision == Decision.INVESTIGATION:
        organisation = Organisation.objects.filter(code=task_to).first() if task_to else None
        if task_to and organisation is None:
            raise ValidationError({"task_to": _("Choose an organisation.")})
        return open_investigation(
            actor=actor,
            referral=referral,
            note=note,
            task_to=organisation,
            respond_by=respond_by,
        )
    if decision == Decision.SAFEGUARDING:
        return refer_for_safeguarding(actor=actor, referral=referral, note=note)
    _require_decider(actor, referral)
    raise ValidationError({"decision": _("Choose a decision.")})


def receiving_units() -> list[Organisation]:
    """Units that receive referrals (for filters)."""
    return list(
        Organisation.objects.filter(
            pk__in=ReferralRoute.objects.values("receiving_unit"),
            kind__in=[OrganisationKind.ROCU, OrganisationKind.FORCE, OrganisationKind.NATIONAL],
        ).order_by("name")
    )


def may_send_or_triage(user: Any) -> bool:
    """Whether to offer the referrals pages at all."""
    return policy.may(user, policy.Act.SEND_REFERRAL, None) or policy.may(
        user, policy.Act.TRIAGE_REFERRALS, None
    )
