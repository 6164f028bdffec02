"""Django admin for operators: the register's editable reference data."""

from django.contrib import admin

from concord.threats.models import CriminalityType


@admin.register(CriminalityType)
class CriminalityTypeAdmin(admin.ModelAdmin[CriminalityType]):
    list_display = ["name", "name_cy", "code", "ordering"]
    list_editable = ["ordering"]
    search_fields = ["name", "name_cy", "code"]
