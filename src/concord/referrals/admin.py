from django.contrib import admin

from concord.referrals.models import ContactDesk, PriorityRule, ReferralRoute, ResponseTime


@admin.register(ReferralRoute)
class ReferralRouteAdmin(admin.ModelAdmin[ReferralRoute]):
    list_display = ("postcode_area", "receiving_unit")
    search_fields = ("postcode_area",)


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin[PriorityRule]):
    list_display = ("category", "priority")


@admin.register(ResponseTime)
class ResponseTimeAdmin(admin.ModelAdmin[ResponseTime]):
    list_display = ("priority", "hours")


@admin.register(ContactDesk)
class ContactDeskAdmin(admin.ModelAdmin[ContactDesk]):
    list_display = ("organisation", "desk")
