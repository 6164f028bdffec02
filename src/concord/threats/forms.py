"""Register forms: shape only; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.core.choices import Classification
from concord.organisations.models import Organisation
from concord.threats.choices import MemberRole, VulnerabilityKind
from concord.threats.models import CriminalityType


class OcgForm(forms.Form):
    name = forms.CharField(label=_("Name or operation name"), max_length=200)
    summary = forms.CharField(
        max_length=limits.SUMMARY,
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    criminality = forms.ModelMultipleChoiceField(
        label=_("Criminality"),
        queryset=CriminalityType.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    force_areas = forms.ModelMultipleChoiceField(
        label=_("Force areas affected"),
        queryset=Organisation.objects.forces(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    classification = forms.ChoiceField(label=_("Classification"), choices=Classification.choices)
    sensitive = forms.BooleanField(label=_("SENSITIVE (strict need-to-know)"), required=False)
    handling_instructions = forms.CharField(
        max_length=limits.LINE,
        label=_("Handling instructions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MemberForm(forms.Form):
    forenames = forms.CharField(label=_("Forenames"), max_length=150, required=False)
    surname = forms.CharField(label=_("Surname"), max_length=150, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    role = forms.ChoiceField(
        label=_("Role in the group"), choices=MemberRole.choices, initial=MemberRole.PERIPHERAL
    )
    phone = forms.CharField(label=_("Phone number"), max_length=40, required=False)
    vrm = forms.CharField(label=_("Vehicle registration"), max_length=12, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if bool(data.get("forenames")) != bool(data.get("surname")):
            raise forms.ValidationError(_("Give both forenames and surname, or neither."))
        return data


MemberFormSet = forms.formset_factory(MemberForm, extra=4, max_num=20)


class ShareForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Share with organisation"),
        queryset=Organisation.objects.active(),
        to_field_name="code",
        required=False,
    )
    person = forms.CharField(label=_("Or with a person (username)"), max_length=150, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    until = forms.DateField(
        label=_("Until (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _references(value: str) -> list[str]:
    return [r for r in value.replace(",", " ").split() if r]


class MarkingFields(forms.Form):
    classification = forms.ChoiceField(label=_("Classification"), choices=Classification.choices)
    sensitive = forms.BooleanField(label=_("SENSITIVE (strict need-to-know)"), required=False)
    handling_instructions = forms.CharField(
        max_length=limits.LINE,
        label=_("Handling instructions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PriorityIndividualForm(forms.Form):
    nominal = forms.CharField(
        label=_("Person's reference"),
        max_length=24,
        help_text=_("The nominal's reference, for example NOM-DYP-000123."),
    )
    ocgs = forms.CharField(
        label=_("OCG references (optional)"),
        required=False,
        max_length=500,
        help_text=_("Separate references with spaces or commas."),
    )
    summary = forms.CharField(
        max_length=limits.SUMMARY,
        label=_("Why a priority individual"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    classification = MarkingFields.base_fields["classification"]
    sensitive = MarkingFields.base_fields["sensitive"]
    handling_instructions = MarkingFields.base_fields["handling_instructions"]

    def clean_ocgs(self) -> list[str]:
        return _references(self.cleaned_data.get("ocgs", ""))


class VulnerabilityForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is at risk"), choices=VulnerabilityKind.choices)
    name = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        max_length=limits.SUMMARY,
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    ocgs = PriorityIndividualForm.base_fields["ocgs"]
    force_areas = OcgForm.base_fields["force_areas"]
    classification = MarkingFields.base_fields["classification"]
    sensitive = MarkingFields.base_fields["sensitive"]
    handling_instructions = MarkingFields.base_fields["handling_instructions"]

    def clean_ocgs(self) -> list[str]:
        return _references(self.cleaned_data.get("ocgs", ""))


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        max_length=limits.ENTRY,
        label=_("Why it is archived"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
    )
