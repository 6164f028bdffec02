"""Forms for declarations and alert reviews (shape only)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.monitoring.choices import AlertStatus, Relationship


class DeclarationForm(forms.Form):
    name = forms.CharField(label=_("Their full name"), max_length=200)
    date_of_birth = forms.DateField(
        label=_("Their date of birth (if known)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    relationship = forms.ChoiceField(label=_("How you know them"), choices=Relationship.choices)
    notes = forms.CharField(
        max_length=limits.ENTRY,
        label=_("Anything else an auditor should know"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (AlertStatus.REVIEWED, AlertStatus.REVIEWED.label),
            (AlertStatus.REFERRED, AlertStatus.REFERRED.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        max_length=limits.ENTRY, label=_("What you found"), widget=forms.Textarea(attrs={"rows": 4})
    )
