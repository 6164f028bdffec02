"""Ownership forms: shape only; the services hold the rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core import text as limits
from concord.organisations.models import Organisation, User
from concord.ownership import pickers, transfers
from concord.ownership.choices import AppointmentRole, HandoverTopic, TransferKind, Urgency
from concord.ownership.models import TransferRequest
from concord.threats.models import RegisterItem

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise
else:
    StrOrPromise = object


def picker(url: str, *, depends: str = "", placeholder: str = "") -> forms.Select:
    """A <select> of the valid choices that picker.js turns into a search-as-you-type
    combobox reading the same choices from `url` (`depends`: a field whose value is sent)."""
    attrs = {
        "data-picker": url,
        "data-picker-count": str(
            _("Choices found: %(count)s. Use the up and down arrows, then Enter.")
        ),
        "data-picker-none": str(_("No choice matches what you typed.")),
    }
    if depends:
        attrs["data-picker-depends"] = depends
    if placeholder:
        attrs["data-picker-placeholder"] = placeholder
    return forms.Select(attrs=attrs)


def organisations_field(
    label: StrOrPromise, *, invalid: StrOrPromise
) -> forms.ModelChoiceField[Organisation]:
    return forms.ModelChoiceField(
        label=label,
        queryset=Organisation.objects.none(),
        to_field_name="code",
        empty_label=_("Choose an organisation"),
        error_messages={"invalid_choice": invalid, "required": invalid},
    )


class TransferForm(forms.Form):
    """A transfer or support request about `item`: "To" offers only where the route rules
    let a request from the item's owner go (for any kind; the kind chosen narrows it)."""

    kind = forms.ChoiceField(label=_("What is asked for"), choices=TransferKind.choices)
    to_organisation = organisations_field(
        _("To"), invalid=_("“To”: choose from the list an organisation this request may go to.")
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    reason = forms.CharField(
        max_length=limits.SUMMARY, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3})
    )
    asked = forms.CharField(
        max_length=limits.SUMMARY,
        label=_("What exactly is asked"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, item: RegisterItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_organisation"]
        field.widget = picker(
            pickers.picker_url("transfer-to", item=f"{item.kind_code}:{item.reference}"),
            depends="kind",
            placeholder=str(_("Type a name or code")),
        )
        field.queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in transfers.allowed_receivers(item.owner)]
        ).order_by("kind", "name")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("decline", _("Decline")), ("query", _("Query"))],
    )
    reason = forms.CharField(
        max_length=limits.ENTRY,
        label=_("Reason or question"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to decline (why) or to query (the question)."),
    )


class AnswerForm(forms.Form):
    text = forms.CharField(
        max_length=limits.NARRATIVE, label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3})
    )


class HandoverForm(forms.Form):
    topic = forms.ChoiceField(label=_("Part of the handover"), choices=HandoverTopic.choices)
    text = forms.CharField(
        max_length=limits.NARRATIVE,
        label=_("Handover note"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CompleteForm(forms.Form):
    """Completing a transfer: the SIO (and, where ownership moves, the LRO) chosen by name
    from the people who may hold the post; SIO support asks for the SIO only, since the
    owner and its LRO stay."""

    sio = forms.ModelChoiceField(
        label=_("SIO"),
        queryset=User.objects.none(),
        to_field_name="username",
        required=False,
        empty_label=_("Choose a person"),
        error_messages={
            "invalid_choice": _("“SIO”: choose from the list a person who may be the SIO."),
            "required": _("“SIO”: name the SIO the receiving organisation appoints."),
        },
    )
    lro = forms.ModelChoiceField(
        label=_("LRO"),
        queryset=User.objects.none(),
        to_field_name="username",
        required=False,
        empty_label=_("Choose a person"),
        error_messages={
            "invalid_choice": _("“LRO”: choose from the list a person who may be the LRO."),
        },
    )

    def __init__(self, *args: Any, transfer: TransferRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item = transfer.subject
        posts = [AppointmentRole.SIO]
        if transfer.kind == TransferKind.SUPPORT:
            del self.fields["lro"]
            self.fields["sio"].required = True
            self.fields["sio"].help_text = _(
                "A person of your organisation who holds the SIO role and is cleared to see "
                "%(ref)s."
            ) % {"ref": item.reference}
        else:
            posts.append(AppointmentRole.LRO)
            self.fields["sio"].help_text = _("Optional: the SIO your organisation appoints.")
            self.fields["lro"].help_text = _(
                "Optional: someone of your organisation, a partner, or the SIO who handed the "
                "group over."
            )
        for post in posts:
            field = self.fields[post]
            people = pickers.appointees(
                item, post, pickers.appointee_organisations(item, post, transfer)
            )
            field.widget = picker(
                pickers.picker_url("appointee", transfer=str(transfer.pk), post=post),
                placeholder=str(_("Type a name")),
            )
            field.label_from_instance = pickers.person_label  # type: ignore[attr-defined]
            field.queryset = User.objects.filter(  # type: ignore[attr-defined]
                pk__in=[p.pk for p in people]
            ).order_by("last_name", "first_name")


class AppointForm(forms.Form):
    """The owner appoints an SIO, LRO or SRO: the person is chosen by name from those who may
    hold a post on the item (the post chosen narrows them; the service checks it again)."""

    role = forms.ChoiceField(label=_("Post"), choices=AppointmentRole.choices)
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        to_field_name="username",
        empty_label=_("Choose a person"),
        error_messages={
            "invalid_choice": _("“Person”: choose from the list a person who may hold a post."),
            "required": _("“Person”: choose the person to appoint."),
        },
    )

    def __init__(self, *args: Any, item: RegisterItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        field.widget = picker(
            pickers.picker_url("appointee", item=f"{item.kind_code}:{item.reference}"),
            depends="role",
            placeholder=str(_("Type a name")),
        )
        field.label_from_instance = pickers.person_label  # type: ignore[attr-defined]
        field.queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in={
                person.pk
                for post in AppointmentRole.values
                for person in pickers.appointees(
                    item, post, pickers.appointee_organisations(item, post)
                )
            }
        ).order_by("last_name", "first_name")


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        max_length=limits.ENTRY,
        label=_("Why it is withdrawn"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TaskingForm(forms.Form):
    """A tasking request: "To" offers only where the sender may task."""

    to_organisation = organisations_field(
        _("To"),
        invalid=_("“To”: choose from the list an organisation your organisation may task."),
    )
    capability = forms.CharField(
        label=_("Capability or action"),
        max_length=200,
        help_text=_("For example: covert surveillance, a financial investigator, a warrant team."),
    )
    asked = forms.CharField(
        max_length=limits.SUMMARY,
        label=_("What exactly is asked"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        max_length=limits.SUMMARY, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3})
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    respond_by = forms.DateField(
        label=_("Respond by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    about = forms.CharField(
        label=_("OCG or priority individual reference (optional)"), required=False, max_length=24
    )

    def __init__(self, *args: Any, sender: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_organisation"]
        field.widget = picker(
            pickers.picker_url("tasking-to"), placeholder=str(_("Type a name or code"))
        )
        field.queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in pickers.tasking_receivers(sender)]
        ).order_by("kind", "name")


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        max_length=limits.SUMMARY,
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
