"""Django admin, audited: every save and delete through any registered ModelAdmin is an entry.

`AuditedModelAdmin` writes the audit trail from the admin's own hooks, in the admin's
transaction, with source "admin":

- `save_model` remembers the record as the database held it; `save_related` (after the
  many-to-many fields and inlines are saved) writes one CREATE or UPDATE for the record, with
  the before and after of each changed field and many-to-many set, and one entry for each
  inline row made, changed or deleted;
- `delete_model` and `delete_queryset` (the bulk "delete selected" action) write a DELETE
  for each record, with what it held;
- `log_addition` / `log_change` catch an admin page that saved without those hooks (Django's
  own password change page for a person): an entry naming the fields, values hidden.

Secrets never reach the trail: a field whose name says password, digest, token, secret, key,
salt or seed reads "[hidden]" (a public key: its fingerprint), and an admin may name more in
`audit_hidden_fields`.

Nothing has to remember to use it: the admin site is `AuditedAdminSite`
(core/admin_site.py), whose `register` mixes `AuditedModelAdmin` into any admin class that
lacks it, Django's and third-party apps' included. Subclass it directly only to configure it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any, ClassVar, TypeVar

from django.contrib import admin
from django.contrib.admin.sites import all_sites
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.forms import BaseModelFormSet
from django.http import HttpRequest

from concord.core import audit, context
from concord.core.models import AuditAction, AuditEntry

M = TypeVar("M", bound=models.Model)

SOURCE = "admin"
HIDDEN = "[hidden]"
SECRET_WORDS = frozenset({"password", "digest", "token", "secret", "key", "salt", "seed"})
# The attribute a related record is named by in the trail: the first it has.
NATURAL_KEYS = ("reference", "code", "username", "codename", "prefix", "slug", "name")

_BEFORE = "_concord_audit_before"
_AUDITED = "_concord_audit_done"


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[^a-z]+", name.lower()) if w}


def is_secret(name: str, hidden: Iterable[str] = ()) -> bool:
    """Whether a field's values must never be written to the trail."""
    return name in hidden or bool(_words(name) & SECRET_WORDS)


def masked(name: str, value: Any, hidden: Iterable[str] = ()) -> Any:
    """A field's value as the trail may hold it: a secret's is hidden (empty stays empty, so
    setting and clearing show); a public key's is its fingerprint."""
    if not is_secret(name, hidden) or value in (None, ""):
        return value
    if "public" in _words(name):
        return "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()[:16]
    return HIDDEN


def _natural_key(model: type[models.Model]) -> str:
    names = {f.name for f in model._meta.concrete_fields}
    return next((key for key in NATURAL_KEYS if key in names), "pk")


def _label(field: models.Field[Any, Any], value: Any) -> Any:
    """A foreign key's value as the related record's code, reference or username."""
    related = field.related_model
    if value is None or not isinstance(related, type):
        return value
    key = _natural_key(related)
    if key == "pk":
        return value
    found = related._base_manager.filter(pk=value).values_list(key, flat=True).first()
    return found if found is not None else value


def field_state(obj: models.Model) -> dict[str, Any]:
    """A record's own field values (foreign keys as ids), less its key and auto_now times."""
    return {
        field.name: field.value_from_object(obj)
        for field in obj._meta.concrete_fields
        if not field.primary_key and not getattr(field, "auto_now", False)
    }


def m2m_state(obj: models.Model, names: Iterable[str] | None = None) -> dict[str, list[str]]:
    """A saved record's many-to-many sets as sorted natural keys, as the database holds them."""
    wanted = None if names is None else set(names)
    state: dict[str, list[str]] = {}
    for field in obj._meta.many_to_many:
        if wanted is not None and field.name not in wanted:
            continue
        related = field.related_model
        assert isinstance(related, type)
        key = _natural_key(related)
        values = getattr(obj, field.name).values_list(key, flat=True)
        state[field.name] = sorted(str(v) for v in values)
    return state


def changes(
    model: type[models.Model],
    before: dict[str, Any],
    after: dict[str, Any],
    hidden: Iterable[str] = (),
) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that differ, related records by natural key,
    secrets masked."""
    hidden = tuple(hidden)
    out: dict[str, list[Any]] = {}
    for name, (old, new) in audit.diff(before, after).items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a name that is not a field (a form's): kept as it is
            field = None
        if isinstance(field, models.ForeignKey):  # a one-to-one field is one too
            old, new = _label(field, old), _label(field, new)
        out[name] = [masked(name, old, hidden), masked(name, new, hidden)]
    return out


class AuditedModelAdmin(admin.ModelAdmin[M]):
    """A ModelAdmin whose every save and delete is in the audit trail (see the module)."""

    # More fields whose values never reach the trail (beyond SECRET_WORDS in their names).
    audit_hidden_fields: ClassVar[tuple[str, ...]] = ()

    def audit_owner_code(self, obj: Any) -> str:
        """The organisation whose record this is, for a model without an `owner` (the trail
        takes a ProtectedRecord's owner itself); inline rows take their parent's."""
        return ""

    # --- saving -----------------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: M, form: Any, change: bool) -> None:
        before: dict[str, Any] = {}
        if change and obj.pk is not None:
            stored = type(obj)._base_manager.filter(pk=obj.pk).first()
            if stored is not None:
                before = field_state(stored)
        obj.__dict__[_BEFORE] = before
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        obj = form.instance
        names = [f.name for f in obj._meta.many_to_many if f.name in form.fields]
        m2m_before = m2m_state(obj, names) if change and names else {}
        rows_before = [_rows_before(formset) for formset in formsets]
        super().save_related(request, form, formsets, change)
        before = {**obj.__dict__.pop(_BEFORE, {}), **m2m_before}
        after = {**field_state(obj), **(m2m_state(obj, names) if names else {})}
        with context.acting(source=SOURCE):
            audit.record(
                AuditAction.UPDATE if change else AuditAction.CREATE,
                actor=request.user,
                obj=obj,
                owner_code=self.audit_owner_code(obj),
                changes=changes(type(obj), before, after, self.audit_hidden_fields),
            )
            for formset, (pks, stored) in zip(formsets, rows_before, strict=True):
                self._audit_inline(request, obj, formset, pks, stored)
        obj.__dict__[_AUDITED] = True

    def _audit_inline(
        self,
        request: HttpRequest,
        parent: models.Model,
        formset: BaseModelFormSet[Any, Any],
        pks: dict[int, Any],
        stored: dict[Any, dict[str, Any]],
    ) -> None:
        parent_key = f"{parent._meta.label_lower}:{parent.pk}"
        hidden = self.audit_hidden_fields
        owner_code = self.audit_owner_code(parent)
        for row in getattr(formset, "new_objects", []):
            audit.record(
                AuditAction.CREATE,
                actor=request.user,
                obj=row,
                owner_code=owner_code,
                changes=changes(type(row), {}, field_state(row), hidden),
                detail={"parent": parent_key},
            )
        for row, _fields in getattr(formset, "changed_objects", []):
            audit.record(
                AuditAction.UPDATE,
                actor=request.user,
                obj=row,
                owner_code=owner_code,
                changes=changes(type(row), stored.get(row.pk, {}), field_state(row), hidden),
                detail={"parent": parent_key},
            )
        for row in getattr(formset, "deleted_objects", []):
            pk = pks.get(id(row), row.pk)
            audit.record(
                AuditAction.DELETE,
                actor=request.user,
                obj=row,
                object_id=str(pk),
                owner_code=owner_code,
                changes=changes(type(row), stored.get(pk, {}), {}, hidden),
                detail={"parent": parent_key},
            )

    # --- deleting ---------------------------------------------------------------------------

    def _deletion(self, request: HttpRequest, obj: M) -> AuditEntry:
        return audit.build(
            AuditAction.DELETE,
            actor=request.user,
            obj=obj,
            owner_code=self.audit_owner_code(obj),
            changes=changes(
                type(obj),
                {**field_state(obj), **m2m_state(obj)},
                {},
                self.audit_hidden_fields,
            ),
        )

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        with transaction.atomic(), context.acting(source=SOURCE):
            entry = self._deletion(request, obj)  # before: deleting clears the key
            super().delete_model(request, obj)
            audit.record_many([entry])

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[M]) -> None:
        # Django's "delete selected" action calls this outside any transaction: make it one.
        with transaction.atomic(), context.acting(source=SOURCE):
            entries = [self._deletion(request, obj) for obj in queryset]
            super().delete_queryset(request, queryset)
            audit.record_many(entries)

    # --- pages that save without save_model ---------------------------------------------------

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        request.__dict__["_concord_audit_changed"] = list(getattr(form, "changed_data", []))
        return super().construct_change_message(request, form, formsets, add)

    def _audit_unsaved(self, request: HttpRequest, obj: Any, action: AuditAction) -> None:
        if obj.__dict__.pop(_AUDITED, False):
            return
        fields = request.__dict__.pop("_concord_audit_changed", [])
        hidden = self.audit_hidden_fields
        # Values are not known here: named as changed, with secrets (a password's two
        # fields, password1 and password2) folded into one hidden field.
        named = {
            (re.sub(r"\d+$", "", name) if is_secret(name, hidden) else name): [HIDDEN, HIDDEN]
            for name in fields
        }
        with context.acting(source=SOURCE):
            audit.record(
                action,
                actor=request.user,
                obj=obj,
                owner_code=self.audit_owner_code(obj),
                changes=named,
                detail={"admin": "changed on a page of its own; values not recorded"},
            )

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._audit_unsaved(request, obj, AuditAction.CREATE)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._audit_unsaved(request, obj, AuditAction.UPDATE)
        return super().log_change(request, obj, message)


def _rows_before(formset: Any) -> tuple[dict[int, Any], dict[Any, dict[str, Any]]]:
    """An inline formset's existing rows as the database holds them (one query), and their
    keys by instance (a deleted instance loses its key)."""
    instances = [f.instance for f in getattr(formset, "initial_forms", []) if f.instance.pk]
    if not instances:
        return {}, {}
    model = type(instances[0])
    stored = model._base_manager.filter(pk__in=[i.pk for i in instances])
    return {id(i): i.pk for i in instances}, {row.pk: field_state(row) for row in stored}


def audited(admin_class: type[admin.ModelAdmin[Any]]) -> type[admin.ModelAdmin[Any]]:
    """`admin_class`, or a subclass of it with AuditedModelAdmin mixed in first."""
    if issubclass(admin_class, AuditedModelAdmin):
        return admin_class
    mixed: type[admin.ModelAdmin[Any]] = type(
        f"Audited{admin_class.__name__}",
        (AuditedModelAdmin, admin_class),
        {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
    )
    return mixed


def unaudited_admins() -> list[str]:
    """Every registered admin, on any admin site, that does not audit its saves and deletes."""
    return [
        f"{type(model_admin).__name__} for {model._meta.label} on {site.name}"
        for site in all_sites
        for model, model_admin in site._registry.items()
        if not isinstance(model_admin, AuditedModelAdmin)
    ]


@checks.register(checks.Tags.admin)
def check_admins_are_audited(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"{name} does not write the audit trail.",
            hint="Register admins on concord.core.admin_site.AuditedAdminSite (the default "
            "admin site) or subclass concord.core.admin.AuditedModelAdmin.",
            id="concord.E001",
        )
        for name in unaudited_admins()
    ]
