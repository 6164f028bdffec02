"""Django admin for operators: the capability catalogue (a draft version is edited here and
published with `services.publish_catalogue`) and the expected needs per priority band."""

from django.contrib import admin

from concord.capabilities.models import BandNeed, Capability, Catalogue


class CapabilityInline(admin.TabularInline[Capability, Catalogue]):
    model = Capability
    extra = 0
    fields = ["code", "name", "name_cy", "level", "unit", "vetting", "team_size", "strands"]


@admin.register(Catalogue)
class CatalogueAdmin(admin.ModelAdmin[Catalogue]):
    list_display = ["version", "status", "published_at"]
    readonly_fields = ["status", "published_at", "published_by"]
    inlines = [CapabilityInline]


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin[Capability]):
    list_display = ["name", "code", "catalogue", "level", "unit", "vetting"]
    list_filter = ["catalogue", "level", "unit"]
    search_fields = ["name", "code"]


@admin.register(BandNeed)
class BandNeedAdmin(admin.ModelAdmin[BandNeed]):
    list_display = ["band", "capability", "amount"]
    list_filter = ["band"]
