"""Forms of deconfliction: they validate shape; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core.choices import Classification
from concord.deconfliction.choices import DeploymentKind, OperationKind, Resolution, SubjectKind
from concord.deconfliction.models import MAX_RADIUS_M


class OperationForm(forms.Form):
    name = forms.CharField(label=_("Operation name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=OperationKind.choices)
    contact_name = forms.CharField(
        label=_("Contact or desk"),
        max_length=120,
        help_text=_("Whom the other party of a hit should call. This is all they are told."),
    )
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    starts = forms.DateField(label=_("Active from (YYYY-MM-DD)"))
    ends = forms.DateField(label=_("Active until (YYYY-MM-DD)"), required=False)
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=Classification.choices,
    )
    sensitive = forms.BooleanField(label=_("SENSITIVE"), required=False)


class SubjectForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of subject"), choices=SubjectKind.choices)
    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    surname = forms.CharField(label=_("Surname"), max_length=100, required=False)
    aliases = forms.CharField(
        label=_("Aliases"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Other names, one per line."),
    )
    dob = forms.DateField(label=_("Date of birth (YYYY-MM-DD)"), required=False)
    value = forms.CharField(
        label=_("Value"),
        max_length=200,
        required=False,
        help_text=_("The phone number, e-mail, VRM, VIN, IMEI, account, handle or address."),
    )
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)


class DeploymentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of deployment"), choices=DeploymentKind.choices)
    place = forms.CharField(label=_("Address or place"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False)
    longitude = forms.FloatField(label=_("Longitude"), required=False)
    radius_m = forms.IntegerField(
        label=_("Radius in metres"), min_value=10, max_value=MAX_RADIUS_M, initial=200
    )
    starts = forms.DateTimeField(label=_("Starts (YYYY-MM-DD HH:MM)"))
    ends = forms.DateTimeField(label=_("Ends (YYYY-MM-DD HH:MM)"))
    urgent = forms.BooleanField(label=_("Urgent"), required=False)


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("Resolution"), choices=Resolution.choices)
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
