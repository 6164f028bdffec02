"""Deconfliction across instances: a subject registered here is checked at every peer that
takes part, as keyed hashes (`encoding`) in an Ed25519-signed envelope over the peer's bearer
token; the peer looks the hashes up in its own index and answers, signed, with pointers only.

    requester                                   peer
    register_subject -> FederatedCheck(OUT, pending) -> task send_check
        POST {root}deconfliction/check/  {check_id, nonce, sent_at, kind, tokens, contact,
                                          reference, secret_id, x_concord_from/to} + signature
                                                verify; look up FederatedToken; per match a Hit
                                                (peer=requester) + its own HitSide; audit; tell
        <- signed {check_id, hits: [{reference, organisation, contact, agreed, score}]}
    per answered hit: a Hit (peer=peer) + our HitSide; audit; tell; check ANSWERED

A check stays pending while the peer cannot be reached (each attempt recorded; the task is
retried by `concord worker`, and `concord deconflict federate` sends whatever is still
pending). A retry of a check the peer has answered is given the same answer again, so nothing
is recorded twice; an envelope sent twice (the same nonce) is a replay and refused.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from concord.core import audit
from concord.core.models import AuditAction
from concord.deconfliction import encoding
from concord.deconfliction.choices import HitKind, Side, SubjectKind
from concord.deconfliction.models import (
    FederatedCheck,
    FederatedToken,
    Hit,
    HitSide,
    Subject,
    new_reference,
)
from concord.intelligence import signing
from concord.intelligence.models import Peer
from concord.organisations.models import Organisation

logger = logging.getLogger("concord.deconfliction.federation")

# What the audit trail calls a check across instances (not CHECK: a peer's service account is
# audited, but neither rate-limited nor counted by the fishing monitor as a person).
PEER_CHECK = "deconfliction.peer_check"
ENVELOPE_TYPE = "concord-deconfliction-check"
ANSWER_TYPE = "concord-deconfliction-answer"
PATH = "deconfliction/check/"
# How far an envelope's sent_at may be from our clock.
FRESH = dt.timedelta(minutes=5)
REFERENCE = re.compile(r"DX-[A-Z0-9]{8}")
TOKEN = re.compile(f"[0-9a-f]{{{encoding.TOKEN_LENGTH}}}")


class FederationError(Exception):
    """A check could not be sent or its answer was not good; the check stays pending."""


class RefusedError(Exception):
    """A peer's check refused here: the HTTP status and why."""

    def __init__(self, status: int, title: str, description: str) -> None:
        super().__init__(f"{title}: {description}")
        self.status, self.title, self.description = status, title, description


def peers() -> list[Peer]:
    """The active peers deconfliction checks go to."""
    return list(
        Peer.objects.filter(active=True, deconflicts=True).select_related(
            "organisation", "local_organisation"
        )
    )


# --- the index --------------------------------------------------------------------------


def index(subject: Subject) -> dict[str, str]:
    """Store a subject's hashed tokens for peers' look-ups (nothing without a secret)."""
    if not encoding.configured():
        return {}
    tokens = encoding.encode(subject)
    FederatedToken.objects.bulk_create(token_rows(subject, tokens))
    return tokens


def token_rows(subject: Subject, tokens: dict[str, str]) -> list[FederatedToken]:
    """The index rows of a subject's hashed tokens (token -> kind)."""
    return [
        FederatedToken(subject=subject, operation_id=subject.operation_id, token=t, kind=k)
        for t, k in sorted(tokens.items())
    ]


def reindex() -> int:
    """Make every subject's tokens again (after the secret changed); returns how many subjects."""
    count = 0
    with transaction.atomic():
        FederatedToken.objects.all().delete()
        subjects = Subject._base_manager.select_related("operation")
        for subject in subjects.iterator(chunk_size=500):
            index(subject)
            count += 1
        closed = Subject._base_manager.filter(keys__active=False).values("pk")
        FederatedToken.objects.filter(subject__in=closed).update(active=False)
    return count


# --- requester ----------------------------------------------------------------------------


def queue_checks(subject: Subject, tokens: dict[str, str], contact: str) -> list[FederatedCheck]:
    """A pending check of a subject for every peer taking part, sent once committed."""
    if not tokens:
        return []
    made = [
        FederatedCheck.objects.create(
            check_id=uuid.uuid4(),
            direction=FederatedCheck.OUT,
            peer=peer,
            subject=subject,
            kind=subject.kind,
            tokens=sorted(tokens),
            reference=new_reference(),
            contact=contact,
        )
        for peer in peers()
    ]
    for check in made:
        pk = check.pk
        transaction.on_commit(lambda pk=pk: _enqueue(pk))  # type: ignore[misc]  # bound per check
    return made


def _enqueue(pk: int) -> None:
    try:
        send_check.enqueue(check_pk=pk)
    except Exception:  # the check stays pending; `concord deconflict federate` sends it
        logger.exception("deconfliction: could not queue federated check %s", pk)


@task()
def send_check(check_pk: int) -> str:
    """Send one pending check to its peer (background work; a failure is retried)."""
    check = FederatedCheck.objects.filter(pk=check_pk).select_related("peer").first()
    if check is None or check.status == FederatedCheck.ANSWERED:
        return "done"
    if not (check.peer.active and check.peer.deconflicts):
        # Left pending: sent if the peer takes part again (`concord deconflict federate`).
        return "peer not taking part"
    send(check)
    return "answered"


def _envelope(check: FederatedCheck) -> dict[str, Any]:
    peer = check.peer
    return signing.sign(
        {
            "type": ENVELOPE_TYPE,
            "version": 1,
            "check_id": str(check.check_id),
            "nonce": secrets.token_hex(16),
            "sent_at": timezone.now().astimezone(dt.UTC).isoformat(),
            "kind": check.kind,
            "tokens": list(check.tokens),
            "contact": check.contact,
            "organisation": check.subject.operation.owner.code if check.subject else "",
            "reference": check.reference,
            "secret_id": encoding.secret_id(),
            "x_concord_from": peer.local_organisation.code,
            "x_concord_to": peer.organisation.code,
        }
    )


def _url(peer: Peer) -> str:
    return (peer.url if peer.url.endswith("/") else peer.url + "/") + PATH


def _post(check: FederatedCheck) -> dict[str, Any]:
    peer = check.peer
    if not peer.token:
        raise FederationError(f"No token is set for peer {peer.name}.")
    body = signing.canonical(_envelope(check))
    try:
        response = requests.post(
            _url(peer),
            data=body,
            headers={
                "Authorization": f"Bearer {peer.token}",
                "Content-Type": "application/json",
                "Accept": "application/taxii+json;version=2.1",
                "User-Agent": "concord-deconfliction",
            },
            timeout=settings.FEDERATION_TIMEOUT,
        )
    except requests.RequestException as error:
        raise FederationError(f"The connection to {peer.name} failed: {error}") from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code >= 400 or not isinstance(answer, dict):
        detail = (
            f"{answer.get('title')}: {answer.get('description', '')}"
            if isinstance(answer, dict)
            else response.text[:200]
        )
        raise FederationError(f"{peer.name} answered {response.status_code}: {detail}")
    try:
        signing.verify(answer, peer.public_key)
    except signing.SignatureError as error:
        raise FederationError(f"{peer.name}'s answer is not good: {error}") from None
    if (
        answer.get("type") != ANSWER_TYPE
        or answer.get("check_id") != str(check.check_id)
        or answer.get("x_concord_from") != peer.organisation.code
        or not isinstance(answer.get("hits"), list)
    ):
        raise FederationError(f"{peer.name}'s answer is not an answer to this check.")
    return answer


@dataclass(frozen=True)
class Pointer:
    """One hit as a peer answers it: whom to call and the shared reference (the score is sent
    as a percentage: the signed canonical form holds no floating point)."""

    reference: str
    organisation: str
    contact: str
    score: float
    agreed: tuple[str, ...]


def _pointers(answer: dict[str, Any]) -> list[Pointer]:
    found = []
    for item in answer["hits"][:50]:
        if not isinstance(item, dict) or not REFERENCE.fullmatch(str(item.get("reference"))):
            raise FederationError("An answered hit has no good reference.")
        agreed = item.get("agreed")
        if not isinstance(agreed, list) or not isinstance(item.get("score"), int):
            raise FederationError("An answered hit's fields agreed or score are malformed.")
        found.append(
            Pointer(
                reference=str(item["reference"]),
                organisation=str(item.get("organisation", ""))[:20],
                contact=str(item.get("contact", ""))[:250],
                score=min(max(item["score"], 0), 100) / 100,
                agreed=tuple(str(a)[:20] for a in agreed[:12] if isinstance(a, str)),
            )
        )
    return found


def send(check: FederatedCheck) -> list[Hit]:
    """Send a pending check and record what the peer answers; FederationError (after the
    failed attempt is recorded) where the peer cannot be reached or refuses."""
    check = FederatedCheck.objects.select_related(
        "peer__organisation", "peer__local_organisation", "subject__operation__owner"
    ).get(pk=check.pk)
    FederatedCheck.objects.filter(pk=check.pk).update(
        attempts=check.attempts + 1, last_attempt_at=timezone.now()
    )
    try:
        answer = _post(check)
        pointers = _pointers(answer)
    except FederationError as error:
        FederatedCheck.objects.filter(pk=check.pk).update(last_error=str(error)[:500])
        logger.warning("deconfliction: check %s to %s failed: %s", check.pk, check.peer, error)
        raise
    return record_answer(check, pointers)


@transaction.atomic
def record_answer(check: FederatedCheck, pointers: list[Pointer]) -> list[Hit]:
    from concord.deconfliction import services

    check = FederatedCheck.objects.select_for_update().get(pk=check.pk)
    if check.status == FederatedCheck.ANSWERED:
        return []
    subject = check.subject
    hits = []
    if subject is not None:
        operation = subject.operation
        for pointer in pointers:
            hit = Hit.objects.filter(reference=pointer.reference, peer=check.peer).first()
            if hit is None:
                hit = Hit.objects.create(
                    reference=pointer.reference,
                    kind=HitKind.TARGET,
                    a_organisation=operation.owner,
                    a_contact=check.contact,
                    b_organisation=_organisation(pointer.organisation, check.peer),
                    b_contact=pointer.contact,
                    peer=check.peer,
                    peer_side=Side.B,
                    score=pointer.score,
                    agreed=list(pointer.agreed),
                    respond_by=services.respond_by(False),
                )
                HitSide.objects.create(hit=hit, side=Side.A, operation=operation, subject=subject)
                hits.append(hit)
    check.status = FederatedCheck.ANSWERED
    check.answered_at = timezone.now()
    check.last_error = ""
    check.hits = [p.reference for p in pointers]
    check.save()
    audit.record(
        AuditAction.SEARCH,
        actor=check.peer.account,
        object_type=PEER_CHECK,
        object_id=str(check.check_id),
        object_repr=f"{check.peer.name} answered",
        owner_code=check.peer.local_organisation.code,
        detail={
            "direction": "out",
            "peer": check.peer.name,
            "kind": check.kind,
            "operation": subject.operation.reference if subject else "",
            "hits": check.hits,
        },
    )
    services.announce(hits)
    return hits


def _organisation(code: str, peer: Peer) -> Organisation:
    """The organisation a peer names for a party (one its instance holds, such as a force on a
    ROCU's instance), or the one the peer speaks for where the code is not known here."""
    found = Organisation.objects.filter(code=code).first() if code else None
    return found if found is not None else peer.organisation


def send_pending(peer: Peer | None = None) -> tuple[int, int]:
    """Send every pending check (to one peer or all); returns (answered, still pending)."""
    rows = FederatedCheck.objects.filter(
        direction=FederatedCheck.OUT,
        status=FederatedCheck.PENDING,
        peer__active=True,
        peer__deconflicts=True,
    )
    if peer is not None:
        rows = rows.filter(peer=peer)
    answered = failed = 0
    for check in rows.order_by("pk"):
        try:
            send(check)
            answered += 1
        except FederationError:
            failed += 1
    return answered, failed


# --- the peer's side: answering a check ---------------------------------------------------


def _parse(envelope: Any, peer: Peer) -> dict[str, Any]:
    """The envelope's fields, checked (RefusedError names what is wrong)."""
    if not isinstance(envelope, dict) or envelope.get("type") != ENVELOPE_TYPE:
        raise RefusedError(400, "Bad check", "The body is not a deconfliction check.")
    try:
        signing.verify(envelope, peer.public_key)
    except signing.SignatureError as error:
        raise RefusedError(400, "Bad signature", str(error)) from None
    if (
        envelope.get("x_concord_from") != peer.organisation.code
        or envelope.get("x_concord_to") != peer.local_organisation.code
    ):
        raise RefusedError(403, "Wrong address", "The check is not from this peer to us.")
    if envelope.get("secret_id") != encoding.secret_id():
        raise RefusedError(
            409, "Different secret", "The check was encoded under another federation secret."
        )
    try:
        sent = dt.datetime.fromisoformat(str(envelope.get("sent_at")))
        check_id = uuid.UUID(str(envelope.get("check_id")))
    except ValueError:
        raise RefusedError(400, "Bad check", "sent_at or check_id is malformed.") from None
    if sent.tzinfo is None or abs(timezone.now() - sent) > FRESH:
        raise RefusedError(400, "Stale check", "The check was not sent within the last minutes.")
    tokens = envelope.get("tokens")
    if (
        not isinstance(tokens, list)
        or not 0 < len(tokens) <= encoding.MAX_TOKENS
        or not all(isinstance(t, str) and TOKEN.fullmatch(t) for t in tokens)
    ):
        raise RefusedError(400, "Bad check", "tokens must be 1 to 200 hashes.")
    if envelope.get("kind") not in SubjectKind.values:
        raise RefusedError(400, "Bad check", "kind is not a kind of subject.")
    if not REFERENCE.fullmatch(str(envelope.get("reference"))):
        raise RefusedError(400, "Bad check", "reference is malformed.")
    contact = envelope.get("contact")
    nonce = envelope.get("nonce")
    if not isinstance(contact, str) or not contact.strip() or len(contact) > 250:
        raise RefusedError(400, "Bad check", "contact must be a text of at most 250 characters.")
    if not isinstance(nonce, str) or not 16 <= len(nonce) <= 64:
        raise RefusedError(400, "Bad check", "nonce is malformed.")
    organisation = envelope.get("organisation", "")
    if not isinstance(organisation, str) or len(organisation) > 20:
        raise RefusedError(400, "Bad check", "organisation must be an organisation's code.")
    return {**envelope, "check_id": check_id}


def _local_matches(kind: str, tokens: list[str]) -> list[tuple[Subject, encoding.Verdict]]:
    from concord.deconfliction.checking import active_operations

    rows = FederatedToken.objects.filter(token__in=tokens, active=True).values_list(
        "subject_id", "kind"
    )
    shared: dict[int, set[str]] = {}
    for subject_id, name in rows:
        shared.setdefault(subject_id, set()).add(name)
    today = timezone.localdate()
    found = []
    for subject in (
        Subject._base_manager.filter(active_operations(today), pk__in=shared)
        .select_related("operation__owner")
        .order_by("pk")
    ):
        verdict = encoding.verdict(kind, subject.kind, shared[subject.pk])
        if verdict is not None:
            found.append((subject, verdict))
    return found


def _reference(proposed: str, n: int) -> str:
    """The shared reference of the nth hit of one check: the requester's proposal first."""
    if n == 0 and not Hit.objects.filter(reference=proposed).exists():
        return proposed
    return new_reference()


def answer(peer: Peer, envelope: Any) -> dict[str, Any]:
    """Answer a peer's check: record a hit per match (with our own side only), tell our
    people and the watch desk, audit, and give back the signed pointers."""
    from concord.deconfliction import services

    fields = _parse(envelope, peer)
    with transaction.atomic():
        try:
            with transaction.atomic():
                check, made = FederatedCheck.objects.select_for_update().get_or_create(
                    peer=peer,
                    direction=FederatedCheck.IN,
                    check_id=fields["check_id"],
                    defaults={
                        "kind": fields["kind"],
                        "reference": fields["reference"],
                        "contact": fields["contact"].strip(),
                        "nonces": [fields["nonce"]],
                        "attempts": 1,
                        "last_attempt_at": timezone.now(),
                    },
                )
        except IntegrityError:
            raise RefusedError(409, "Replayed", "This check is being answered already.") from None
        if not made:
            if fields["nonce"] in check.nonces:
                raise RefusedError(409, "Replayed", "This envelope has been received already.")
            check.nonces = [*check.nonces, fields["nonce"]][-20:]
            check.attempts += 1
            check.last_attempt_at = timezone.now()
            check.save(update_fields=["nonces", "attempts", "last_attempt_at"])
            # A retry of a check answered already: the same answer, nothing recorded again.
            return dict(check.answer)
        hits: list[Hit] = []
        pointers = []
        for n, (subject, verdict) in enumerate(_local_matches(fields["kind"], fields["tokens"])):
            operation = subject.operation
            hit = Hit.objects.create(
                reference=_reference(fields["reference"], n),
                kind=HitKind.TARGET,
                a_organisation=_organisation(str(fields.get("organisation", "")), peer),
                a_contact=check.contact,
                b_organisation=operation.owner,
                b_contact=services.contact_of(operation),
                peer=peer,
                peer_side=Side.A,
                score=verdict.score,
                agreed=list(verdict.agreed),
                respond_by=services.respond_by(False),
            )
            HitSide.objects.create(hit=hit, side=Side.B, operation=operation, subject=subject)
            hits.append(hit)
            pointers.append(
                {
                    "reference": hit.reference,
                    "organisation": operation.owner.code,
                    "contact": hit.b_contact,
                    "agreed": list(verdict.agreed),
                    "score": round(verdict.score * 100),
                }
            )
        reply = signing.sign(
            {
                "type": ANSWER_TYPE,
                "check_id": str(fields["check_id"]),
                "hits": pointers,
                "x_concord_from": peer.local_organisation.code,
                "x_concord_to": peer.organisation.code,
            }
        )
        check.status = FederatedCheck.ANSWERED
        check.answered_at = timezone.now()
        check.hits = [h.reference for h in hits]
        check.answer = reply
        check.save()
        audit.record(
            AuditAction.SEARCH,
            actor=peer.account,
            object_type=PEER_CHECK,
            object_id=str(fields["check_id"]),
            object_repr=f"{peer.name} checked {fields['kind']}",
            owner_code=peer.organisation.code,
            detail={
                "direction": "in",
                "peer": peer.name,
                "kind": fields["kind"],
                "tokens": len(fields["tokens"]),
                "hits": check.hits,
            },
        )
        services.announce(hits)
    return reply


def refused(peer: Peer | None, account: Any, error: RefusedError) -> None:
    """Audit a check refused (a tampered or replayed envelope): who sent it and why."""
    audit.record(
        AuditAction.SEARCH,
        actor=account,
        object_type=PEER_CHECK,
        object_repr=f"{peer.name if peer else '?'} refused",
        owner_code=peer.organisation.code if peer else "",
        detail={"direction": "in", "refused": error.title, "why": error.description[:200]},
    )


def parse_body(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise RefusedError(400, "Bad check", "The body is not JSON.") from None
