"""Ownership forms: shape only; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core.choices import OrganisationKind
from concord.organisations.models import Organisation
from concord.ownership.choices import AppointmentRole, HandoverTopic, TransferKind, Urgency


class TransferForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is asked for"), choices=TransferKind.choices)
    to_organisation = forms.ModelChoiceField(
        label=_("To"),
        queryset=Organisation.objects.active().exclude(kind=OrganisationKind.PARTNER),
        to_field_name="code",
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    asked = forms.CharField(
        label=_("What exactly is asked"), widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("decline", _("Decline")), ("query", _("Query"))],
    )
    reason = forms.CharField(
        label=_("Reason or question"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to decline (why) or to query (the question)."),
    )


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))


class HandoverForm(forms.Form):
    topic = forms.ChoiceField(label=_("Part of the handover"), choices=HandoverTopic.choices)
    text = forms.CharField(label=_("Handover note"), widget=forms.Textarea(attrs={"rows": 4}))


class CompleteForm(forms.Form):
    sio = forms.CharField(label=_("SIO (username)"), required=False, max_length=150)
    lro = forms.CharField(label=_("LRO (username)"), required=False, max_length=150)


class AppointForm(forms.Form):
    role = forms.ChoiceField(label=_("Post"), choices=AppointmentRole.choices)
    person = forms.CharField(label=_("Person (username)"), max_length=150)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is withdrawn"), widget=forms.Textarea(attrs={"rows": 2})
    )


class TaskingForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        label=_("To"),
        queryset=Organisation.objects.active().exclude(kind=OrganisationKind.PARTNER),
        to_field_name="code",
    )
    capability = forms.CharField(
        label=_("Capability or action"),
        max_length=200,
        help_text=_("For example: covert surveillance, a financial investigator, a warrant team."),
    )
    asked = forms.CharField(
        label=_("What exactly is asked"), widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    respond_by = forms.DateField(
        label=_("Respond by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    about = forms.CharField(
        label=_("OCG or priority individual reference (optional)"), required=False, max_length=24
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
