"""The online check: a subject's blocking keys, its candidates by index look-up, and the
engine's verdict on each pair; a deployment's candidates by bounding box and time window, then
the haversine distance. Pure reads: the services record what is found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from concord.deconfliction import matching
from concord.deconfliction.choices import SubjectKind
from concord.deconfliction.matching import normalise
from concord.deconfliction.models import MAX_RADIUS_M, Deployment, Subject, SubjectKey
from concord.deconfliction.places import box, distance_m

# The identifier kinds, each the engine's field of the same name.
IDENTIFIER_KINDS = {
    SubjectKind.PHONE: "phone",
    SubjectKind.EMAIL: "email",
    SubjectKind.VRM: "vrm",
    SubjectKind.VIN: "vin",
    SubjectKind.IMEI: "imei",
    SubjectKind.ACCOUNT: "account",
    SubjectKind.HANDLE: "handle",
}
# At most this many candidate subjects are scored for one check, those sharing the most keys
# with it first (a candidate found by one common surname-and-year key alone says little).
CANDIDATES = 200


def engine_subjects(subject: Subject) -> list[matching.Subject]:
    """The engine's subjects for a registered one: a person under each of their names."""
    ident = str(subject.pk or 0)
    if subject.kind == SubjectKind.PERSON:
        names = [(subject.given_name, subject.surname)]
        for alias in subject.aliases.splitlines():
            parts = alias.strip().rsplit(" ", 1)
            if len(parts) == 2:
                names.append((parts[0], parts[1]))
            elif parts[0]:
                names.append((subject.given_name, parts[0]))
        return [
            matching.Subject(
                id=ident, given_name=g, surname=s, dob=subject.dob, postcode=subject.postcode
            )
            for g, s in names
        ]
    field = IDENTIFIER_KINDS.get(SubjectKind(subject.kind))
    if field is not None:
        return [matching.Subject(id=ident, **{field: (subject.value,)})]  # type: ignore[arg-type]  # field is one of the tuple fields
    return []


def keys_of(subject: Subject) -> set[str]:
    """The blocking keys a subject is stored and looked up under."""
    kind = subject.kind
    if kind == SubjectKind.ADDRESS:
        postcode = normalise.postcode(subject.postcode)
        words = normalise.address(subject.value)
        if postcode is None or words is None:
            return set()
        return {f"ad:{postcode.text}:{words}", f"pz:{postcode.text}"}
    if kind == SubjectKind.POSTCODE:
        postcode = normalise.postcode(subject.postcode or subject.value)
        return {f"pz:{postcode.text}"} if postcode else set()
    found: set[str] = set()
    for engine in engine_subjects(subject):
        prepared = matching.prepare(engine)
        found |= set(matching.keys(prepared))
    if kind == SubjectKind.PERSON:
        # A person is found by name and date of birth; a postcode key alone would pair
        # neighbours, so it is dropped unless a date of birth backs it up.
        found = {k for k in found if not k.startswith("pc:") or subject.dob}
    return found


def key_rows(subject: Subject, keys: Iterable[str]) -> list[SubjectKey]:
    """The index rows of a subject's blocking keys."""
    return [
        SubjectKey(subject=subject, operation_id=subject.operation_id, key=k) for k in sorted(keys)
    ]


def rekey(subjects: Any, keys: Any, batch: int = 2000) -> int:
    """Store every subject's blocking keys again, as `keys_of` now makes them (after the
    engine's keys change), each keeping its subject's active flag; returns how many subjects.
    Takes the model classes so that a data migration can pass its historical ones."""
    done = 0
    rows = subjects.objects.order_by("pk")
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:batch])
        if not chunk:
            return done
        last = chunk[-1].pk
        active = dict(
            keys.objects.filter(subject_id__in=[s.pk for s in chunk])
            .order_by()
            .values_list("subject_id", "active")
            .distinct()
        )
        keys.objects.filter(subject_id__in=[s.pk for s in chunk]).delete()
        keys.objects.bulk_create(
            [
                keys(
                    subject_id=s.pk,
                    operation_id=s.operation_id,
                    key=k,
                    active=active.get(s.pk, True),
                )
                for s in chunk
                for k in sorted(keys_of(s))
            ]
        )
        done += len(chunk)


@dataclass(frozen=True)
class Found:
    """A registered subject that matches the checked one, with the engine's score."""

    subject: Subject
    score: float
    agreed: tuple[str, ...]


def _prepared(subject: Subject) -> list[matching.Prepared]:
    return [matching.prepare(s) for s in engine_subjects(subject)]


def _verdict(
    checked: Subject, mine: list[matching.Prepared], other: Subject, shared: set[str]
) -> Found | None:
    kinds = {checked.kind, other.kind}
    if kinds <= {SubjectKind.ADDRESS, SubjectKind.POSTCODE}:
        if any(k.startswith("ad:") for k in shared):
            return Found(other, 0.0, ("address", "postcode"))
        if SubjectKind.POSTCODE in kinds and shared:
            return Found(other, 0.0, ("postcode",))
        return None
    if checked.kind != other.kind:
        return None
    best: matching.Scored | None = None
    for left in mine:
        for right in _prepared(other):
            scored = matching.score(left, right)
            if best is None or scored.score > best.score:
                best = scored
    if best is None:
        return None
    agreed = tuple(a.field for a in best.agreed)
    if checked.kind == SubjectKind.PERSON:
        return Found(other, best.score, agreed) if best.score >= matching.MATCH else None
    # One identifier: the same normalised value is the hit.
    return Found(other, best.score, agreed) if agreed else None


def active_operations(day: dt.date) -> Q:
    """Operations active on `day`, as a filter on the `operation` relation."""
    return Q(operation__starts__lte=day) & (
        Q(operation__ends__isnull=True) | Q(operation__ends__gte=day)
    )


def matches(subject: Subject, keys: Iterable[str]) -> list[Found]:
    """Every active subject of another operation (of any organisation, seen or not) that the
    checked subject matches: one index look-up of its keys, then the engine on the few found."""
    keys = sorted(set(keys))
    if not keys:
        return []
    rows = list(
        SubjectKey.objects.filter(key__in=keys, active=True)
        .exclude(operation_id=subject.operation_id)
        .values_list("subject_id", "key")[: CANDIDATES * 20]
    )
    shared: dict[int, set[str]] = {}
    for subject_id, key in rows:
        shared.setdefault(subject_id, set()).add(key)
    best = sorted(shared, key=lambda pk: (-len(shared[pk]), pk))[:CANDIDATES]
    today = timezone.localdate()
    candidates = Subject._base_manager.filter(active_operations(today), pk__in=best).select_related(
        "operation"
    )
    mine = _prepared(subject)
    found = [_verdict(subject, mine, other, shared[other.pk]) for other in candidates]
    return sorted((f for f in found if f is not None), key=lambda f: (-f.score, f.subject.pk))


def clashes(deployment: Deployment) -> list[tuple[Deployment, float]]:
    """Other operations' deployments whose circles meet this one's and whose times overlap:
    a bounding box on the indexed point and the time window, then the haversine distance."""
    point = (deployment.latitude, deployment.longitude)
    south, north, west, east = box(point, deployment.radius_m + MAX_RADIUS_M)
    today = timezone.localdate()
    nearby = (
        Deployment._base_manager.filter(
            active_operations(today),
            latitude__gte=south,
            latitude__lte=north,
            longitude__gte=west,
            longitude__lte=east,
            starts__lt=deployment.ends,
            ends__gt=deployment.starts,
        )
        .exclude(operation_id=deployment.operation_id)
        .select_related("operation")[:CANDIDATES]
    )
    found = []
    for other in nearby:
        metres = distance_m(point, (other.latitude, other.longitude))
        if metres <= deployment.radius_m + other.radius_m:
            found.append((other, metres))
    return sorted(found, key=lambda pair: (pair[1], pair[0].pk))
