"""Forms of the organisations app: shape only; rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from concord.core import audit
from concord.core import text as limits
from concord.core.models import AuditAction
from concord.organisations.choices import Language, VettingLevel
from concord.organisations.models import Role, Team, User


class SignInForm(AuthenticationForm):
    """Sign-in: one message for a wrong password or unknown user; vetting checked after."""

    error_messages = {
        "invalid_login": _("The username or password is not right. Check them and try again."),
        "inactive": _("This account cannot sign in. Contact your Concord administrator."),
        "vetting": _(
            "Your vetting expired on %(date)s, so you cannot sign in. Contact your force "
            "vetting unit to renew it."
        ),
        "no_vetting": _(
            "No current vetting is recorded for you, so you cannot sign in. Contact your "
            "Concord administrator."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Django sets the username's max_length after the field is built, so nothing checks
        # it: an over-long name would reach authentication and the lockout's log (a 500 on
        # PostgreSQL). Checked here, it is refused as a field error and never looked up.
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(getattr(field, "max_length", None) or 150))

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if user.is_superuser or user.vetting_is_current():
            return
        audit.record(
            AuditAction.SIGN_IN_FAILED,
            actor=user,
            detail={
                "username": user.username,
                "why": "vetting_expired" if user.vetting_expires else "no_vetting",
            },
        )
        if user.vetting_expires:
            raise forms.ValidationError(
                self.error_messages["vetting"],
                code="vetting",
                params={"date": formats.date_format(user.vetting_expires, "j F Y")},
            )
        raise forms.ValidationError(self.error_messages["no_vetting"], code="no_vetting")


class PersonForm(forms.Form):
    """The details an administrator records for a person in their organisation."""

    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[a-z0-9._-]+$",
        error_messages={
            "invalid": _(
                "Enter a username of lower-case letters, digits, dots, hyphens or underscores."
            )
        },
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    job_title = forms.CharField(label=_("Job title or rank"), max_length=120, required=False)
    roles = forms.ModelMultipleChoiceField(
        label=_("Roles"),
        queryset=Role.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    vetting_level = forms.ChoiceField(
        label=_("Vetting level"),
        choices=[("", "—"), *VettingLevel.choices],
        required=False,
    )
    vetting_expires = forms.DateField(
        label=_("Vetting expires"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    is_active = forms.BooleanField(label=_("Can sign in"), required=False, initial=True)

    def __init__(self, *args: object, teams: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's loose signature
        if teams is not None:
            self.fields["teams"].queryset = teams  # type: ignore[attr-defined]  # model field

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if bool(data.get("vetting_level")) != bool(data.get("vetting_expires")):
            self.add_error(
                "vetting_expires",
                _("Give both the vetting level and its expiry date, or neither."),
            )
        return data


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=200)
    description = forms.CharField(
        max_length=limits.SUMMARY, label=_("Description"), required=False, widget=forms.Textarea
    )


class LanguageForm(forms.Form):
    """The language kept on a person's profile (blank: not chosen)."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("No preference (as the browser asks)")), *Language.choices],
        help_text=_("Concord's pages, notifications and e-mails speak to you in this language."),
    )
