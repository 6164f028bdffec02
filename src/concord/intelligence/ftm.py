"""The people, businesses and assets an intelligence report concerns, as FollowTheMoney (FtM)
entities for analysis tools that read FtM (the `ftm` command line, Aleph, OpenAleph…).

A pure mapping: it exports exactly the nominals, entities and links the caller passes (the view
passes only those the reader may see) and reads nothing else. Each Concord record becomes one FtM
entity, and each link between a nominal and an entity becomes one FtM interval, but only when
both ends are exported:

- a nominal is a Person (name, aliases, date of birth, gender, nationality as a country code
  when FtM recognises it, otherwise kept in the notes as recorded);
- a business is a Company (registration number and jurisdiction when it has a Companies House
  number); a vehicle a Vehicle (registration mark; make and model in `model`; colour and VIN,
  which FtM has no property for, in the description); an address an Address (full, street,
  town, postcode); a bank account a BankAccount (account number; FtM has no sort code, so it
  is in the name and description);
- a phone or email address is a UserAccount (FtM has no schema for either), and is also added to
  the `phone` or `email` of each exported person linked to it, which is what FtM tools match on;
- "owns" an asset (company, vehicle, bank account) is an Ownership, "director of" a company a
  Directorship, "works for" a company an Employment, anything else an UnknownLink whose role
  names the link; "lives at" an address also sets the person's `addressEntity`.

Identifiers are derived from Concord's references and keys in the `concord-` namespace, so
exporting the same report twice gives the same entities. A value FtM's type for a property
cannot read (a phone number outside any allocated range, say) is left out of that property and
kept in the entity's notes; an unknown property name or an entity that fails FtM's validation
raises `InvalidData`.

FtM has no protective marking: the file carries none, and the reader handles it at the marking
of the report.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy

from concord.threats.choices import EntityKind, Gender, LinkType
from concord.threats.models import Entity, EntityLink, Nominal

NAMESPACE = "concord"

# How a link is named in an interval's role (English, as FtM data usually is).
LINK_ROLES: dict[str, str] = {
    LinkType.OWNS: "owns",
    LinkType.USES: "uses",
    LinkType.LIVES_AT: "lives at",
    LinkType.DIRECTOR: "director of",
    LinkType.EMPLOYED: "works for",
    LinkType.ASSOCIATED: "associated with",
}

# Interval schemata for a link type, with (from, to) property names, when the far end is
# of the schema given.
INTERVALS: dict[str, tuple[str, str, str, str]] = {
    LinkType.OWNS: ("Asset", "Ownership", "owner", "asset"),
    LinkType.DIRECTOR: ("Organization", "Directorship", "director", "organization"),
    LinkType.EMPLOYED: ("Organization", "Employment", "employee", "employer"),
}


def nominal_id(nominal: Nominal) -> str:
    return f"{NAMESPACE}-nominal-{nominal.reference}"


def entity_id(entity: Entity) -> str:
    return f"{NAMESPACE}-entity-{entity.pk}"


def link_id(link: EntityLink) -> str:
    return f"{NAMESPACE}-link-{link.pk}"


def _make(schema: str, key: str) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = key
    return proxy


def _put(proxy: EntityProxy, name: str, value: Any) -> bool:
    """Add a value to a property, cleaned by FtM's type for it; False (and nothing added) when
    the value is empty or the type cannot read it. An unknown property raises InvalidData."""
    prop = proxy.schema.get(name)
    if prop is None:
        raise InvalidData(f"{proxy.schema.name} has no property {name!r}")
    if value is None or value == "":
        return False
    cleaned = prop.type.clean(value, proxy=proxy)
    if cleaned is None:
        return False
    proxy.add(prop, cleaned, cleaned=True, quiet=False)
    return True


def _put_or_note(proxy: EntityProxy, name: str, value: str, label: str) -> None:
    """Add the value, or keep it in the notes as recorded when FtM's type cannot read it."""
    if value and not _put(proxy, name, value):
        _put(proxy, "notes", f"{label} as recorded: {value}")


def person(nominal: Nominal) -> EntityProxy:
    proxy = _make("Person", nominal_id(nominal))
    _put(proxy, "name", nominal.full_name)
    _put(proxy, "firstName", nominal.forenames)
    _put(proxy, "lastName", nominal.surname)
    for alias in nominal.aliases or []:
        _put(proxy, "alias", str(alias))
    _put(proxy, "birthDate", nominal.date_of_birth)
    if nominal.gender != Gender.UNKNOWN:
        _put(proxy, "gender", nominal.gender)
    _put_or_note(proxy, "nationality", nominal.nationality, "Nationality")
    return proxy


def _detail(entity: Entity, key: str) -> str:
    details = entity.details if isinstance(entity.details, dict) else {}
    return str(details.get(key, "") or "").strip()


def thing(entity: Entity) -> EntityProxy:
    """The FtM entity for a Concord entity of any kind."""
    key = entity_id(entity)
    if entity.kind == EntityKind.BUSINESS:
        proxy = _make("Company", key)
        _put(proxy, "name", entity.value)
        if _detail(entity, "company_number"):
            _put(proxy, "registrationNumber", entity.canonical)
            _put(proxy, "jurisdiction", "gb")
        return proxy
    if entity.kind == EntityKind.VEHICLE:
        proxy = _make("Vehicle", key)
        make_and_model = " ".join(
            part for part in (_detail(entity, "make"), _detail(entity, "model")) if part
        )
        _put(proxy, "name", " ".join(part for part in (entity.canonical, make_and_model) if part))
        _put(proxy, "registrationNumber", entity.canonical)
        _put(proxy, "model", make_and_model)
        described = [
            f"{label}: {_detail(entity, field)}"
            for label, field in (("Colour", "colour"), ("VIN", "vin"))
            if _detail(entity, field)
        ]
        _put(proxy, "description", ". ".join(described))
        return proxy
    if entity.kind == EntityKind.ADDRESS:
        proxy = _make("Address", key)
        _put(proxy, "full", entity.value)
        _put(proxy, "street", _detail(entity, "line1"))
        _put(proxy, "street2", _detail(entity, "line2"))
        _put(proxy, "city", _detail(entity, "town"))
        _put(proxy, "postalCode", entity.canonical)
        _put(proxy, "country", "gb")  # a UK postcode
        return proxy
    if entity.kind == EntityKind.ACCOUNT:
        proxy = _make("BankAccount", key)
        sort_code, _, number = entity.canonical.partition("-")
        written = f"{sort_code[:2]}-{sort_code[2:4]}-{sort_code[4:]}"
        _put(proxy, "name", f"{written} {number}")
        _put(proxy, "accountNumber", number)
        _put(proxy, "description", f"UK sort code {written}")
        _put(proxy, "country", "gb")
        return proxy
    if entity.kind in (EntityKind.PHONE, EntityKind.EMAIL):
        proxy = _make("UserAccount", key)
        prop, service = ("phone", "Telephone") if entity.kind == EntityKind.PHONE else ("email", "")
        _put(proxy, "username", entity.canonical)
        _put_or_note(proxy, prop, entity.canonical, prop.capitalize())
        if entity.kind == EntityKind.EMAIL:
            service = entity.canonical.rpartition("@")[2]
        _put(proxy, "service", service)
        return proxy
    raise InvalidData(f"No FollowTheMoney schema for a {entity.kind!r} entity")


def interval(link: EntityLink, holder: EntityProxy, target: EntityProxy) -> EntityProxy:
    """The FtM interval for a link between an exported person and an exported entity."""
    name, source, far = "UnknownLink", "subject", "object"
    known = INTERVALS.get(link.link_type)
    if known is not None and target.schema.is_a(known[0]):
        _, name, source, far = known
    proxy = _make(name, link_id(link))
    _put(proxy, source, holder.id)
    _put(proxy, far, target.id)
    _put(proxy, "role", LINK_ROLES.get(link.link_type, link.link_type))
    _put(proxy, "startDate", link.started_on)
    _put(proxy, "endDate", link.ended_on)
    return proxy


def check(proxy: EntityProxy) -> EntityProxy:
    """The entity, if FtM's model accepts it; InvalidData otherwise (nothing is dropped)."""
    schema = proxy.schema
    if schema.abstract or not proxy.id:
        raise InvalidData(f"{proxy.id!r}: an abstract schema or no identifier")
    schema.validate({"properties": proxy.properties})
    missing = [name for name in schema.required if not proxy.get(name)]
    if missing:
        raise InvalidData(
            f"{proxy.id}: missing {', '.join(missing)}",
            errors={"properties": dict.fromkeys(missing, "Required")},
        )
    return proxy


def export(
    nominals: Iterable[Nominal], entities: Iterable[Entity], links: Iterable[EntityLink]
) -> list[EntityProxy]:
    """People, then entities, then the links whose both ends are among them."""
    people = {n.pk: person(n) for n in nominals}
    things = {e.pk: thing(e) for e in entities}
    intervals = []
    for link in sorted(links, key=lambda link: link.pk):
        holder = people.get(link.nominal_id) if link.nominal_id is not None else None
        target = things.get(link.entity_id)
        if holder is None or target is None:
            continue  # an end not exported (or an OCG's link): the link stays out too
        intervals.append(interval(link, holder, target))
        if target.schema.name == "UserAccount":
            for prop in ("phone", "email"):
                for value in target.get(prop):
                    _put(holder, prop, value)
        if link.link_type == LinkType.LIVES_AT and target.schema.name == "Address":
            _put(holder, "addressEntity", target.id)
    return [check(proxy) for proxy in [*people.values(), *things.values(), *intervals]]


def lines(proxies: Iterable[EntityProxy]) -> str:
    """Line-delimited JSON, one entity a line: what `ftm` and FtM tools read."""
    return "".join(
        json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True) + "\n" for proxy in proxies
    )
