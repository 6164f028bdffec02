"""Synthetic UK-shaped people (Faker en_GB, seeded) with planted corruptions: the ground truth
for the tests and the benchmark. Each corrupted copy changes one thing of one kind."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from faker import Faker

from .comparators import nick_namer
from .subject import Subject

CORRUPTIONS: tuple[str, ...] = (
    "typo",
    "nickname",
    "swapped_dates",
    "vrm_lookalike",
    "phone_format",
    "moved_address",
)
_LOOKALIKE = {"O": "0", "0": "O", "I": "1", "1": "I", "S": "5", "5": "S", "B": "8", "8": "B"}
_LOOKALIKE.update({"Z": "2", "2": "Z"})


@dataclass(frozen=True)
class Planted:
    """People and their corrupted copies: `pairs` maps (original id, copy id) to the kind."""

    people: list[Subject]
    pairs: dict[tuple[str, str], str]


def _vrm(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNOPRSTUVWXYZ"
    area = "".join(rng.choice(letters) for _ in range(2))
    tail = "".join(rng.choice(letters) for _ in range(3))
    return f"{area}{rng.randint(2, 25):02d} {tail}"


def person(fake: Faker, rng: random.Random, number: int) -> Subject:
    """One synthetic person with an address, a mobile, an e-mail and (for most) a vehicle."""
    given = fake.first_name()
    surname = fake.last_name()
    dob = fake.date_of_birth(minimum_age=16, maximum_age=80)
    mobile = f"07{rng.randint(100000000, 999999999)}"
    return Subject(
        id=f"P{number}",
        given_name=given,
        surname=surname,
        dob=dob,
        address=fake.street_address().replace("\n", ", "),
        postcode=fake.postcode(),
        town=fake.city(),
        phone=(mobile,),
        email=(f"{given}.{surname}{rng.randint(1, 999)}@{fake.free_email_domain()}".lower(),),
        vrm=(_vrm(rng),) if rng.random() < 0.7 else (),
    )


def _typo(s: Subject, rng: random.Random, fake: Faker) -> Subject | None:
    part = "surname" if rng.random() < 0.5 else "given_name"
    text = getattr(s, part)
    if len(text) < 3:
        return None
    i = rng.randrange(1, len(text))
    chars = list(text)
    edit = rng.choice(("swap", "drop", "change", "double"))
    if edit == "swap" and i < len(chars) - 1:
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    elif edit == "drop":
        del chars[i]
    elif edit == "double":
        chars.insert(i, chars[i])
    else:
        chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
    text = "".join(chars)
    return replace(s, surname=text) if part == "surname" else replace(s, given_name=text)


def _nickname(s: Subject, rng: random.Random, fake: Faker) -> Subject | None:
    names = sorted(nick_namer().nicknames_of(s.given_name.lower()))
    if not names:
        return None
    return replace(s, given_name=rng.choice(names).title())


def _swapped_dates(s: Subject, rng: random.Random, fake: Faker) -> Subject | None:
    dob = s.dob
    if dob is None or dob.day > 12 or dob.day == dob.month:
        return None
    return replace(s, dob=date(dob.year, dob.day, dob.month))


def _vrm_lookalike(s: Subject, rng: random.Random, fake: Faker) -> Subject | None:
    if not s.vrm:
        return None
    plate = s.vrm[0]
    spots = [i for i, c in enumerate(plate) if c in _LOOKALIKE]
    if not spots:
        return None
    i = rng.choice(spots)
    changed = plate[:i] + _LOOKALIKE[plate[i]] + plate[i + 1 :]
    return replace(s, vrm=(changed.replace(" ", "") if rng.random() < 0.5 else changed,))


def _phone_format(s: Subject, rng: random.Random, fake: Faker) -> Subject | None:
    number = s.phone[0][1:]
    written = rng.choice(
        (f"+44 {number[:4]} {number[4:]}", f"0044{number}", f"(0{number[:4]}) {number[4:]}")
    )
    return replace(s, phone=(written,))


def _moved_address(s: Subject, rng: random.Random, fake: Faker) -> Subject | None:
    return replace(
        s, address=fake.street_address().replace("\n", ", "), postcode=fake.postcode(),
        town=fake.city(), phone=(), email=(),
    )  # fmt: skip


_CORRUPT: dict[str, Callable[[Subject, random.Random, Faker], Subject | None]] = {
    "typo": _typo,
    "nickname": _nickname,
    "swapped_dates": _swapped_dates,
    "vrm_lookalike": _vrm_lookalike,
    "phone_format": _phone_format,
    "moved_address": _moved_address,
}


def _relative(s: Subject, fake: Faker, rng: random.Random, number: int) -> Subject:
    """Someone of the same household: surname, address and vehicle shared, their own given
    name, date of birth, mobile and e-mail (the near misses a matcher must not join)."""
    other = person(fake, rng, number)
    return replace(other, surname=s.surname, address=s.address, postcode=s.postcode,
                   town=s.town, vrm=s.vrm)  # fmt: skip


def _sparse(copy: Subject, kind: str, rng: random.Random) -> Subject:
    """A copy as another organisation would hold it. Where it was found by a phone or a
    vehicle, it knows little else: the identifier, the surname, the given name half the time.
    Otherwise each identifier is known half the time and the address two times in three."""
    if kind in ("phone_format", "vrm_lookalike"):
        return replace(
            copy,
            given_name=copy.given_name if rng.random() < 0.5 else "",
            dob=None, address="", postcode="", town="", email=(),
            phone=copy.phone if kind == "phone_format" else (),
            vrm=copy.vrm if kind == "vrm_lookalike" else (),
        )  # fmt: skip
    changes: dict[str, object] = {k: () for k in ("phone", "email", "vrm") if rng.random() < 0.5}
    if kind != "moved_address" and rng.random() < 1 / 3:
        changes.update(address="", postcode="", town="")
    return replace(copy, **changes)  # type: ignore[arg-type]  # Subject's own fields


def planted(size: int, *, copies: float = 0.1, relatives: float = 0.1, seed: int = 14) -> Planted:
    """`size` people (a share, `relatives`, of them in households of two) and corrupted,
    sparser copies of a share (`copies`) of them, one corruption kind each, kinds in turn."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)  # noqa: S311  # synthetic test data, not secrets
    people: list[Subject] = []
    for n in range(size):
        if people and rng.random() < relatives:
            people.append(_relative(rng.choice(people), fake, rng, n))
        else:
            people.append(person(fake, rng, n))
    pairs: dict[tuple[str, str], str] = {}
    copies_made = 0
    wanted = int(size * copies)
    for original in rng.sample(people, min(size, wanted * 3)):
        if copies_made >= wanted:
            break
        kind = CORRUPTIONS[copies_made % len(CORRUPTIONS)]
        copy = _CORRUPT[kind](original, rng, fake)
        if copy is None:
            continue
        copy = replace(_sparse(copy, kind, rng), id=f"C{copies_made}")
        people.append(copy)
        pairs[original.id, copy.id] = kind
        copies_made += 1
    return Planted(people=people, pairs=pairs)
