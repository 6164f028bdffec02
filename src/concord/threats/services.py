"""Changes to the register: mapping OCGs and nominals, membership, archiving; all audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.choices import OPERATIONAL_ROLES, Classification, OrganisationKind, RoleCode
from concord.core.models import AuditAction, validate_classification
from concord.core.text import normalise_name
from concord.organisations.models import Organisation
from concord.threats import identifiers
from concord.threats.choices import (
    EntityKind,
    Gender,
    LinkType,
    MemberRole,
    OcgStatus,
    VulnerabilityKind,
)
from concord.threats.models import (
    CriminalityType,
    Entity,
    EntityLink,
    Nominal,
    Ocg,
    OcgMember,
    PriorityIndividual,
    ReferenceCounter,
    RegisterItem,
    Vulnerability,
)

OCG_FIELDS = (
    "name",
    "status",
    "archived_reason",
    "archived_on",
    "summary",
    "classification",
    "sensitive",
    "handling_instructions",
)


@policy.rule(policy.Act.WORK_REGISTER)
def may_work_register(user: Any, obj: Any = None) -> bool:
    """The register's lists, the picture, search, transfers and tasking are for operational
    police roles; a partner works only on what it was given (its actions and disruptions)."""
    viewer = policy.viewer_for(user)
    return bool(
        viewer.sees_records
        and not viewer.is_partner
        and viewer.roles & OPERATIONAL_ROLES - {RoleCode.PARTNER_USER}
    )


@policy.rule(policy.Act.MAP)
def may_map(user: Any, obj: Any = None) -> bool:
    """Mapping an OCG, designating a PI, recording a vulnerability or importing a register:
    operational police roles; partners do not map onto the register."""
    return may_work_register(user, obj)


def require_mapper(actor: Any) -> Organisation:
    """Mapping is for operational police roles; partners do not map onto the register."""
    if not may_map(actor, None):
        raise PermissionDenied(_("Your role cannot add to the register."))
    organisation: Organisation = actor.acting_organisation()
    return organisation


def next_reference(prefix: str, organisation: Organisation) -> str:
    """The next reference for an organisation, e.g. OCG-DYP-000124 (row-locked, no gaps)."""
    return next_references(prefix, organisation, 1)[0]


def next_references(prefix: str, organisation: Organisation, count: int) -> list[str]:
    """The next `count` references for an organisation, taken under one row lock (a bulk
    intake numbers its rows at once, with no gaps)."""
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
        prefix=prefix, organisation=organisation
    )
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [f"{prefix}-{organisation.code}-{n:06d}" for n in range(first, counter.last + 1)]


def _check_marking(classification: str, actor: Any) -> None:
    validate_classification(classification)
    if classification not in policy.viewer_for(actor).classifications:
        raise ValidationError(
            {"classification": _("You cannot mark a record above your own vetting.")}
        )


@dataclass(frozen=True)
class NominalDetails:
    forenames: str
    surname: str
    date_of_birth: dt.date | None = None
    gender: str = Gender.UNKNOWN
    nationality: str = ""
    aliases: Sequence[str] = ()


@dataclass(frozen=True)
class MemberDetails:
    nominal: NominalDetails | None = None
    existing: Nominal | None = None
    role: str = MemberRole.PERIPHERAL
    started_on: dt.date | None = None
    # (kind, value) pairs: phones the person uses, vehicles they own…
    identifiers: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class OcgDetails:
    name: str
    summary: str = ""
    criminality: Sequence[str] = ()  # CriminalityType codes
    force_areas: Sequence[str] = ()  # force codes
    classification: str = Classification.OFFICIAL
    sensitive: bool = False
    handling_instructions: str = ""
    mapped_on: dt.date | None = None
    members: Sequence[MemberDetails] = field(default_factory=tuple)


def _lookup(model: Any, codes: Sequence[str], field_name: str, **extra: Any) -> list[Any]:
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    found = {o.code: o for o in model.objects.filter(code__in=wanted, **extra)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise ValidationError(
            {field_name: _("Not recognised: %(codes)s") % {"codes": ", ".join(unknown)}}
        )
    return [found[c] for c in wanted]


@transaction.atomic
def create_nominal(
    *,
    actor: Any,
    details: NominalDetails,
    owner: Organisation | None = None,
    classification: str = Classification.OFFICIAL,
    sensitive: bool = False,
) -> Nominal:
    """Add a person to the register."""
    organisation = owner or require_mapper(actor)
    forenames, surname = " ".join(details.forenames.split()), " ".join(details.surname.split())
    if not forenames or not surname:
        raise ValidationError({"surname": _("Give the person's forenames and surname.")})
    if details.date_of_birth and details.date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": _("The date of birth must be in the past.")})
    if details.gender not in Gender.values:
        raise ValidationError({"gender": _("Choose a gender from the list.")})
    nominal = Nominal(
        owner=organisation,
        classification=classification,
        reference=next_reference("NOM", organisation),
        forenames=forenames,
        surname=surname,
        date_of_birth=details.date_of_birth,
        gender=details.gender,
        nationality=details.nationality.strip(),
        aliases=[a.strip() for a in details.aliases if a.strip()],
        name_key=normalise_name(f"{forenames} {surname}"),
        sensitive=sensitive,
    )
    nominal.save()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        obj=nominal,
        changes=audit.diff({}, audit.snapshot(nominal, ["reference", "owner_id"])),
    )
    return nominal


def _add_members(actor: Any, ocg: Ocg, members: Iterable[MemberDetails]) -> list[OcgMember]:
    made = []
    for index, member in enumerate(members, start=1):
        if member.role not in MemberRole.values:
            raise ValidationError(
                {
                    "members": _("Member %(n)s: choose principal, significant or peripheral.")
                    % {"n": index}
                }
            )
        if member.existing is not None:
            if not policy.can(actor, policy.VIEW, member.existing):
                raise ValidationError({"members": _("Member %(n)s was not found.") % {"n": index}})
            nominal = member.existing
        elif member.nominal is not None:
            nominal = create_nominal(
                actor=actor,
                details=member.nominal,
                owner=ocg.owner,
                classification=ocg.classification,
                # Members carry the group's marking: a SENSITIVE group's people are too.
                sensitive=ocg.sensitive,
            )
        else:
            raise ValidationError({"members": _("Member %(n)s: give a person.") % {"n": index}})
        if ocg.members.filter(nominal=nominal).exists():
            raise ValidationError(
                {"members": _("%(name)s is already a member.") % {"name": nominal}}
            )
        for kind, value in member.identifiers:
            link = LinkType.OWNS if kind == EntityKind.VEHICLE else LinkType.USES
            try:
                add_entity(actor=actor, kind=kind, value=value, link_type=link, nominal=nominal)
            except ValidationError as exc:
                raise ValidationError(
                    {
                        "members": _("Member %(n)s: %(problem)s")
                        % {"n": index, "problem": " ".join(exc.messages)}
                    }
                ) from None
        made.append(
            OcgMember.objects.create(
                ocg=ocg, nominal=nominal, role=member.role, started_on=member.started_on
            )
        )
    return made


@transaction.atomic
def map_ocg(*, actor: Any, details: OcgDetails) -> Ocg:
    """Map a new OCG (criminality, force areas, members), owned by the actor's organisation."""
    organisation = require_mapper(actor)
    name = " ".join(details.name.split())
    if len(name) < 3:
        raise ValidationError({"name": _("Give the group a name or operation name.")})
    _check_marking(details.classification, actor)
    criminality = _lookup(CriminalityType, details.criminality, "criminality")
    if not criminality:
        raise ValidationError({"criminality": _("Choose at least one criminality type.")})
    areas = _lookup(Organisation, details.force_areas, "force_areas", kind="force")
    ocg = Ocg(
        owner=organisation,
        reference=next_reference("OCG", organisation),
        name=name,
        summary=details.summary.strip(),
        classification=details.classification,
        sensitive=details.sensitive,
        handling_instructions=details.handling_instructions,
        mapped_on=details.mapped_on or timezone.localdate(),
        created_by=actor,
    )
    ocg.save()
    ocg.criminality_types.set(criminality)
    ocg.force_areas.set(areas)
    members = _add_members(actor, ocg, details.members)
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        obj=ocg,
        changes=audit.diff(
            {},
            {
                **audit.snapshot(ocg, ["reference", "name", "classification", "sensitive"]),
                "criminality": [c.code for c in criminality],
                "force_areas": [a.code for a in areas],
                "members": [m.nominal.reference for m in members],
            },
        ),
    )
    return ocg


@transaction.atomic
def update_ocg(
    *,
    actor: Any,
    ocg: Ocg,
    name: str,
    summary: str,
    criminality: Sequence[str],
    force_areas: Sequence[str],
) -> Ocg:
    """Change an OCG's description, criminality and areas."""
    if not policy.can(actor, policy.CHANGE, ocg):
        raise PermissionDenied(_("You cannot change this OCG."))
    before = {
        **audit.snapshot(ocg, ["name", "summary"]),
        "criminality": sorted(ocg.criminality_types.values_list("code", flat=True)),
        "force_areas": sorted(ocg.force_areas.values_list("code", flat=True)),
    }
    types = _lookup(CriminalityType, criminality, "criminality")
    if not types:
        raise ValidationError({"criminality": _("Choose at least one criminality type.")})
    areas = _lookup(Organisation, force_areas, "force_areas", kind="force")
    ocg.name = " ".join(name.split())
    ocg.summary = summary.strip()
    ocg.save(update_fields=["name", "summary", "updated_at"])
    ocg.criminality_types.set(types)
    ocg.force_areas.set(areas)
    after = {
        **audit.snapshot(ocg, ["name", "summary"]),
        "criminality": sorted(t.code for t in types),
        "force_areas": sorted(a.code for a in areas),
    }
    audit.record(AuditAction.UPDATE, actor=actor, obj=ocg, changes=audit.diff(before, after))
    return ocg


@transaction.atomic
def add_member(*, actor: Any, ocg: Ocg, member: MemberDetails) -> OcgMember:
    if not policy.can(actor, policy.CHANGE, ocg):
        raise PermissionDenied(_("You cannot change this OCG."))
    (made,) = _add_members(actor, ocg, [member])
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=ocg,
        detail={"member_added": made.nominal.reference, "role": made.role},
    )
    return made


@transaction.atomic
def archive(*, actor: Any, item: RegisterItem, reason: str, on: dt.date | None = None) -> Any:
    """Archive an OCG, priority individual or vulnerability with a reason (it stays on the
    register, marked archived, and leaves the active picture)."""
    if not policy.can(actor, policy.CHANGE, item):
        raise PermissionDenied(_("You cannot change this record."))
    if item.status == OcgStatus.ARCHIVED:
        raise ValidationError(_("This record is already archived."))
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": _("Say why it is archived (at least ten characters).")})
    before = audit.snapshot(item, ["status", "archived_reason", "archived_on"])
    item.status = OcgStatus.ARCHIVED
    item.archived_reason = reason.strip()
    item.archived_on = on or timezone.localdate()
    item.save(update_fields=["status", "archived_reason", "archived_on", "updated_at"])
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=item,
        changes=audit.diff(
            before, audit.snapshot(item, ["status", "archived_reason", "archived_on"])
        ),
    )
    return item


def _visible_ocgs(actor: Any, references: Sequence[str]) -> list[Ocg]:
    """OCGs by reference that the actor may see; an unseen one reads as not recognised."""
    wanted = list(dict.fromkeys(r.strip().upper() for r in references if r.strip()))
    found = {o.reference: o for o in Ocg.objects.visible_to(actor).filter(reference__in=wanted)}
    unknown = [r for r in wanted if r not in found]
    if unknown:
        raise ValidationError(
            {"ocgs": _("Not recognised: %(refs)s") % {"refs": ", ".join(unknown)}}
        )
    return [found[r] for r in wanted]


def _stricter_marking(
    classification: str, sensitive: bool, sources: Iterable[Any]
) -> tuple[str, bool]:
    """A record built on others is marked at least as high as each of them."""
    for source in sources:
        if source.classification == Classification.SECRET:
            classification = Classification.SECRET
        sensitive = sensitive or source.sensitive
    return classification, sensitive


@transaction.atomic
def designate_priority_individual(
    *,
    actor: Any,
    nominal_reference: str,
    ocgs: Sequence[str] = (),
    summary: str = "",
    classification: str = Classification.OFFICIAL,
    sensitive: bool = False,
    handling_instructions: str = "",
    designated_on: dt.date | None = None,
) -> PriorityIndividual:
    """Designate a person the actor may see as a priority individual of the actor's
    organisation, optionally linked to OCGs. The record is marked at least as high as the
    person and each OCG, so it never shows someone who could not see them."""
    organisation = require_mapper(actor)
    _check_marking(classification, actor)
    nominal = (
        Nominal.objects.visible_to(actor)
        .filter(reference=nominal_reference.strip().upper())
        .first()
    )
    if nominal is None:
        raise ValidationError({"nominal": _("No person you can see has that reference.")})
    linked = _visible_ocgs(actor, ocgs)
    if PriorityIndividual.objects.filter(
        owner=organisation, nominal=nominal, status=OcgStatus.ACTIVE
    ).exists():
        raise ValidationError(
            {"nominal": _("%(name)s is already a priority individual here.") % {"name": nominal}}
        )
    classification, sensitive = _stricter_marking(classification, sensitive, [nominal, *linked])
    _check_marking(classification, actor)
    pi = PriorityIndividual(
        owner=organisation,
        reference=next_reference("PI", organisation),
        nominal=nominal,
        name=nominal.full_name,
        summary=summary.strip(),
        classification=classification,
        sensitive=sensitive,
        handling_instructions=handling_instructions.strip(),
        designated_on=designated_on or timezone.localdate(),
        created_by=actor,
    )
    pi.save()
    pi.ocgs.set(linked)
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        obj=pi,
        changes=audit.diff(
            {},
            {
                **audit.snapshot(pi, ["reference", "classification", "sensitive"]),
                "nominal": nominal.reference,
                "ocgs": [o.reference for o in linked],
            },
        ),
    )
    return pi


@dataclass(frozen=True)
class VulnerabilityDetails:
    kind: str
    name: str
    summary: str = ""
    ocgs: Sequence[str] = ()  # OCG references
    force_areas: Sequence[str] = ()  # force codes
    classification: str = Classification.OFFICIAL
    sensitive: bool = False
    handling_instructions: str = ""
    identified_on: dt.date | None = None


@transaction.atomic
def record_vulnerability(*, actor: Any, details: VulnerabilityDetails) -> Vulnerability:
    """Record a person, place, community, business or theme at risk, linked to OCGs."""
    organisation = require_mapper(actor)
    if details.kind not in VulnerabilityKind.values:
        raise ValidationError({"kind": _("Choose what is at risk from the list.")})
    name = " ".join(details.name.split())
    if len(name) < 3:
        raise ValidationError({"name": _("Give the vulnerability a title.")})
    _check_marking(details.classification, actor)
    linked = _visible_ocgs(actor, details.ocgs)
    areas = _lookup(Organisation, details.force_areas, "force_areas", kind="force")
    if not areas and organisation.kind == OrganisationKind.FORCE:
        areas = [organisation]  # a force's vulnerability is in its own area unless said
    classification, sensitive = _stricter_marking(details.classification, details.sensitive, linked)
    vulnerability = Vulnerability(
        owner=organisation,
        reference=next_reference("VUL", organisation),
        kind=details.kind,
        name=name,
        summary=details.summary.strip(),
        classification=classification,
        sensitive=sensitive,
        handling_instructions=details.handling_instructions.strip(),
        identified_on=details.identified_on or timezone.localdate(),
        created_by=actor,
    )
    vulnerability.save()
    vulnerability.ocgs.set(linked)
    vulnerability.force_areas.set(areas)
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        obj=vulnerability,
        changes=audit.diff(
            {},
            {
                **audit.snapshot(vulnerability, ["reference", "kind", "name", "classification"]),
                "ocgs": [o.reference for o in linked],
                "force_areas": [a.code for a in areas],
            },
        ),
    )
    return vulnerability


def canonical_form(kind: str, value: str, details: dict[str, str] | None = None) -> str:
    """The canonical form of an identifier of a kind, or a ValidationError naming the field."""
    details = details or {}
    try:
        if kind == EntityKind.VEHICLE:
            return identifiers.vrm(value)
        if kind == EntityKind.PHONE:
            return identifiers.phone(value)
        if kind == EntityKind.EMAIL:
            return identifiers.email(value)
        if kind == EntityKind.ADDRESS:
            return identifiers.postcode(details.get("postcode", value))
        if kind == EntityKind.ACCOUNT:
            return identifiers.sort_code_and_account(details.get("sort_code", ""), value)
        if kind == EntityKind.BUSINESS:
            number = details.get("company_number", "")
            return identifiers.company_number(number) if number else normalise_name(value)
    except ValueError as exc:
        raise ValidationError({"value": str(exc)}) from None
    raise ValidationError({"kind": _("Choose a kind of entity from the list.")})


@transaction.atomic
def add_entity(
    *,
    actor: Any,
    kind: str,
    value: str,
    link_type: str,
    nominal: Nominal | None = None,
    ocg: Ocg | None = None,
    details: dict[str, str] | None = None,
    started_on: dt.date | None = None,
) -> Entity:
    """Record an identifier against a nominal or OCG the actor may change; an identical one
    already held by the same owner is linked again rather than duplicated."""
    subject: Any = nominal if nominal is not None else ocg
    if subject is None or (nominal is not None and ocg is not None):
        raise ValidationError(_("Link the entity to one person or one OCG."))
    if not policy.can(actor, policy.CHANGE, subject):
        raise PermissionDenied(_("You cannot change this record."))
    if link_type not in LinkType.values:
        raise ValidationError({"link_type": _("Choose a link from the list.")})
    details = {k: str(v).strip() for k, v in (details or {}).items() if str(v).strip()}
    if kind == EntityKind.VEHICLE and details.get("vin"):
        try:
            details["vin"] = identifiers.vin(details["vin"])
        except ValueError as exc:
            raise ValidationError({"vin": str(exc)}) from None
    canonical = canonical_form(kind, value.strip(), details)
    entity, created = Entity.objects.get_or_create(
        owner=subject.owner,
        kind=kind,
        canonical=canonical,
        defaults={
            "value": value.strip(),
            "details": details,
            "classification": subject.classification,
            "sensitive": subject.sensitive,
        },
    )
    EntityLink.objects.get_or_create(
        entity=entity,
        nominal=nominal,
        ocg=ocg,
        link_type=link_type,
        defaults={"started_on": started_on},
    )
    audit.record(
        AuditAction.CREATE if created else AuditAction.UPDATE,
        actor=actor,
        obj=entity,
        detail={"linked_to": subject.reference, "link": link_type},
    )
    return entity
