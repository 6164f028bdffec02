"""Django admin for operators (superusers): reference data and people.

Every save and delete here is audited (concord.core.admin: the admin site mixes
AuditedModelAdmin into every admin; PersonAdmin names it to add the password page)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from concord.core.admin import AuditedModelAdmin
from concord.organisations.models import (
    ApiToken,
    Organisation,
    Region,
    Role,
    Secondment,
    Team,
    User,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ["name", "name_cy", "code"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["code", "name", "kind", "region", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["code", "name", "name_cy", "short_name"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ["code", "name", "name_cy"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]


class SecondmentInline(admin.TabularInline[Secondment, User]):
    model = Secondment
    fk_name = "person"
    extra = 0


@admin.register(User)
class PersonAdmin(AuditedModelAdmin[User], UserAdmin):  # type: ignore[type-arg]  # generic in stubs only
    list_display = [
        "username",
        "first_name",
        "last_name",
        "organisation",
        "vetting_level",
        "vetting_expires",
        "is_active",
    ]
    list_filter = ["organisation__kind", "vetting_level", "is_active", "roles"]
    list_select_related = ["organisation"]
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]  # fieldsets is set on UserAdmin
        (
            "Concord",
            {
                "fields": (
                    "organisation",
                    "job_title",
                    "roles",
                    "teams",
                    "vetting_level",
                    "vetting_expires",
                )
            },
        ),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2", "organisation", "email")}),
    )
    filter_horizontal = ["roles", "teams", "groups", "user_permissions"]
    inlines = [SecondmentInline]

    def audit_owner_code(self, obj: User) -> str:
        return obj.organisation.code if obj.organisation_id else ""

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # The password page saves without save_model; its audit entry (log_change) and the
        # change are one transaction.
        with transaction.atomic():
            response: HttpResponse = super().user_change_password(request, id, form_url)
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["prefix", "name", "user", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
    list_select_related = ["user"]
