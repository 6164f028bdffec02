"""Deconfliction's changes: register an operation, its subjects and deployments (each check
audited and rate-limited), and the watch desk's contact and resolution of a hit. Each is one
transaction that checks the policy's named action, validates and writes the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.choices import OPERATIONAL_ROLES, RoleCode
from concord.core.models import AuditAction, AuditEntry
from concord.deconfliction import checking, federation
from concord.deconfliction.choices import (
    DeploymentKind,
    HitKind,
    HitStatus,
    OperationKind,
    Resolution,
    Side,
    SubjectKind,
)
from concord.deconfliction.models import (
    MAX_RADIUS_M,
    CheckLimit,
    Deployment,
    FederatedToken,
    Hit,
    HitSide,
    Operation,
    Subject,
    SubjectKey,
)
from concord.deconfliction.places import point_of
from concord.organisations.models import User
from concord.organisations.notifications import label, named, notify

# What the audit trail calls a check (a SEARCH of this object type: the monitoring detector
# and the rate limit read these entries).
CHECK = "deconfliction.check"
# An event conflict starting within this long is urgent whatever its flags.
URGENT_WITHIN = dt.timedelta(hours=48)


@policy.rule(policy.Act.DECONFLICT)
def may_deconflict(user: Any, operation: Any) -> bool:
    """Operational people of a police organisation register and check; on one operation, only
    those who may change it (its owner's)."""
    viewer = policy.viewer_for(user)
    if not viewer.sees_records or viewer.is_partner:
        return False
    return operation is None or policy.can(user, policy.CHANGE, operation)


@policy.rule(policy.Act.KEEP_WATCH)
def may_keep_watch(user: Any, obj: Any) -> bool:
    """The watch desk: a person holding the role, with current vetting."""
    viewer = policy.viewer_for(user)
    return bool(viewer.user_id and viewer.classifications and RoleCode.WATCH_DESK in viewer.roles)


def contact_of(operation: Operation) -> str:
    """The pointer the other party is given: whom to call, never what the operation is."""
    parts = [operation.contact_name, operation.contact_phone, operation.contact_email]
    return ", ".join(p for p in parts if p)[:250]


# --- operations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OperationDetails:
    """What registers an operation."""

    name: str
    contact_name: str
    starts: dt.date
    kind: str = OperationKind.STANDALONE
    ends: dt.date | None = None
    contact_phone: str = ""
    contact_email: str = ""
    classification: str = "OFFICIAL"
    sensitive: bool = False
    ocg: Any = None
    priority_individual: Any = None
    plan: Any = None


@transaction.atomic
def register_operation(*, actor: Any, details: OperationDetails) -> Operation:
    """Register an operation of the actor's organisation, ready for its subjects and deployments."""
    policy.require(actor, policy.Act.DECONFLICT, None)
    errors: dict[str, str] = {}
    if not details.name.strip():
        errors["name"] = _("Enter the operation's name.")
    if not details.contact_name.strip():
        errors["contact_name"] = _("Enter whom the other party should call (a person or desk).")
    if details.ends is not None and details.ends < details.starts:
        errors["ends"] = _("The end date must be on or after the start date.")
    if details.kind not in OperationKind.values:
        errors["kind"] = _("Choose a kind of operation.")
    for field, linked in (
        ("ocg", details.ocg),
        ("priority_individual", details.priority_individual),
        ("plan", details.plan),
    ):
        if linked is not None and not policy.visible(actor, linked):
            errors[field] = _("No such record.")
    if errors:
        raise ValidationError(errors)
    viewer = policy.viewer_for(actor)
    if details.classification not in viewer.classifications:
        raise ValidationError({"classification": _("You are not cleared for that classification.")})
    operation = Operation.objects.create(
        owner=actor.acting_organisation(),
        classification=details.classification,
        sensitive=details.sensitive,
        name=details.name.strip(),
        kind=details.kind,
        ocg=details.ocg,
        priority_individual=details.priority_individual,
        plan=details.plan,
        contact_name=details.contact_name.strip(),
        contact_phone=details.contact_phone.strip(),
        contact_email=details.contact_email.strip(),
        starts=details.starts,
        ends=details.ends,
        created_by=actor,
    )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        obj=operation,
        changes=audit.diff({}, audit.snapshot(operation)),
    )
    return operation


@transaction.atomic
def close_operation(*, actor: Any, operation: Operation, ends: dt.date | None = None) -> Operation:
    """End an operation: its subjects and deployments are no longer checked against."""
    policy.require(actor, policy.Act.DECONFLICT, operation, _("No such operation."))
    before = audit.snapshot(operation)
    operation.ends = ends or timezone.localdate()
    if operation.ends < operation.starts:
        raise ValidationError({"ends": _("The end date must be on or after the start date.")})
    operation.save(update_fields=["ends", "updated_at"])
    SubjectKey.objects.filter(operation=operation).update(active=False)
    FederatedToken.objects.filter(operation=operation).update(active=False)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=operation,
        changes=audit.diff(before, audit.snapshot(operation)),
        detail={"deconfliction": "closed"},
    )
    return operation


# --- checks: rate limit and audit ----------------------------------------------------------


def checks_made(actor: Any, since: dt.datetime) -> int:
    return AuditEntry.objects.filter(
        actor_id=actor.pk, action=AuditAction.SEARCH, object_type=CHECK, at__gte=since
    ).count()


def _within_limit(actor: Any) -> None:
    limit = CheckLimit.current()
    now = timezone.now()
    if checks_made(actor, now - dt.timedelta(hours=1)) >= limit.per_hour:
        raise ValidationError(
            _("You have made %(n)s checks in the last hour, the most allowed. Try again later.")
            % {"n": limit.per_hour}
        )
    if checks_made(actor, now - dt.timedelta(days=1)) >= limit.per_day:
        raise ValidationError(
            _("You have made %(n)s checks today, the most allowed. Ask the watch desk.")
            % {"n": limit.per_day}
        )


def fingerprint(keys: set[str]) -> str:
    """A keyed hash of what was checked: repeated checks of one subject can be seen in the
    audit trail without the trail holding the subject."""
    text = "\n".join(sorted(keys)).encode()
    return hmac.new(settings.SECRET_KEY.encode(), text, hashlib.sha256).hexdigest()[:32]


def own_work(actor: Any, operation: Operation) -> bool:
    """Whether an operation is the person's own work: they registered it or are its contact."""
    return operation.created_by_id == actor.pk or bool(
        operation.contact_email and operation.contact_email.lower() == (actor.email or "").lower()
    )


def _audit_check(
    actor: Any, operation: Operation, what: str, keys: set[str], hits: list[Hit]
) -> None:
    audit.record(
        AuditAction.SEARCH,
        actor=actor,
        object_type=CHECK,
        object_id=str(operation.pk),
        object_repr=f"{operation.reference} {what}",
        owner_code=operation.owner.code,
        detail={
            "kind": what,
            "operation": operation.reference,
            "fingerprint": fingerprint(keys),
            "own_work": own_work(actor, operation),
            "hits": [h.reference for h in hits],
        },
    )


# --- hits ----------------------------------------------------------------------------------


def respond_by(urgent: bool) -> dt.datetime:
    limit = CheckLimit.current()
    minutes = limit.urgent_minutes if urgent else limit.respond_minutes
    return timezone.now() + dt.timedelta(minutes=minutes)


def _make_hit(
    *,
    kind: str,
    mine: Subject | Deployment,
    theirs: Subject | Deployment,
    urgent: bool = False,
    score: float = 0.0,
    agreed: tuple[str, ...] = (),
) -> Hit:
    hit = Hit.objects.create(
        kind=kind,
        urgent=urgent,
        a_organisation=mine.operation.owner,
        a_contact=contact_of(mine.operation),
        b_organisation=theirs.operation.owner,
        b_contact=contact_of(theirs.operation),
        score=score,
        agreed=list(agreed),
        respond_by=respond_by(urgent),
    )
    field = "subject" if isinstance(mine, Subject) else "deployment"
    for side, record in ((Side.A, mine), (Side.B, theirs)):
        HitSide.objects.create(hit=hit, side=side, operation=record.operation, **{field: record})
    return hit


def watch_desk() -> list[User]:
    return list(User.objects.filter(is_active=True, roles__code=RoleCode.WATCH_DESK).distinct())


def _people_of(operation: Operation) -> list[User]:
    """Whom a hit on an operation is told: who registered it and its organisation's
    operational people named as its contact by e-mail."""
    people = [operation.created_by] if operation.created_by else []
    if operation.contact_email:
        people += list(
            User.objects.filter(
                email__iexact=operation.contact_email,
                organisation=operation.owner,
                roles__code__in=sorted(OPERATIONAL_ROLES),
            ).distinct()
        )
    return people


def announce(hits: list[Hit]) -> None:
    """Tell both parties (about their own side: only those who may see it are told) and the
    watch desk (a pointer and a link): at once, in Concord and by e-mail."""
    desk = watch_desk()
    for hit in hits:
        for side in hit.sides.select_related("operation__owner"):
            notify(
                _people_of(side.operation),
                code="deconfliction.hit",
                params={"ref": hit.reference, "org": named(side.other_organisation)},
                link=reverse("deconfliction:hit", args=[side.pk]),
                about=side,
            )
        notify(
            desk,
            code="deconfliction.urgent" if hit.urgent else "deconfliction.desk",
            params={
                "ref": hit.reference,
                "a": named(hit.a_organisation),
                "b": named(hit.b_organisation),
            },
            link=reverse("deconfliction:desk_hit", args=[hit.reference]),
        )


# --- subjects ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectDetails:
    """What registers one subject: a person's names and date of birth, or one value."""

    kind: str
    given_name: str = ""
    surname: str = ""
    aliases: str = ""
    dob: dt.date | None = None
    value: str = ""
    postcode: str = ""


def _validate_subject(details: SubjectDetails) -> None:
    if details.kind not in SubjectKind.values:
        raise ValidationError({"kind": _("Choose what kind of subject this is.")})
    if details.kind == SubjectKind.PERSON:
        if not details.surname.strip():
            raise ValidationError({"surname": _("Enter the person's surname.")})
        if not details.given_name.strip() and details.dob is None:
            raise ValidationError({"given_name": _("Enter a given name or a date of birth.")})
        if details.dob is not None and details.dob > timezone.localdate():
            raise ValidationError({"dob": _("The date of birth must be in the past.")})
    elif details.kind == SubjectKind.POSTCODE:
        if not (details.postcode or details.value).strip():
            raise ValidationError({"postcode": _("Enter the postcode.")})
    elif details.kind == SubjectKind.ADDRESS:
        if not details.value.strip():
            raise ValidationError({"value": _("Enter the address.")})
        if not details.postcode.strip():
            raise ValidationError({"postcode": _("Enter the address's postcode.")})
    elif not details.value.strip():
        raise ValidationError({"value": _("Enter the value to check.")})


@transaction.atomic
def register_subject(
    *, actor: Any, operation: Operation, details: SubjectDetails
) -> tuple[Subject, list[Hit]]:
    """Register a subject of an operation and check it at once against every active subject
    of every other operation (whoever owns it). Each party of a hit learns only whom to call."""
    policy.require(actor, policy.Act.DECONFLICT, operation, _("No such operation."))
    _validate_subject(details)
    _within_limit(actor)
    subject = Subject(
        operation=operation,
        kind=details.kind,
        given_name=details.given_name.strip(),
        surname=details.surname.strip(),
        aliases=details.aliases.strip(),
        dob=details.dob,
        value=details.value.strip(),
        postcode=details.postcode.strip().upper(),
    )
    try:
        keys = checking.keys_of(subject)
    except ValueError as error:
        raise ValidationError({"value": str(error)}) from error
    if not keys:
        field = "postcode" if details.kind in (SubjectKind.POSTCODE,) else "value"
        if details.kind == SubjectKind.PERSON:
            field = "surname"
        raise ValidationError({field: _("This cannot be checked as written: check its format.")})
    subject.save()
    SubjectKey.objects.bulk_create(checking.key_rows(subject, keys))
    found = checking.matches(subject, keys)
    hits = [
        _make_hit(
            kind=HitKind.TARGET, mine=subject, theirs=f.subject, score=f.score, agreed=f.agreed
        )
        for f in found
    ]
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        object_type="deconfliction.subject",
        object_id=str(subject.pk),
        object_repr=f"{operation.reference} {subject.get_kind_display()}",
        owner_code=operation.owner.code,
    )
    _audit_check(actor, operation, str(details.kind), keys, hits)
    announce(hits)
    # Then at every peer instance taking part, as keyed hashes, in the background once this
    # is committed: a peer that is down never holds up or undoes the registration.
    federation.queue_checks(subject, federation.index(subject), contact_of(operation))
    return subject, hits


# --- deployments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeploymentDetails:
    """What registers a planned deployment: what, where (a point or a postcode), when."""

    kind: str
    starts: dt.datetime
    ends: dt.datetime
    place: str = ""
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    radius_m: int = 200
    urgent: bool = False


def _point(details: DeploymentDetails) -> tuple[float, float]:
    if details.latitude is not None and details.longitude is not None:
        if not (49.5 <= details.latitude <= 61.0 and -8.5 <= details.longitude <= 2.0):
            raise ValidationError({"latitude": _("The point must be in the United Kingdom.")})
        return details.latitude, details.longitude
    if not details.postcode.strip():
        raise ValidationError(
            {"postcode": _("Enter a postcode, or the point's latitude and longitude.")}
        )
    found = point_of(details.postcode)
    if found is None:
        raise ValidationError(
            {"postcode": _("That postcode is not in the offline table: give the point instead.")}
        )
    return found


@transaction.atomic
def register_deployment(
    *, actor: Any, operation: Operation, details: DeploymentDetails
) -> tuple[Deployment, list[Hit]]:
    """Register a planned deployment and check it at once against every other operation's:
    places whose circles meet, at times that overlap. A conflict within two days is urgent."""
    policy.require(actor, policy.Act.DECONFLICT, operation, _("No such operation."))
    if details.kind not in DeploymentKind.values:
        raise ValidationError({"kind": _("Choose the kind of deployment.")})
    if details.ends <= details.starts:
        raise ValidationError({"ends": _("The end must be after the start.")})
    if details.ends - details.starts > dt.timedelta(days=31):
        raise ValidationError({"ends": _("A deployment may last at most 31 days.")})
    if not 10 <= details.radius_m <= MAX_RADIUS_M:
        raise ValidationError(
            {"radius_m": _("The radius must be from 10 to %(n)s metres.") % {"n": MAX_RADIUS_M}}
        )
    latitude, longitude = _point(details)
    _within_limit(actor)
    deployment = Deployment.objects.create(
        operation=operation,
        kind=details.kind,
        place=details.place.strip(),
        postcode=details.postcode.strip().upper(),
        latitude=latitude,
        longitude=longitude,
        radius_m=details.radius_m,
        starts=details.starts,
        ends=details.ends,
        urgent=details.urgent,
    )
    soon = deployment.starts - timezone.now() <= URGENT_WITHIN
    hits = [
        _make_hit(
            kind=HitKind.EVENT,
            mine=deployment,
            theirs=other,
            urgent=deployment.urgent or other.urgent or soon,
            score=round(metres),
            agreed=("place", "time"),
        )
        for other, metres in checking.clashes(deployment)
    ]
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        object_type="deconfliction.deployment",
        object_id=str(deployment.pk),
        object_repr=f"{operation.reference} {deployment.get_kind_display()}",
        owner_code=operation.owner.code,
    )
    where = f"{round(latitude, 3)},{round(longitude, 3)}"
    _audit_check(actor, operation, str(details.kind), {where}, hits)
    announce(hits)
    return deployment, hits


# --- the watch desk ------------------------------------------------------------------------


def _desk_hit(actor: Any, hit: Hit) -> Hit:
    policy.require(actor, policy.Act.KEEP_WATCH, hit, _("No such hit."))
    return Hit.objects.select_for_update().get(pk=hit.pk)


def _audit_desk(actor: Any, hit: Hit, before: dict[str, Any], what: str) -> None:
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type="deconfliction.hit",
        object_id=str(hit.pk),
        object_repr=hit.reference,
        changes=audit.diff(before, audit.snapshot(hit)),
        detail={"watch_desk": what},
    )


@transaction.atomic
def record_contact(*, actor: Any, hit: Hit, side: str) -> Hit:
    """Record that the watch desk has contacted one party of a hit."""
    hit = _desk_hit(actor, hit)
    if side not in Side.values:
        raise ValidationError({"side": _("Choose which party was contacted.")})
    if hit.status == HitStatus.RESOLVED:
        raise ValidationError(_("This hit is already resolved."))
    before = audit.snapshot(hit)
    now = timezone.now()
    if side == Side.A:
        hit.a_contacted_at = hit.a_contacted_at or now
    else:
        hit.b_contacted_at = hit.b_contacted_at or now
    if hit.a_contacted_at and hit.b_contacted_at:
        hit.status = HitStatus.CONTACTED
    hit.save()
    _audit_desk(actor, hit, before, f"contacted {hit.organisation(side).code}")
    return hit


@transaction.atomic
def resolve_hit(*, actor: Any, hit: Hit, resolution: str, note: str = "") -> Hit:
    """Record how a hit was resolved (deconflicted, joint working, one party stands down);
    both parties are told the outcome."""
    hit = _desk_hit(actor, hit)
    if resolution not in Resolution.values:
        raise ValidationError({"resolution": _("Choose how the conflict was resolved.")})
    if hit.status == HitStatus.RESOLVED:
        raise ValidationError(_("This hit is already resolved."))
    if len(note) > 1000:
        raise ValidationError({"note": _("Keep the note to 1,000 characters.")})
    before = audit.snapshot(hit)
    hit.status = HitStatus.RESOLVED
    hit.resolution = resolution
    hit.resolution_note = note.strip()
    hit.resolved_at = timezone.now()
    hit.resolved_by = actor
    hit.save()
    _audit_desk(actor, hit, before, f"resolved: {resolution}")
    for side in hit.sides.select_related("operation__owner"):
        notify(
            [p for p in _people_of(side.operation) if p.pk != actor.pk],
            code="deconfliction.resolved",
            params={"ref": hit.reference, "resolution": label(Resolution(resolution), lower=True)},
            link=reverse("deconfliction:hit", args=[side.pk]),
            about=side,
        )
    return hit
