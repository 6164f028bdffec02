"""State changes for organisations and people: each one transaction, permission checked first."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.models import AuditAction
from concord.organisations.choices import Language
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


@policy.rule(policy.Act.ADMINISTER_ORGANISATION)
def may_administer(user: Any, organisation: Organisation) -> bool:
    """An administrator of the organisation (or a superuser) manages its people."""
    return bool(user.can_administer(organisation))


def _require_admin_of(actor: User, organisation: Organisation) -> None:
    policy.require(
        actor,
        policy.Act.ADMINISTER_ORGANISATION,
        organisation,
        _("You can manage people of your own organisation only."),
    )


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


PERSON_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "job_title",
    "vetting_level",
    "vetting_expires",
    "is_active",
)


def person_state(person: User) -> dict[str, Any]:
    """What the audit trail records of a person: details, vetting, organisation, roles, teams
    (by code and name, as the database holds them)."""
    return {
        **audit.snapshot(person, PERSON_FIELDS),
        "organisation": Organisation.objects.filter(pk=person.organisation_id)
        .values_list("code", flat=True)
        .first(),
        "roles": sorted(person.roles.values_list("code", flat=True)),
        "teams": sorted(person.teams.values_list("name", flat=True)),
    }


def _secondment_state(secondment: Secondment) -> dict[str, Any]:
    return {
        "person": secondment.person.username,
        "organisation": secondment.organisation.code,
        **audit.snapshot(secondment, ["starts", "ends", "reason"]),
    }


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
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        obj=person,
        owner_code=organisation.code,
        changes=audit.diff({}, person_state(person)),
    )
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
    before = person_state(User.objects.get(pk=person.pk))  # as stored, not as edited
    for field, value in details.__dict__.items():
        setattr(person, field, value)
    person.full_clean(exclude=["password"])
    person.save()
    person.roles.set(roles)
    person.teams.set(checked_teams)
    person.__dict__.pop("role_codes", None)
    changed = audit.diff(before, person_state(person))
    if changed:
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=person,
            owner_code=person.organisation.code,
            changes=changed,
        )
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
    secondment = Secondment.objects.create(
        person=person, organisation=to, starts=starts, ends=ends, reason=reason
    )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        obj=secondment,
        object_repr=f"{person.username} to {to.code}",
        owner_code=person.organisation.code,
        changes=audit.diff({}, _secondment_state(secondment)),
    )
    return secondment


@transaction.atomic
def end_secondment(*, actor: User, secondment: Secondment, ends: dt.date) -> Secondment:
    """End a secondment on a date (or bring its end forward or back)."""
    secondment = Secondment.objects.select_for_update().get(pk=secondment.pk)
    person = secondment.person
    _require_admin_of(actor, person.organisation)
    if ends < secondment.starts:
        raise ValidationError({"ends": _("The end date must be on or after the start date.")})
    before = _secondment_state(secondment)
    secondment.ends = ends
    secondment.save(update_fields=["ends", "updated_at"])
    changed = audit.diff(before, _secondment_state(secondment))
    if changed:
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=secondment,
            object_repr=f"{person.username} to {secondment.organisation.code}",
            owner_code=person.organisation.code,
            changes=changed,
        )
    return secondment


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
    # The token's name, prefix, holder and expiry: never the token or its digest.
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        obj=token,
        owner_code=person.organisation.code,
        changes=audit.diff(
            {},
            {
                "name": token.name,
                "prefix": token.prefix,
                "person": person.username,
                "expires_at": token.expires_at,
            },
        ),
        detail={"days": days},
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
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=token,
            owner_code=token.user.organisation.code,
            changes={"revoked_at": [None, token.revoked_at]},
            detail={"person": token.user.username, "revoked": True},
        )
    return token


@transaction.atomic
def choose_language(*, actor: User, language: str) -> User:
    """Keep the language a person chose (blank: none) on their own profile, audited."""
    if language not in {"", *Language.values}:
        raise ValidationError({"language": _("Choose English, Cymraeg or no preference.")})
    before = User.objects.filter(pk=actor.pk).values_list("language", flat=True).get()
    if before != language:
        actor.language = language
        actor.save(update_fields=["language"])
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=actor,
            owner_code=actor.organisation.code,
            changes={"language": [before, language]},
        )
    actor.language = language
    return actor
