"""The automatic checks of referrals against the national register and intelligence.

Each referral's people (names, dates of birth) and identifiers (phones, e-mail addresses,
accounts) are scored against every nominal on the register with the deconfliction matching
engine (deconfliction.matching: normalisation, blocking, Fellegi-Sunter scores per field), and
its identifiers are looked up among the POLE entities linked to intelligence reports. Each hit
is kept twice: as a match naming the record (seen only by those who may see it) and as a
pointer naming only the record's owner and contact desk. The register is indexed once for a
whole upload, so checking 10,000 referrals reads it once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from concord.deconfliction.matching import MATCH, REVIEW, Index, Subject, prepare
from concord.intelligence.models import IntelReport
from concord.referrals.choices import Strength
from concord.referrals.models import ContactDesk, Referral, ReferralMatch, ReferralPointer
from concord.threats.choices import EntityKind
from concord.threats.models import EntityLink, Nominal

KINDS: dict[str, str] = {
    EntityKind.PHONE: "phone",
    EntityKind.EMAIL: "email",
    EntityKind.ACCOUNT: "account",
}
# What one identifier agreeing weighs (the engine's weight for an exact phone or account).
IDENTIFIER_SCORE = 19.8


@dataclass(frozen=True)
class Hit:
    referral: Referral
    owner_id: int
    score: float
    fields: tuple[str, ...]
    nominal_id: int | None = None
    report_id: int | None = None

    @property
    def strength(self) -> str:
        return Strength.STRONG if self.score >= MATCH else Strength.POSSIBLE


@dataclass
class Register:
    """The register's nominals as an index, and who owns each."""

    index: Index
    owners: dict[int, int]

    @classmethod
    def load(cls) -> Register:
        """Index every nominal with its linked phones, e-mail addresses and accounts."""
        linked: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for nominal_id, kind, canonical in EntityLink._base_manager.filter(
            nominal__isnull=False, entity__kind__in=list(KINDS)
        ).values_list("nominal_id", "entity__kind", "entity__canonical"):
            linked[nominal_id][KINDS[kind]].append(canonical)
        index = Index()
        owners: dict[int, int] = {}
        for pk, owner_id, forenames, surname, dob in (
            Nominal._base_manager.order_by()
            .values_list("pk", "owner_id", "forenames", "surname", "date_of_birth")
            .iterator(chunk_size=5000)
        ):
            ids = linked.get(pk, {})
            index.add(
                Subject(
                    id=str(pk),
                    given_name=forenames[:500],
                    surname=surname[:500],
                    dob=dob,
                    phone=tuple(ids.get("phone", ()))[:50],
                    email=tuple(ids.get("email", ()))[:50],
                    account=tuple(ids.get("account", ()))[:50],
                )
            )
            owners[pk] = owner_id
        return cls(index=index, owners=owners)


def _subjects(referral: Referral) -> list[Subject]:
    """One subject per person named (each with the referral's identifiers), and one of the
    identifiers alone: a parcel's phone is the nominal's whatever name is on the label."""
    phones = tuple(str(p) for p in referral.phones)[:50]
    emails = tuple(str(e) for e in referral.emails)[:50]
    accounts = tuple(str(a) for a in referral.accounts)[:50]
    people = [*referral.people, {}] if phones or emails or accounts else referral.people
    out = []
    for n, person in enumerate(people):
        name = str(person.get("name", "")).strip()
        given, _sep, surname = name.rpartition(" ")
        dob_text = str(person.get("dob", ""))
        dob = dt.date.fromisoformat(dob_text) if dob_text else None
        if not name and not (phones or emails or accounts):
            continue
        out.append(
            Subject(
                id=f"{referral.pk}:{n}",
                given_name=given[:500],
                surname=surname[:500],
                dob=dob,
                phone=phones,
                email=emails,
                account=accounts,
            )
        )
    return out


def _register_hits(referral: Referral, register: Register) -> list[Hit]:
    best: dict[int, Hit] = {}
    for subject in _subjects(referral):
        for scored in register.index.check(prepare(subject), threshold=REVIEW):
            nominal_id = int(scored.right)
            if nominal_id in best and best[nominal_id].score >= scored.score:
                continue
            best[nominal_id] = Hit(
                referral=referral,
                owner_id=register.owners[nominal_id],
                score=round(scored.score, 1),
                fields=tuple(sorted({a.field for a in scored.agreed})),
                nominal_id=nominal_id,
            )
    return list(best.values())


def _report_hits(referrals: Sequence[Referral]) -> list[Hit]:
    """Reports linked to an entity with one of the referrals' identifiers."""
    wanted: dict[str, list[tuple[Referral, str]]] = defaultdict(list)
    for referral in referrals:
        for kind, values in (
            ("phone", referral.phones),
            ("email", referral.emails),
            ("account", referral.accounts),
        ):
            for value in values:
                wanted[value].append((referral, kind))
    if not wanted:
        return []
    through = IntelReport.entities.through
    found: dict[tuple[int, int], tuple[Referral, int, set[str]]] = {}
    values = list(wanted)
    for start in range(0, len(values), 500):
        for report_id, owner_id, canonical in through.objects.filter(
            entity__canonical__in=values[start : start + 500]
        ).values_list("intelreport_id", "intelreport__owner_id", "entity__canonical"):
            for referral, kind in wanted[canonical]:
                key = (referral.pk, report_id)
                found.setdefault(key, (referral, owner_id, set()))[2].add(kind)
    return [
        Hit(
            referral=referral,
            owner_id=owner_id,
            score=IDENTIFIER_SCORE,
            fields=tuple(sorted(kinds)),
            report_id=report_id,
        )
        for (_ref, report_id), (referral, owner_id, kinds) in found.items()
    ]


def check(referrals: Iterable[Referral], register: Register | None = None) -> list[Hit]:
    """Check saved referrals and keep their results (a match and a pointer per hit); returns
    the hits (the caller raises the priority of referrals with a strong one)."""
    referrals = list(referrals)
    if not referrals:
        return []
    register = register or Register.load()
    hits: list[Hit] = []
    for referral in referrals:
        hits.extend(_register_hits(referral, register))
    hits.extend(_report_hits(referrals))
    desks = dict(ContactDesk.objects.values_list("organisation_id", "desk"))
    matches, pointers = [], []
    counter: dict[int, int] = defaultdict(int)
    for hit in hits:
        counter[hit.referral.pk] += 1
        reference = f"HIT-{hit.referral.pk:06d}-{counter[hit.referral.pk]:02d}"
        common = {
            "referral": hit.referral,
            "hit_reference": reference,
            "strength": hit.strength,
            "score": hit.score,
            "fields": list(hit.fields),
        }
        matches.append(ReferralMatch(nominal_id=hit.nominal_id, report_id=hit.report_id, **common))
        pointers.append(
            ReferralPointer(owner_id=hit.owner_id, desk=desks.get(hit.owner_id, ""), **common)
        )
    ReferralMatch.objects.bulk_create(matches, batch_size=1000)
    ReferralPointer.objects.bulk_create(pointers, batch_size=1000)
    return hits
