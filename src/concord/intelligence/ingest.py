"""Taking in a signed bundle from a peer: verified, checked whole, then applied in one
transaction, or rejected whole with the reason and nothing changed.

What is checked before anything is written: the signature (the peer's Ed25519 key), that the
bundle says it is from the peer's organisation and to ours, that every object is STIX 2.1 of a
kind Concord exchanges, that every report comes from the peer's organisation with a protective
marking no higher than the peer may send (never TOP SECRET) and a valid 3x5x2 or legacy grading.

Applying is idempotent: a version already held (or older) is skipped, so a bundle received twice
or a sync resumed after an interruption changes nothing the second time. A report becomes a local
report owned by the peer's organisation and shared with the organisation this instance acts for;
its revoked version recalls the local copy.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import stix2
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from stix2.exceptions import STIXError

from concord.core import audit
from concord.core.choices import CLASSIFICATION_RANK, Classification, RoleCode, ShareCause
from concord.core.models import AuditAction, Share
from concord.intelligence import signing, stix
from concord.intelligence.choices import ReportStatus
from concord.intelligence.models import (
    ConditionsAccepted,
    IntelReport,
    Peer,
    ReceivedObject,
)
from concord.intelligence.services import Grading, check_grading
from concord.organisations.models import User
from concord.organisations.notifications import named, notify

KINDS = frozenset(
    {
        "identity",
        "marking-definition",
        "extension-definition",
        "threat-actor",
        "location",
        "email-addr",
        "report",
    }
)
MARKINGS = {
    "OFFICIAL": (Classification.OFFICIAL, False),
    "OFFICIAL-SENSITIVE": (Classification.OFFICIAL, True),
    "SECRET": (Classification.SECRET, False),
    "SECRET-SENSITIVE": (Classification.SECRET, True),
}
MAX_OBJECTS = 20000


class BundleRejectedError(Exception):
    """The whole bundle is refused; the message says why and names the object."""


@dataclass
class Ingested:
    objects: int = 0
    skipped: int = 0
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    recalled: list[str] = field(default_factory=list)


@dataclass
class _Report:
    obj: dict[str, Any]
    reference: str
    title: str
    revoked: bool
    classification: str = ""
    sensitive: bool = False
    grading: Grading = field(default_factory=Grading)
    information_date: dt.date | None = None


def _name(obj: Any, index: int) -> str:
    ident = obj.get("id") if isinstance(obj, dict) else None
    return f"object {index + 1}" + (f" ({ident})" if isinstance(ident, str) else "")


def _already_checked(peer: Peer, objects: list[Any]) -> set[tuple[str, dt.datetime]]:
    """(id, version) of the objects held from this peer with a version at least as new as one
    arriving: such an object is skipped when the bundle is applied, so it is not parsed again
    (it was checked when that version first came)."""
    ids = [o.get("id") for o in objects if isinstance(o, dict) and isinstance(o.get("id"), str)]
    return set(
        ReceivedObject.objects.filter(peer=peer, stix_id__in=ids).values_list("stix_id", "version")
    )


def _held(obj: dict[str, Any], held: set[tuple[str, dt.datetime]]) -> bool:
    if not held:
        return False
    try:
        return (str(obj.get("id")), _version(obj)) in held
    except ValueError:
        return False  # a malformed timestamp: parsing will say so


# The fields the ingest reads from an object, and the JSON type each must have. stix2.parse
# checks them too, but a version already held is not parsed again: a peer resending it with a
# field of another shape is refused here rather than tripping the code that reads it.
SHAPES: dict[str, tuple[type, type | None]] = {
    "definition": (dict, None),
    "external_references": (list, dict),
    "extensions": (dict, None),
    "object_marking_refs": (list, str),
    "object_refs": (list, str),
}


def _misshapen(obj: dict[str, Any]) -> str:
    """The first field the ingest reads whose JSON shape is wrong, or ""."""
    for name, (outer, inner) in SHAPES.items():
        if name not in obj:
            continue
        value: Any = obj[name]
        if not isinstance(value, outer):
            return name
        if isinstance(value, list) and not all(isinstance(item, inner or object) for item in value):
            return name
    return ""


def _check_objects(objects: list[Any], held: set[tuple[str, dt.datetime]]) -> list[dict[str, Any]]:
    """Every object a JSON object of a kind Concord exchanges and valid STIX 2.1 (parsed once
    per distinct object: one identical to an object already checked in the bundle, or whose
    version is already held, is not parsed again)."""
    checked = []
    known: dict[tuple[str, str], dict[str, Any]] = {}
    for index, obj in enumerate(objects):
        where = _name(obj, index)
        if not isinstance(obj, dict):
            raise BundleRejectedError(_("%(where)s is not a JSON object.") % {"where": where})
        kind = obj.get("type")
        if kind not in KINDS:
            raise BundleRejectedError(
                _("%(where)s is of type %(kind)r, which Concord does not exchange.")
                % {"where": where, "kind": kind}
            )
        key = (str(obj.get("id")), str(obj.get("modified") or obj.get("created") or ""))
        if known.get(key) != obj and not _held(obj, held):
            try:
                stix2.parse(obj, allow_custom=False)
            except (STIXError, ValueError, TypeError, KeyError) as error:
                raise BundleRejectedError(
                    _("%(where)s is not valid STIX 2.1: %(error)s")
                    % {"where": where, "error": error}
                ) from None
            known[key] = obj
        misshapen = _misshapen(obj)
        if misshapen:
            raise BundleRejectedError(
                _("%(where)s is not valid STIX 2.1: its %(field)s is not of the right type.")
                % {"where": where, "field": misshapen}
            )
        if kind == "marking-definition" and "TOP SECRET" in str(obj.get("definition", "")).upper():
            raise BundleRejectedError(
                _("%(where)s marks TOP SECRET material, which does not belong on Concord.")
                % {"where": where}
            )
        checked.append(obj)
    return checked


def _statements(peer: Peer, objects: list[dict[str, Any]], wanted: set[str]) -> dict[str, str]:
    found = {
        o["id"]: str(o.get("definition", {}).get("statement", ""))
        for o in objects
        if o["type"] == "marking-definition"
    }
    missing = wanted - set(found)
    if missing:
        for held in ReceivedObject.objects.filter(peer=peer, stix_id__in=missing):
            found[held.stix_id] = str(held.body.get("definition", {}).get("statement", ""))
    return found


def _plan_report(peer: Peer, obj: dict[str, Any], statements: dict[str, str]) -> _Report:
    where = obj["id"]
    if obj.get("created_by_ref") != stix.identity_id(peer.organisation.code):
        raise BundleRejectedError(
            _("Report %(id)s is not from %(org)s, the organisation this peer speaks for.")
            % {"id": where, "org": peer.organisation.name}
        )
    refs = [
        r.get("external_id", "")
        for r in obj.get("external_references", [])
        if r.get("source_name") == "concord"
    ]
    if not refs or not refs[0]:
        raise BundleRejectedError(_("Report %(id)s carries no Concord reference.") % {"id": where})
    reference = str(refs[0]).upper()
    # References name their owner (INT-TARIAN-000012): one naming another organisation would
    # take a reference that organisation's own numbering will give out here.
    if not re.fullmatch(rf"INT-{re.escape(peer.organisation.code)}-\d{{6}}", reference):
        raise BundleRejectedError(
            _("Report %(id)s has the reference %(ref)r, which is not one of %(org)s's.")
            % {"id": where, "ref": reference[:40], "org": peer.organisation.code}
        )
    name = str(obj.get("name", ""))
    title = name[len(reference) :].strip() if name.upper().startswith(reference) else name
    plan = _Report(
        obj=obj,
        reference=reference,
        title=title[:200] or reference,
        revoked=bool(obj.get("revoked")),
    )
    if plan.revoked:
        return plan
    markings = [statements.get(ref, "") for ref in obj.get("object_marking_refs", [])]
    if any("TOP SECRET" in text.upper() for text in markings):
        raise BundleRejectedError(
            _("Report %(id)s is marked TOP SECRET, which does not belong on Concord.")
            % {"id": where}
        )
    known = [MARKINGS[text] for text in markings if text in MARKINGS]
    if not known:
        raise BundleRejectedError(
            _("Report %(id)s carries no protective marking Concord recognises.") % {"id": where}
        )
    plan.classification, plan.sensitive = max(known, key=lambda m: CLASSIFICATION_RANK[m[0]])
    if (
        CLASSIFICATION_RANK[Classification(plan.classification)]
        > CLASSIFICATION_RANK[Classification(peer.max_classification)]
    ):
        raise BundleRejectedError(
            _(
                "Report %(id)s is marked %(marking)s, above the %(limit)s this peer may send: "
                "the bundle is over-classified."
            )
            % {"id": where, "marking": plan.classification, "limit": peer.max_classification}
        )
    grading = obj.get("extensions", {}).get(stix.GRADING_EXTENSION_ID)
    if not isinstance(grading, dict):
        raise BundleRejectedError(_("Report %(id)s has no 3x5x2 grading.") % {"id": where})
    plan.grading = Grading(
        **{
            key: str(grading.get(key, ""))
            for key in (
                "source_evaluation",
                "intelligence_assessment",
                "handling_code",
                "handling_conditions",
                "legacy_grading",
            )
        }
    )
    try:
        check_grading(plan.grading)
    except ValidationError as error:
        raise BundleRejectedError(
            _("Report %(id)s is wrongly graded: %(error)s")
            % {"id": where, "error": " ".join(error.messages)}
        ) from None
    plan.information_date = parse_date(str(grading.get("information_date", "")))
    if plan.information_date is None:
        raise BundleRejectedError(_("Report %(id)s has no date of information.") % {"id": where})
    if not str(obj.get("description", "")).strip():
        raise BundleRejectedError(_("Report %(id)s has no content.") % {"id": where})
    return plan


def _version(obj: dict[str, Any]) -> dt.datetime:
    value = obj.get("modified") or obj.get("created")
    if value is None:  # a cyber observable: it never changes
        return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def check(peer: Peer, envelope: Any) -> tuple[list[dict[str, Any]], dict[str, _Report]]:
    """Everything checked before anything is written (BundleRejectedError otherwise)."""
    try:
        signing.verify(envelope, peer.public_key)
    except signing.SignatureError as error:
        raise BundleRejectedError(str(error)) from None
    if envelope.get("x_concord_from") != peer.organisation.code:
        raise BundleRejectedError(
            _("The bundle says it is from %(from)r, not from %(org)s.")
            % {"from": envelope.get("x_concord_from"), "org": peer.organisation.code}
        )
    if envelope.get("x_concord_to") != peer.local_organisation.code:
        raise BundleRejectedError(
            _("The bundle is addressed to %(to)r, not to %(org)s.")
            % {"to": envelope.get("x_concord_to"), "org": peer.local_organisation.code}
        )
    objects = envelope.get("objects", [])
    if not isinstance(objects, list):
        raise BundleRejectedError(_("The bundle's objects are not a list."))
    if len(objects) > MAX_OBJECTS:
        raise BundleRejectedError(
            _("The bundle holds %(n)d objects; send at most %(max)d at once.")
            % {"n": len(objects), "max": MAX_OBJECTS}
        )
    checked = _check_objects(objects, _already_checked(peer, objects))
    wanted = {
        ref for o in checked if o["type"] == "report" for ref in o.get("object_marking_refs", [])
    }
    statements = _statements(peer, checked, wanted)
    plans = {o["id"]: _plan_report(peer, o, statements) for o in checked if o["type"] == "report"}
    return checked, plans


def _place(obj: dict[str, Any], by_id: dict[str, dict[str, Any]], peer: Peer) -> str:
    for ref in obj.get("object_refs", []):
        if ref.startswith("location--"):
            location = by_id.get(ref)
            if location is None:
                held = ReceivedObject.objects.filter(peer=peer, stix_id=ref).first()
                location = held.body if held else None
            if location:
                return str(location.get("name", ""))[:200]
    return ""


def ingest(peer: Peer, envelope: Any) -> Ingested:
    """Check, then apply the bundle in one transaction (idempotent); BundleRejectedError leaves
    everything as it was."""
    if not peer.active:
        raise BundleRejectedError(_("Peer %(peer)s is not active.") % {"peer": peer.name})
    objects, plans = check(peer, envelope)
    result = Ingested(objects=len(objects))
    with transaction.atomic():
        _apply(peer, objects, plans, result)
        if result.new or result.updated:
            people = User.objects.filter(
                organisation=peer.local_organisation,
                is_active=True,
                roles__code__in=[RoleCode.INTELLIGENCE_OFFICER, RoleCode.ANALYST],
            ).distinct()
            count = len(result.new) + len(result.updated)
            notify(
                people,
                code="intelligence.received_many" if count > 1 else "intelligence.received",
                params={"n": count, "org": named(peer.organisation)}
                if count > 1
                else {"ref": (result.new or result.updated)[0], "org": named(peer.organisation)},
                link="/intelligence/?origin=" + peer.name,
            )
    return result


class _Batch:
    """New reports of one bundle, written together: the reports, their shares with the
    organisation we act for and their audit entries in three inserts (a bundle of a thousand
    objects is a few hundred reports)."""

    def __init__(self, peer: Peer, content_type: ContentType, result: Ingested) -> None:
        self.peer, self.content_type, self.result = peer, content_type, result
        self.reports: list[IntelReport] = []

    def add(self, report: IntelReport) -> None:
        self.reports.append(report)

    def flush(self) -> None:
        if not self.reports:
            return
        peer = self.peer
        IntelReport.objects.bulk_create(self.reports, batch_size=1000)
        purpose = _("Received from %(org)s over federation") % {"org": peer.organisation.name}
        Share.objects.bulk_create(
            [
                Share(
                    content_type=self.content_type,
                    object_id=report.pk,
                    to_organisation=peer.local_organisation,
                    purpose=purpose,
                    created_by=peer.account,
                    cause=ShareCause.FEDERATION,
                    cause_id=peer.pk,
                )
                for report in self.reports
            ],
            batch_size=1000,
        )
        audit.record_many(
            [
                audit.build(
                    AuditAction.CREATE,
                    actor=peer.account,
                    obj=report,
                    detail={"received_from": peer.name, "grading": report.grading},
                )
                for report in self.reports
            ]
        )
        self.result.new += [report.reference for report in self.reports]
        self.reports = []


def _apply(
    peer: Peer, objects: list[dict[str, Any]], plans: dict[str, _Report], result: Ingested
) -> None:
    by_id = {o["id"]: o for o in objects}
    held = {
        r.stix_id: r
        for r in ReceivedObject.objects.select_for_update().filter(
            peer=peer, stix_id__in=list(by_id)
        )
    }
    # The local copies of the bundle's reports, in one query.
    local_by_reference = {
        r.reference: r
        for r in IntelReport.objects.filter(reference__in=[p.reference for p in plans.values()])
    }
    content_type = ContentType.objects.get_for_model(IntelReport)
    now = timezone.now()
    batch = _Batch(peer, content_type, result)
    fresh: list[ReceivedObject] = []
    for obj in objects:
        version = _version(obj)
        previous = held.get(obj["id"])
        if previous is not None and previous.version >= version:
            result.skipped += 1
            continue
        report = None
        plan = plans.get(obj["id"])
        if plan is not None:
            local = local_by_reference.get(plan.reference)
            if local is not None and local.pk is not None and local.origin_id != peer.pk:
                raise BundleRejectedError(
                    _("Report %(ref)s is already held here and did not come from this peer.")
                    % {"ref": plan.reference}
                )
            if local is None and not plan.revoked:
                report = _new_report(peer, plan, by_id)
                batch.add(report)
                local_by_reference[plan.reference] = report
            else:
                if local is not None and local.pk is None:
                    batch.flush()  # a later version of a report new in this bundle
                report = _apply_report(peer, plan, local, by_id, content_type, now, result)
        if previous is not None:
            if previous.report is not None and previous.report.pk is None:
                batch.flush()
            previous.version, previous.body, previous.kind = version, obj, obj["type"]
            previous.report = report or previous.report
            previous.save(update_fields=["version", "body", "kind", "report", "received_at"])
        else:
            fresh.append(
                ReceivedObject(
                    peer=peer,
                    stix_id=obj["id"],
                    kind=obj["type"],
                    version=version,
                    body=obj,
                    report=report,
                )
            )
            held[obj["id"]] = fresh[-1]
    batch.flush()
    ReceivedObject.objects.bulk_create(fresh, batch_size=1000)


def _values(peer: Peer, plan: _Report, by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:
    obj, grading = plan.obj, plan.grading
    assert plan.information_date is not None
    return {
        "title": plan.title,
        "text": str(obj["description"]),
        "information_date": plan.information_date,
        "place": _place(obj, by_id, peer),
        "classification": plan.classification,
        "sensitive": plan.sensitive,
        "source_evaluation": grading.source_evaluation,
        "intelligence_assessment": grading.intelligence_assessment,
        "handling_code": grading.handling_code,
        "handling_conditions": grading.handling_conditions.strip(),
        "legacy_grading": grading.legacy_grading.strip(),
        "released_at": dt.datetime.fromisoformat(str(obj["published"]).replace("Z", "+00:00")),
    }


def _new_report(peer: Peer, plan: _Report, by_id: dict[str, dict[str, Any]]) -> IntelReport:
    return IntelReport(
        owner=peer.organisation,
        reference=plan.reference,
        originator=peer.account,
        origin=peer,
        status=ReportStatus.RELEASED,
        **_values(peer, plan, by_id),
    )


def _apply_report(
    peer: Peer,
    plan: _Report,
    local: IntelReport | None,
    by_id: dict[str, dict[str, Any]],
    content_type: ContentType,
    now: dt.datetime,
    result: Ingested,
) -> IntelReport | None:
    """A recall or a newer version of a report already held (one at a time: they are few)."""
    if plan.revoked:
        if local is None or local.status == ReportStatus.RECALLED:
            return local
        Share.objects.filter(
            content_type=content_type, object_id=local.pk, revoked_at__isnull=True
        ).update(revoked_at=now)
        local.status, local.recalled_at = ReportStatus.RECALLED, now
        local.save(update_fields=["status", "recalled_at", "updated_at"])
        audit.record(
            AuditAction.UPDATE,
            actor=peer.account,
            obj=local,
            detail={"intelligence": "recalled by its originator", "peer": peer.name},
        )
        result.recalled.append(local.reference)
        return local
    assert local is not None
    values = _values(peer, plan, by_id)
    before = audit.snapshot(local, list(values))
    for name, value in values.items():
        setattr(local, name, value)
    local.status, local.recalled_at = ReportStatus.RELEASED, None
    local.save()
    # Acceptances were of the conditions as they stood: changed conditions ask again.
    ConditionsAccepted.objects.filter(report=local).exclude(
        conditions=local.handling_conditions
    ).delete()
    audit.record(
        AuditAction.UPDATE,
        actor=peer.account,
        obj=local,
        changes=audit.diff(before, audit.snapshot(local, list(values))),
        detail={"received_from": peer.name},
    )
    result.updated.append(local.reference)
    Share.objects.get_or_create(
        content_type=content_type,
        object_id=local.pk,
        to_organisation=peer.local_organisation,
        revoked_at=None,
        defaults={
            "purpose": _("Received from %(org)s over federation") % {"org": peer.organisation.name},
            "created_by": peer.account,
            "cause": ShareCause.FEDERATION,
            "cause_id": peer.pk,
        },
    )
    return local
