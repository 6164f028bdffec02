"""Restriction by declaration: a record that shows a protected one takes its visibility from it.

A model that shows a protected record (a transfer of an OCG, an action of a plan, a decision on
an agenda item, a notification about a report) declares how it reaches that record:

    class Action(models.Model):
        access = Restricted(via=("objective",), parties=partner_owns_action)
        objects = RestrictedQuerySet.as_manager()

and `Action.objects.visible_to(user)` then holds exactly the rows whose protected records the
person may see through the one policy (core/policy.py), plus the rows the declared party rule
gives them. Lists, counts, exports, the API, packs, notifications and search all read through
that manager, so none of them can diverge from the others or from the policy.

The rule for one row, in full:

    requires(viewer)                                    (a person's own notifications)
    AND every `within` path is visible                  (an agenda item's meeting)
    AND ( parties(viewer)                               (the partner an action is given to)
          OR ( every non-null `via` path is visible
               AND the `generic` target, if any, is visible
               AND at least one of them is set, unless `unattached` ) )

"Visible" for a path means its target's own rule: the policy's filter for a protected record
(`ProtectedRecord`), or the target model's declaration, recursively. Each path becomes an
`IN (subquery)`, so a list is still one query whatever its length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, OuterRef, Q

if TYPE_CHECKING:
    from concord.core.policy import Viewer

PartyRule = Callable[["Viewer"], Q | None]

# The declaring models whose filters are being built: a path that leads back to one of them
# (a notification about an agenda item about a meeting action…) is refused, never followed
# round again, so every filter is finite and errs on the side of showing less.
_BUILDING: ContextVar[tuple[type[models.Model], ...]] = ContextVar("building", default=())
# Content type ids a generic target is known to be among (`generic_types_only`), or None.
_GENERIC_TYPES: ContextVar[frozenset[int] | None] = ContextVar("generic_types", default=None)
_BY_KEY: ContextVar[bool] = ContextVar("generic_by_key", default=False)


@contextmanager
def generic_types_only(type_ids: Iterable[int | None], *, by_key: bool = False) -> Iterator[None]:
    """Filters built inside leave out the generic targets of other content types.

    For a queryset already narrowed to a few rows whose targets are of these types (a person's
    unread notifications): the filter of every other type (a million intelligence reports'
    worth) would be built and planned for nothing. With `by_key` (for a few rows), each target
    is looked up by its key (EXISTS) rather than among every visible id (IN). A row of another
    type is not shown, so a row added meanwhile errs on the side of showing less."""
    token = _GENERIC_TYPES.set(frozenset(t for t in type_ids if t is not None))
    keyed = _BY_KEY.set(by_key)
    try:
        yield
    finally:
        _BY_KEY.reset(keyed)
        _GENERIC_TYPES.reset(token)


@dataclass(frozen=True)
class Restricted:
    """How a model reaches the protected records it shows (see the module docstring)."""

    # Foreign-key lookups ("ocg", "objective__plan") to a protected or declared model; every one
    # that is set must be visible.
    via: tuple[str, ...] = ()
    # (content type field, object id field) of a generic target; it must be visible when it is
    # a protected or declared model (a target of any other model shows nothing protected).
    generic: tuple[str, str] | None = None
    # Labels ("app.model", lower case) of the restricted models a generic target may be, each
    # checked by its own rule; a target of any other restricted model is never visible. Naming
    # them keeps the filter to what the rows really point at.
    generic_models: tuple[str, ...] = ()
    # Of those, the ones not checked, because the row's `via` paths already cover them.
    generic_exclude: tuple[str, ...] = ()
    # Containers: the row is only ever visible where these are (an agenda item's meeting).
    within: tuple[str, ...] = ()
    # Rows the viewer is party to, visible whatever their paths (None: no such rows).
    parties: PartyRule | None = None
    # A condition every visible row meets (a notification's person).
    requires: PartyRule | None = None
    # Whether a row with no `via` or `generic` target set is visible (to those `within` allows).
    unattached: bool = False
    # What the record is, in words, for the leak matrix and for error messages.
    describes: str = ""


def declaration(model: type[models.Model]) -> Restricted | None:
    """The model's declaration, or None if it declares none."""
    found = getattr(model, "access", None)
    return found if isinstance(found, Restricted) else None


def is_protected(model: type[models.Model]) -> bool:
    from concord.core.models import ProtectedRecord

    return issubclass(model, ProtectedRecord)


def is_restricted(model: type[models.Model] | None) -> bool:
    """True for a model read through the policy: protected itself, or declaring a path."""
    return model is not None and (is_protected(model) or declaration(model) is not None)


def target_of(model: type[models.Model], lookup: str) -> type[models.Model]:
    """The model a foreign-key lookup ("objective__plan") ends at."""
    current: type[models.Model] = model
    for name in lookup.split("__"):
        field = current._meta.get_field(name)
        related = field.related_model
        if related is None or isinstance(related, str):
            raise TypeError(f"{model.__name__}.{lookup}: {name} is not a relation")
        current = related
    return current


def visible_ids(model: type[models.Model], viewer: Viewer) -> models.QuerySet[Any]:
    """The ids of `model`'s rows the viewer may see, as a subquery."""
    from concord.core.policy import visible_q

    return model._base_manager.filter(visible_q(model, viewer)).order_by().values("pk")


def _path_q(model: type[models.Model], lookup: str, viewer: Viewer) -> Q:
    target = target_of(model, lookup)
    if not is_restricted(target):
        raise TypeError(
            f"{model.__name__}.access: {lookup} leads to {target.__name__}, which is neither a "
            "protected record nor declares its own access"
        )
    if target in _BUILDING.get():
        return Q(pk__in=[])
    return Q(**{f"{lookup}__in": visible_ids(target, viewer)})


def _generic_q(model: type[models.Model], fields: tuple[str, str], viewer: Viewer) -> Q:
    """The generic target is unset, of a model that shows nothing protected, or visible."""
    from django.contrib.contenttypes.models import ContentType

    type_field, id_field = fields
    rule = declaration(model)
    skipped = set(rule.generic_exclude) if rule else set()
    building = _BUILDING.get()
    types = ContentType.objects.get_for_models(*_restricted_models(), for_concrete_models=False)
    allowed = Q(**{f"{type_field}__isnull": True}) | ~Q(
        **{f"{type_field}__in": [ct.pk for ct in types.values()]}
    )
    named = set(rule.generic_models) if rule else set()
    only = _GENERIC_TYPES.get()
    for target, content_type in types.items():
        label = target._meta.label_lower
        if only is not None and content_type.pk not in only:
            continue
        if label in skipped:
            allowed |= Q(**{type_field: content_type.pk})
        elif label in named and target not in building:
            ids = visible_ids(target, viewer)
            # Narrowed to a few rows, each target is looked up by its key (EXISTS); else the
            # set of visible ids is built once for every row (IN).
            target_q = (
                Q(Exists(ids.filter(pk=OuterRef(id_field))))
                if _BY_KEY.get()
                else Q(**{f"{id_field}__in": ids})
            )
            allowed |= Q(**{type_field: content_type.pk}) & target_q
    return allowed


def _restricted_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [m for m in apps.get_models() if is_restricted(m)]


def restricted_q(model: type[models.Model], viewer: Viewer) -> Q:
    """The rows of a declaring model the viewer may see, as one filter."""
    rule = declaration(model)
    if rule is None:
        raise TypeError(f"{model.__name__} declares no access")
    if not viewer.user_id:
        return Q(pk__in=[])
    token = _BUILDING.set((*_BUILDING.get(), model))
    try:
        return _restricted_q(model, rule, viewer)
    finally:
        _BUILDING.reset(token)


def _restricted_q(model: type[models.Model], rule: Restricted, viewer: Viewer) -> Q:
    allowed = Q()
    if rule.requires is not None:
        required = rule.requires(viewer)
        if required is None:
            return Q(pk__in=[])
        allowed &= required
    for lookup in rule.within:
        allowed &= _path_q(model, lookup, viewer)
    through = Q()
    for lookup in rule.via:
        through &= Q(**{f"{lookup}__isnull": True}) | _path_q(model, lookup, viewer)
    if rule.generic is not None:
        through &= _generic_q(model, rule.generic, viewer)
    if not rule.unattached:
        attached = Q()
        for lookup in rule.via:
            attached |= Q(**{f"{lookup}__isnull": False})
        if rule.generic is not None:
            attached |= Q(**{f"{rule.generic[0]}__isnull": False})
        through &= attached if attached else Q(pk__in=[])
    party = rule.parties(viewer) if rule.parties is not None else None
    return allowed & ((party | through) if party is not None else through)


def paths_to_protected(
    model: type[models.Model], depth: int = 3, seen: frozenset[type[models.Model]] = frozenset()
) -> list[str]:
    """Foreign-key paths from `model` to a protected record (for the leak matrix to find every
    model that shows one); a content type and object id pair counts as a path too."""
    found: list[str] = []
    if depth <= 0:
        return found
    for field in model._meta.concrete_fields:
        related = field.related_model
        if not field.is_relation or related is None or isinstance(related, str):
            continue
        if related._meta.label == "contenttypes.ContentType":
            found.append(f"{field.name} (generic)")
            continue
        if related in seen or related is model:
            continue
        if is_protected(related):
            found.append(field.name)
        elif related._meta.app_label not in ("contenttypes", "auth", "admin", "sessions"):
            for rest in paths_to_protected(related, depth - 1, seen | {model}):
                found.append(f"{field.name}__{rest}")
    return found


def protected_records(obj: models.Model) -> list[Any]:
    """The protected records a row shows, following its declared `via` and `within` paths
    (for asking a reason and for the audit trail)."""
    if is_protected(type(obj)):
        return [obj]
    rule = declaration(type(obj))
    if rule is None:
        return []
    found: list[Any] = []
    for lookup in (*rule.within, *rule.via):
        target: Any = obj
        for name in lookup.split("__"):
            target = getattr(target, name, None)
            if target is None:
                break
        if target is not None:
            found.extend(protected_records(target))
    if rule.generic is not None:
        type_field, id_field = rule.generic
        content_type = getattr(obj, type_field)
        target_model = content_type.model_class() if content_type is not None else None
        if target_model is not None and is_restricted(target_model):
            target = target_model._base_manager.filter(pk=getattr(obj, id_field)).first()
            if target is not None:
                found.extend(protected_records(target))
    return found


def containers(obj: models.Model) -> list[Any]:
    """The rows a row is only ever seen within (its `within` paths, at every level)."""
    rule = declaration(type(obj))
    if rule is None:
        return []
    found: list[Any] = []
    for lookup in rule.within:
        target: Any = obj
        for name in lookup.split("__"):
            target = getattr(target, name, None)
        if target is not None:
            found.append(target)
    for lookup in rule.via:
        target = obj
        for name in lookup.split("__"):
            target = getattr(target, name, None)
            if target is None:
                break
        if target is not None:
            found.extend(containers(target))
    return found
