"""Registering peers: another instance, the organisation it speaks for, its public key, and the
service account it signs in here as."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from concord.core.choices import Classification, RoleCode, VettingLevel
from concord.intelligence import signing
from concord.intelligence.models import Peer
from concord.organisations.models import ApiToken, Organisation, Role, User
from concord.organisations.services import issue_api_token

ACCOUNT_DAYS = 365


def _organisation(code: str, field: str) -> Organisation:
    try:
        return Organisation.objects.get(code=code.strip().upper())
    except Organisation.DoesNotExist:
        raise ValidationError({field: f"No organisation has the code {code!r}."}) from None


@transaction.atomic
def register_peer(
    *,
    name: str,
    organisation: str,
    local_organisation: str,
    url: str,
    public_key: str,
    max_classification: str = Classification.OFFICIAL,
    token: str = "",
    deconflicts: bool = True,
) -> tuple[Peer, str]:
    """Register (or update) a peer; returns it and a fresh token for the peer's operator to
    give their instance (`concord federation token` there). Each problem names its field."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,48}", name):
        raise ValidationError({"name": "Use 2 to 49 lower-case letters, digits and hyphens."})
    theirs = _organisation(organisation, "organisation")
    ours = _organisation(local_organisation, "local_organisation")
    if theirs == ours:
        raise ValidationError({"organisation": "A peer speaks for another organisation."})
    if not url.startswith(("http://", "https://")):
        raise ValidationError({"url": "Give the peer's TAXII API root, e.g. https://…/taxii2/api/"})
    try:
        signing.parse_public(public_key)
    except ValueError as error:
        raise ValidationError({"public_key": str(error)}) from None
    if max_classification not in Classification.values:
        raise ValidationError({"max_classification": f"One of {', '.join(Classification.values)}."})
    vetting = VettingLevel.SC if max_classification == Classification.SECRET else VettingLevel.NPPV2
    account, _made = User.objects.update_or_create(
        username=f"peer.{name}",
        defaults={
            "organisation": theirs,
            "first_name": "Peer",
            "last_name": name,
            "job_title": "Federation service account",
            "vetting_level": vetting,
            "vetting_expires": timezone.localdate() + dt.timedelta(days=ACCOUNT_DAYS),
            "is_active": True,
        },
    )
    # Never signs in with a password (only its token): an unusable one, the same every time.
    account.password = f"{UNUSABLE_PASSWORD_PREFIX}federation-service-account"
    account.save(update_fields=["password"])
    account.roles.set(Role.objects.filter(code=RoleCode.PARTNER_USER))
    peer, _made = Peer.objects.update_or_create(
        name=name,
        defaults={
            "organisation": theirs,
            "local_organisation": ours,
            "url": url.strip(),
            "public_key": public_key.strip(),
            "max_classification": max_classification,
            "account": account,
            "active": True,
            "deconflicts": deconflicts,
            **({"token": token.strip()} if token.strip() else {}),
        },
    )
    # One live token per peer: a new registration replaces the old one.
    ApiToken.objects.filter(user=account, revoked_at__isnull=True).update(revoked_at=timezone.now())
    _token, plaintext = issue_api_token(
        actor=account, person=account, name=f"peer {name}", days=ACCOUNT_DAYS
    )
    return peer, plaintext
