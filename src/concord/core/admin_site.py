"""The admin site: every admin registered on it writes the audit trail.

Why the site and not a base class alone: a base class audits only the admins that remember to
use it, and Django's, django-otp's and django-axes's admins (groups, authenticator devices,
lockouts) and any admin written later would not. `ConcordAdminConfig` (in INSTALLED_APPS in
place of "django.contrib.admin") makes `AuditedAdminSite` Django's default site, so
`admin.site` and `@admin.register` are this site, and its `register` mixes
`concord.core.admin.AuditedModelAdmin` into any admin class without it, whenever and by
whichever app it is registered (a hook in an AppConfig.ready() would miss admins registered
after it ran). The system check `concord.E001` and tests/core/test_admin_audit.py fail if any
admin on any site is not audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.apps import AdminConfig
from django.db.models.base import ModelBase


class AuditedAdminSite(AdminSite):
    """Django's admin site, with every registered admin audited."""

    def register(
        self,
        model_or_iterable: ModelBase | Iterable[ModelBase],
        admin_class: type[ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        from concord.core.admin import audited  # the models are loaded by the time of admins

        super().register(model_or_iterable, audited(admin_class or ModelAdmin), **options)


class ConcordAdminConfig(AdminConfig):
    """django.contrib.admin, with the audited site as its default site."""

    default_site = "concord.core.admin_site.AuditedAdminSite"
