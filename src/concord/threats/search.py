"""One search across the register and what upper apps add to it (intelligence, tasking).

Each kind of result is a `SearchKind`: a function giving the queryset of matches the person may
see (always through the model's own `visible_to`), and one turning a match into a `Hit`. The
register's own kinds are defined here; apps above the register (which it cannot import)
register theirs from their `ready()`. A kind counts and shows only what its queryset holds, so
a record the reader may not see is neither shown nor counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from concord.core.text import normalise_name
from concord.threats.choices import EntityKind
from concord.threats.models import (
    Entity,
    EntityLink,
    Nominal,
    Ocg,
    PriorityIndividual,
    Vulnerability,
)

MAX_QUERY = 100


@dataclass(frozen=True)
class Terms:
    """What was typed, and the forms it is compared in."""

    text: str
    name_key: str
    identifiers: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Terms:
        text = text.strip()[:MAX_QUERY]
        return cls(text=text, name_key=normalise_name(text), identifiers=identifier_forms(text))


@dataclass(frozen=True)
class Hit:
    """One result as every surface shows it: a reference, a title, a link and a line of
    detail (all of it already visible to the reader)."""

    reference: str
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class SearchKind:
    """A kind of result: its code, its plural label, the key its count has in the audit
    entry, the matches a person may see, and how one match is shown."""

    code: str
    label: str | Promise
    audit_key: str
    find: Callable[[Any, Terms], QuerySet[Any]]
    hit: Callable[[Any], Hit]
    order: int = 50


_KINDS: dict[str, SearchKind] = {}


def register(kind: SearchKind) -> None:
    """Add a kind of result to the one search (idempotent by code)."""
    _KINDS[kind.code] = kind


def kinds() -> list[SearchKind]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.code))


def kind(code: str) -> SearchKind | None:
    return _KINDS.get(code)


@dataclass
class Group:
    """The results of one kind: how many the reader may see, and the ones shown."""

    kind: SearchKind
    count: int
    hits: list[Hit] = field(default_factory=list)


def run(
    user: Any, terms: Terms, *, only: str | None = None, limit: int = 10, offset: int = 0
) -> list[Group]:
    """Every kind (or only one), each counted and its first `limit` matches after `offset`
    shown; two queries a kind, plus any prefetch its hits need."""
    groups = []
    for search_kind in kinds():
        if only and search_kind.code != only:
            continue
        if not terms.text:
            groups.append(Group(search_kind, 0))
            continue
        matches = search_kind.find(user, terms)
        count = matches.count()
        hits = [search_kind.hit(obj) for obj in matches[offset : offset + limit]] if count else []
        groups.append(Group(search_kind, count, hits))
    return groups


def audit_detail(terms: Terms, groups: Iterable[Group], **extra: Any) -> dict[str, Any]:
    """The search's audit detail: the query and the count of each kind under its key (the
    shape monitoring's detectors read: "query", "ocgs", "nominals", "entities"…)."""
    detail: dict[str, Any] = {"query": terms.text}
    detail.update({g.kind.audit_key: g.count for g in groups})
    detail.update(extra)
    return detail


def identifier_forms(query: str) -> frozenset[str]:
    """Every canonical form the query could be (a postcode, a phone, a VRM…)."""
    from concord.threats.services import canonical_form

    forms = set()
    for entity_kind in EntityKind.values:
        try:
            forms.add(canonical_form(entity_kind, query))
        except ValidationError:
            continue
    return frozenset(f for f in forms if f)


def _by_reference_or_name(terms: Terms, name_field: str = "name") -> Q:
    return Q(reference__iexact=terms.text) | Q(**{f"{name_field}__icontains": terms.text})


def _ocgs(user: Any, terms: Terms) -> QuerySet[Any]:
    return (
        Ocg.objects.visible_to(user)
        .filter(_by_reference_or_name(terms))
        .select_related("owner")
        .order_by("reference")
    )


def _pis(user: Any, terms: Terms) -> QuerySet[Any]:
    return (
        PriorityIndividual.objects.visible_to(user)
        .filter(_by_reference_or_name(terms))
        .select_related("owner")
        .order_by("reference")
    )


def _vulnerabilities(user: Any, terms: Terms) -> QuerySet[Any]:
    return (
        Vulnerability.objects.visible_to(user)
        .filter(_by_reference_or_name(terms))
        .select_related("owner")
        .order_by("reference")
    )


def _nominals(user: Any, terms: Terms) -> QuerySet[Any]:
    match = Q(reference__iexact=terms.text)
    if terms.name_key:
        match |= Q(name_key__contains=terms.name_key)
    return Nominal.objects.visible_to(user).filter(match).order_by("surname", "forenames", "pk")


def _entities(user: Any, terms: Terms) -> QuerySet[Any]:
    if not terms.identifiers:
        return Entity.objects.none()
    return (
        Entity.objects.visible_to(user)
        .filter(canonical__in=terms.identifiers)
        .order_by("kind", "canonical", "pk")
        .prefetch_related(
            Prefetch(
                "links",
                queryset=EntityLink.objects.visible_to(user).select_related("nominal", "ocg"),
                to_attr="visible_links",
            )
        )
    )


def _item_hit(item: Any) -> Hit:
    detail = " · ".join(
        str(x) for x in (item.owner.code, item.band, item.get_status_display()) if x
    )
    return Hit(item.reference, item.name, item.get_absolute_url(), detail)


def _nominal_hit(nominal: Nominal) -> Hit:
    born = nominal.date_of_birth.isoformat() if nominal.date_of_birth else ""
    return Hit(
        nominal.reference,
        nominal.full_name,
        reverse("threats:nominal_detail", args=[nominal.reference]),
        born,
    )


def _entity_hit(entity: Any) -> Hit:
    links: list[EntityLink] = getattr(entity, "visible_links", [])
    url = ""
    said = []
    for link in links:
        if link.nominal is not None:
            reference, name = link.nominal.reference, link.nominal.full_name
            link_url = reverse("threats:nominal_detail", args=[reference])
        elif link.ocg is not None:
            reference, name, link_url = (
                link.ocg.reference,
                link.ocg.name,
                link.ocg.get_absolute_url(),
            )
        else:
            continue
        said.append(f"{link.get_link_type_display()} {name} ({reference})")
        url = url or link_url
    return Hit(
        f"{entity.get_kind_display()} {entity.canonical}",
        entity.value,
        url,
        "; ".join(said),
    )


register(SearchKind("ocg", _("OCGs"), "ocgs", _ocgs, _item_hit, order=10))
register(SearchKind("pi", _("Priority individuals"), "pis", _pis, _item_hit, order=20))
register(
    SearchKind(
        "vulnerability", _("Vulnerabilities"), "vulnerabilities", _vulnerabilities, _item_hit, 30
    )
)
register(SearchKind("nominal", _("People"), "nominals", _nominals, _nominal_hit, order=40))
register(SearchKind("identifier", _("Identifiers"), "entities", _entities, _entity_hit, 50))
