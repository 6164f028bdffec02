"""4P plan forms: shape only; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.plans.choices import OUTCOME_FIELDS, ActionStatus, Strand
from concord.plans.models import DisruptionImpact, outcome_label

TEXT = {"rows": 3}


class PlanContextForm(forms.Form):
    aim = forms.CharField(
        max_length=limits.SUMMARY,
        label=_("Aim of the plan"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
    )
    partner_context = forms.CharField(
        max_length=limits.SUMMARY,
        label=_("Context shared with partners"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("Partners see this beside their actions, and nothing else of the plan."),
    )
    review_days = forms.IntegerField(label=_("Review every (days)"), min_value=7, max_value=365)


class ObjectiveForm(forms.Form):
    strand = forms.ChoiceField(label=_("Strand"), choices=Strand.choices)
    text = forms.CharField(
        max_length=limits.ENTRY, label=_("Objective"), widget=forms.Textarea(attrs=TEXT)
    )


class ActionForm(forms.Form):
    objective = forms.IntegerField(label=_("Objective"), widget=forms.Select)
    description = forms.CharField(
        max_length=limits.ENTRY, label=_("Action"), widget=forms.Textarea(attrs=TEXT)
    )
    owner_person = forms.CharField(
        label=_("Owner: a person (username)"), required=False, max_length=150
    )
    owner_organisation = forms.CharField(
        label=_("Or an agency (organisation code)"),
        required=False,
        max_length=12,
        help_text=_("For example MCC for Manchester City Council."),
    )
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))


class ActionProgressForm(forms.Form):
    action = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    outcome = forms.CharField(
        max_length=limits.ENTRY,
        label=_("Outcome"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(forms.Form):
    notes = forms.CharField(
        max_length=limits.SUMMARY,
        label=_("What the review found"),
        widget=forms.Textarea(attrs=TEXT),
    )


class DisruptionForm(forms.Form):
    strand = forms.ChoiceField(label=_("Strand"), choices=Strand.choices)
    impact = forms.ModelChoiceField(
        label=_("Impact"), queryset=DisruptionImpact.objects.all(), to_field_name="code"
    )
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    narrative = forms.CharField(
        max_length=limits.SUMMARY, label=_("What happened"), widget=forms.Textarea(attrs=TEXT)
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Outcome figures as text: the service checks each and names the one that is wrong.
        for name in OUTCOME_FIELDS:
            self.fields[name] = forms.CharField(
                label=outcome_label(name),
                required=False,
                initial="0",
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    def clean_impact(self) -> str:
        impact = self.cleaned_data["impact"]
        return str(impact.code)
