"""Intelligence as STIX 2.1 (the `stix2` library): a report, the OCGs it concerns as threat
actors (crime syndicates), the place as a location, the originating organisation as an identity,
the protective marking and handling code as statement marking definitions, and the 3x5x2
grading as a property extension whose definition is published with it.

Identifiers are derived (UUIDv5) from Concord's references, so exporting the same report twice
gives the same objects: what federation relies on to stay idempotent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

import stix2

from concord.intelligence.models import IntelReport
from concord.organisations.models import Organisation
from concord.threats.choices import EntityKind
from concord.threats.models import Entity, Nominal, Ocg

NAMESPACE = uuid.UUID("8f6d3a52-5a0e-4c5e-9d0b-0c0a4c6f2f11")
CREATED = "2026-01-01T00:00:00.000Z"  # fixed, so the definitions are the same everywhere
GRADING_SCHEMA = "https://concord.invalid/stix/extensions/3x5x2/v1"
GRADING_EXTENSION_ID = f"extension-definition--{uuid.uuid5(NAMESPACE, 'extension:3x5x2')}"


def timestamp(value: dt.datetime) -> str:
    """A `modified` time written exactly as the `stix2` library writes it in an object
    (millisecond precision or better, trailing zeros dropped), so that a TAXII manifest or
    versions list names the same version string the object carries."""
    written: str = stix2.utils.format_datetime(
        stix2.utils.STIXdatetime(value, precision="millisecond", precision_constraint="min")
    )
    return written


def _id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{kind}:{key}')}"


def grading_extension(creator: stix2.Identity) -> stix2.ExtensionDefinition:
    """The published definition of the 3x5x2 grading property extension."""
    return stix2.ExtensionDefinition(
        id=GRADING_EXTENSION_ID,
        created_by_ref=creator.id,
        created=CREATED,
        modified=CREATED,
        name="UK policing 3x5x2 intelligence grading",
        description=(
            "Source evaluation (1 reliable, 2 untested, 3 not reliable), intelligence "
            "assessment (A to E) and handling code (P: lawful sharing permitted; C: permitted "
            "with conditions, given in handling_conditions). legacy_grading holds a 5x5x5 "
            "grading recorded as it was, never converted. information_date is the date of "
            "the information (ISO 8601)."
        ),
        schema=GRADING_SCHEMA,
        version="1.0.0",
        extension_types=["property-extension"],
    )


def identity(organisation: Organisation) -> stix2.Identity:
    return stix2.Identity(
        id=_id("identity", organisation.code),
        created=CREATED,
        modified=CREATED,
        name=organisation.name,
        identity_class="organization",
        sectors=["government-public-services"],
    )


def statement(text: str, creator: stix2.Identity) -> stix2.MarkingDefinition:
    return stix2.MarkingDefinition(
        id=_id("marking-definition", text),
        created=CREATED,
        created_by_ref=creator.id,
        definition_type="statement",
        definition=stix2.StatementMarking(statement=text),
    )


def threat_actor(ocg: Ocg, markings: list[str], creator: stix2.Identity) -> stix2.ThreatActor:
    return stix2.ThreatActor(
        id=_id("threat-actor", ocg.reference),
        created=ocg.created_at,
        modified=max(ocg.updated_at, ocg.created_at),
        created_by_ref=creator.id,
        name=f"{ocg.reference} {ocg.name}",
        threat_actor_types=["crime-syndicate"],
        object_marking_refs=markings,
    )


def report_id(reference: str) -> str:
    return _id("report", reference)


def identity_id(code: str) -> str:
    return _id("identity", code)


def bundle(
    report: IntelReport,
    ocgs: list[Ocg],
    nominals: Iterable[Nominal] = (),
    entities: Iterable[Entity] = (),
) -> stix2.Bundle:
    """The report and what it concerns, as one bundle (only what the caller passes: what the
    reader may see)."""
    return stix2.Bundle(
        objects=report_objects(report, ocgs, nominals, entities), allow_custom=False
    )


def tombstone(report: IntelReport) -> stix2.Report:
    """The revoked version of a recalled report: its id and reference, none of its content."""
    creator = identity(report.owner)
    recalled = report.recalled_at or report.updated_at
    return stix2.Report(
        id=report_id(report.reference),
        created=report.created_at,
        modified=max(recalled, report.created_at),
        created_by_ref=creator.id,
        name=report.reference,
        published=report.released_at or report.created_at,
        report_types=["threat-report"],
        object_refs=[creator.id],
        revoked=True,
        external_references=[{"source_name": "concord", "external_id": report.reference}],
    )


def criminal(nominal: Nominal, markings: list[str], creator: stix2.Identity) -> stix2.ThreatActor:
    """A person the report concerns, as a criminal threat actor (name and aliases only)."""
    return stix2.ThreatActor(
        id=_id("threat-actor", nominal.reference),
        created=nominal.created_at,
        modified=max(nominal.updated_at, nominal.created_at),
        created_by_ref=creator.id,
        name=f"{nominal.forenames} {nominal.surname}",
        aliases=[str(a) for a in nominal.aliases] or None,
        threat_actor_types=["criminal"],
        external_references=[{"source_name": "concord", "external_id": nominal.reference}],
        object_marking_refs=markings,
    )


def observable(entity: Entity, markings: list[str], creator: stix2.Identity) -> Any | None:
    """An identifier as STIX has it: an email address (observable), an address (location), a
    business (organisation identity). Phones, vehicles and bank accounts have no STIX 2.1
    object: they travel in the FollowTheMoney export."""
    if entity.kind == EntityKind.EMAIL:
        return stix2.EmailAddress(value=entity.canonical, object_marking_refs=markings)
    common = {
        "created": entity.created_at,
        "modified": max(entity.updated_at, entity.created_at),
        "created_by_ref": creator.id,
        "object_marking_refs": markings,
    }
    if entity.kind == EntityKind.ADDRESS:
        return stix2.Location(
            id=_id("location", f"entity:{entity.pk}"),
            street_address=entity.value,
            postal_code=entity.canonical,
            country="GB",
            **common,
        )
    if entity.kind == EntityKind.BUSINESS:
        return stix2.Identity(
            id=_id("identity", f"entity:{entity.pk}"),
            name=entity.value,
            identity_class="organization",
            **common,
        )
    return None


def report_objects(
    report: IntelReport,
    ocgs: list[Ocg],
    nominals: Iterable[Nominal] = (),
    entities: Iterable[Entity] = (),
) -> list[Any]:
    """The report's objects, definitions first and the report last (only the OCGs, people
    and identifiers the caller passes: those the sharer or reader may see)."""
    creator = identity(report.owner)
    marking = statement(report.marking, creator)
    markings = [marking.id]
    objects: list[Any] = [creator, marking, grading_extension(creator)]
    if report.handling_code == "C":
        conditions = statement(f"Handling code C: {report.handling_conditions}", creator)
        markings.append(conditions.id)
        objects.append(conditions)
    actors: list[Any] = [threat_actor(ocg, [marking.id], creator) for ocg in ocgs]
    actors += [criminal(n, [marking.id], creator) for n in nominals]
    actors += [o for e in entities if (o := observable(e, [marking.id], creator)) is not None]
    objects += actors
    refs = [a.id for a in actors]
    if report.place:
        place = stix2.Location(
            id=_id("location", f"{report.reference}:{report.place}"),
            created=CREATED,
            modified=CREATED,
            created_by_ref=creator.id,
            name=report.place,
            country="GB",
            object_marking_refs=markings,
        )
        objects.append(place)
        refs.append(place.id)
    grading = (
        {
            "source_evaluation": report.source_evaluation,
            "intelligence_assessment": report.intelligence_assessment,
            "handling_code": report.handling_code,
            "handling_conditions": report.handling_conditions,
        }
        if report.source_evaluation
        else {"legacy_grading": report.legacy_grading}
    )
    grading["information_date"] = report.information_date.isoformat()
    objects.append(
        stix2.Report(
            id=_id("report", report.reference),
            created=report.created_at,
            modified=max(report.updated_at, report.created_at),
            created_by_ref=creator.id,
            name=f"{report.reference} {report.title}",
            description=report.text,
            published=report.released_at or report.created_at,
            report_types=["threat-report"],
            object_refs=refs or [creator.id],
            object_marking_refs=markings,
            external_references=[{"source_name": "concord", "external_id": report.reference}],
            extensions={GRADING_EXTENSION_ID: {"extension_type": "property-extension", **grading}},
        )
    )
    return objects
