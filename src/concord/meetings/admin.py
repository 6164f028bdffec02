"""Django admin for operators: forums (who runs them, level, chair, members, cadence)."""

from django.contrib import admin

from concord.meetings.models import Forum


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin[Forum]):
    list_display = ["name", "organisation", "level", "kind", "chair", "cadence_days", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["name", "name_cy", "organisation__code"]
    filter_horizontal = ["members", "member_organisations"]
    raw_id_fields = ["chair"]
