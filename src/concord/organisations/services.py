"""State changes for organisations and people: each one transaction, permission checked first."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.organisations.models import (
    ApiToken,
    Organisation,
    Role,
    Secondment,
    Team,
    User,
    digest_token,
)

TOKEN_PREFIX = "cnc_"  # noqa: S105  # a marker that helps secret scanners, not a secret


def _require_admin_of(actor: User, organisation: Organisation) -> None:
    if not actor.can_administer(organisation):
        raise PermissionDenied(_("You can manage people of your own organisation only."))


def _check_teams(organisation: Organisation, teams: Iterable[Team]) -> list[Team]:
    teams = list(teams)
    foreign = [team.name for team in teams if team.organisation_id != organisation.pk]
    if foreign:
        raise ValidationError(
            {
                "teams": _("Teams must belong to the person's organisation: %(names)s")
                % {"names": ", ".join(foreign)}
            }
        )
    return teams


@dataclass(frozen=True)
class PersonDetails:
    """What an administrator records about a person."""

    username: str
    first_name: str
    last_name: str
    email: str
    job_title: str = ""
    vetting_level: str = ""
    vetting_expires: dt.date | None = None
    is_active: bool = True


@transaction.atomic
def create_person(
    *,
    actor: User,
    organisation: Organisation,
    details: PersonDetails,
    roles: Iterable[Role] = (),
    teams: Iterable[Team] = (),
    password: str | None = None,
) -> User:
    """Add a person to an organisation the actor administers."""
    _require_admin_of(actor, organisation)
    checked_teams = _check_teams(organisation, teams)
    if User.objects.filter(username=details.username).exists():
        raise ValidationError({"username": _("That username is taken. Choose another.")})
    person = User(organisation=organisation, **details.__dict__)
    if password:
        person.set_password(password)
    else:
        # The person sets a password through the reset flow; no usable password until then.
        person.set_unusable_password()
    person.full_clean(exclude=["password"])
    try:
        person.save()
    except IntegrityError:
        raise ValidationError({"username": _("That username is taken. Choose another.")}) from None
    person.roles.set(roles)
    person.teams.set(checked_teams)
    return person


@transaction.atomic
def update_person(
    *,
    actor: User,
    person: User,
    details: PersonDetails,
    roles: Iterable[Role],
    teams: Iterable[Team],
) -> User:
    """Change a person's details, roles, teams and vetting."""
    _require_admin_of(actor, person.organisation)
    checked_teams = _check_teams(person.organisation, teams)
    if person.pk == actor.pk and not details.is_active:
        raise ValidationError({"is_active": _("You cannot stop yourself from signing in.")})
    if User.objects.filter(username=details.username).exclude(pk=person.pk).exists():
        raise ValidationError({"username": _("That username is taken. Choose another.")})
    for field, value in details.__dict__.items():
        setattr(person, field, value)
    person.full_clean(exclude=["password"])
    person.save()
    person.roles.set(roles)
    person.teams.set(checked_teams)
    person.__dict__.pop("role_codes", None)
    return person


@transaction.atomic
def create_team(
    *, actor: User, organisation: Organisation, name: str, description: str = ""
) -> Team:
    """Create a team in an organisation the actor administers."""
    _require_admin_of(actor, organisation)
    if Team.objects.filter(organisation=organisation, name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("Your organisation already has a team of that name.")})
    return Team.objects.create(
        organisation=organisation, name=name.strip(), description=description
    )


@transaction.atomic
def second_person(
    *,
    actor: User,
    person: User,
    to: Organisation,
    starts: dt.date,
    ends: dt.date | None = None,
    reason: str = "",
) -> Secondment:
    """Record that a person works for another organisation for a period."""
    _require_admin_of(actor, person.organisation)
    if to.pk == person.organisation_id:
        raise ValidationError({"organisation": _("A secondment is to another organisation.")})
    if ends is not None and ends < starts:
        raise ValidationError({"ends": _("The end date must be on or after the start date.")})
    return Secondment.objects.create(
        person=person, organisation=to, starts=starts, ends=ends, reason=reason
    )


@transaction.atomic
def issue_api_token(*, actor: User, person: User, name: str, days: int) -> tuple[ApiToken, str]:
    """Issue a bearer token; the plaintext is returned once and never stored."""
    if actor.pk != person.pk:
        _require_admin_of(actor, person.organisation)
    if not person.may_sign_in():
        raise ValidationError(_("A token can only be issued to a person who may sign in."))
    if not 1 <= days <= 730:
        raise ValidationError({"days": _("A token lasts between 1 and 730 days.")})
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=person,
        name=name.strip() or _("API token"),
        prefix=plaintext[: len(TOKEN_PREFIX) + 6],
        digest=digest_token(plaintext),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return token, plaintext


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking twice is harmless."""
    if actor.pk != token.user_id:
        _require_admin_of(actor, token.user.organisation)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
