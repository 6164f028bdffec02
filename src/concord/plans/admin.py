"""Django admin for operators: disruption impact levels (editable: the national definitions
are not public) and the workload limits per post (guidance is edited in the service, at
/plans/guidance/)."""

from django.contrib import admin

from concord.plans.models import DisruptionImpact, WorkloadLimit


@admin.register(DisruptionImpact)
class DisruptionImpactAdmin(admin.ModelAdmin[DisruptionImpact]):
    list_display = ["name", "name_cy", "code", "rank"]
    list_editable = ["rank"]


@admin.register(WorkloadLimit)
class WorkloadLimitAdmin(admin.ModelAdmin[WorkloadLimit]):
    list_display = ["role", "max_plans"]
    list_editable = ["max_plans"]
