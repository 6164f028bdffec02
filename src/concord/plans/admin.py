"""Django admin for operators: disruption impact levels (editable: the national definitions
are not public)."""

from django.contrib import admin

from concord.plans.models import DisruptionImpact


@admin.register(DisruptionImpact)
class DisruptionImpactAdmin(admin.ModelAdmin[DisruptionImpact]):
    list_display = ["name", "name_cy", "code", "rank"]
    list_editable = ["rank"]
