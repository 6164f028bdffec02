"""Blocking: candidate generation in near-linear time, and the index for the online check.

Each prepared subject gives a few blocking keys (texts such as ``"p:+447700900123"``); two
subjects are candidates where they share a key. A key held by more than `cap` subjects says
little (a common surname and year) and is not used to pair (the other keys still find them),
so that no block costs quadratic time.

The in-memory `Index` is a dict from key to subject positions: checking one subject is a few
dict look-ups and a score per candidate. In the database the same keys are rows of a table
(key text, subject id) with a B-tree index on the key: one ``WHERE key = ANY(%s)`` query gives
the candidates, skipping keys whose count (kept beside them) is past the cap.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from .comparators import phonetic
from .scoring import DEFAULT, Scored, Weights, score
from .subject import Prepared, Subject, prepare

# A block of more subjects than this pairs nobody: 1,000,000 people with a common surname and
# birth year (SMITH, 1985) make a block of about 200; a cap well above that keeps every useful
# block and refuses the degenerate ones (an empty-looking name, a shared switchboard number).
DEFAULT_CAP = 500


def keys(subject: Prepared) -> frozenset[str]:
    """The blocking keys of a prepared subject (each prefixed with its kind's short code)."""
    out: set[str] = set()
    year = str(subject.dob.year) if subject.dob else ""
    if subject.surname_code and subject.given_code and year:
        out.add(f"ny:{subject.surname_code}:{year}:{subject.given_code[:1]}")
    if subject.given_code and subject.surname_code and year:
        # Both names' codes in order, so that given and family names swapped still meet.
        pair = sorted((subject.given_code, subject.surname_code))
        out.add(f"nn:{pair[0]}:{pair[1]}:{year}")
    if subject.dob:
        dob = subject.dob
        for group in sorted(subject.given_groups):
            out.add(f"gd:{phonetic(group)}:{dob:%Y%m%d}")
        low, high = sorted((dob.day, dob.month))
        # The date with day and month in order, so that swapped dates meet: with the first
        # letter of the surname to keep the block small.
        out.add(f"ds:{subject.surname[:1]}:{dob.year}:{low:02}{high:02}")
    if subject.postcode and subject.given:
        out.add(f"pc:{subject.postcode}:{subject.given[0]}")
    for kind, values in (
        ("p", subject.phone),
        ("e", subject.email),
        ("v", subject.vrm_folded),
        ("vin", subject.vin),
        ("i", subject.imei),
        ("a", subject.account),
        ("h", subject.handle),
    ):
        out.update(f"{kind}:{value}" for value in values)
    return frozenset(out)


@dataclass
class Index:
    """Prepared subjects and their blocking keys, for checking one subject or many quickly."""

    cap: int = DEFAULT_CAP
    weights: Weights = DEFAULT
    subjects: list[Prepared] = field(default_factory=list)
    blocks: dict[str, list[int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.subjects)

    def add(self, subject: Subject | Prepared) -> int:
        """Add a subject; return its position."""
        prepared = prepare(subject) if isinstance(subject, Subject) else subject
        position = len(self.subjects)
        self.subjects.append(prepared)
        for key in keys(prepared):
            self.blocks.setdefault(key, []).append(position)
        return position

    def extend(self, subjects: Iterable[Subject | Prepared]) -> None:
        """Add many subjects."""
        for subject in subjects:
            self.add(subject)

    def candidates(self, subject: Prepared) -> set[int]:
        """Positions of indexed subjects sharing a key with `subject` (capped blocks left out)."""
        found: set[int] = set()
        for key in keys(subject):
            block = self.blocks.get(key)
            if block and len(block) <= self.cap:
                found.update(block)
        return found

    def check(self, subject: Subject | Prepared, *, threshold: float) -> list[Scored]:
        """Score `subject` against its candidates; the pairs at or above `threshold`, best first."""
        prepared = prepare(subject) if isinstance(subject, Subject) else subject
        hits = []
        for position in self.candidates(prepared):
            scored = score(prepared, self.subjects[position], self.weights)
            if scored.score >= threshold:
                hits.append(scored)
        hits.sort(key=lambda s: (-s.score, s.right))
        return hits


class Blocked:
    """One list's blocking keys and blocks, made once: its candidate pairs, and the scored
    pairs of a slice of it (what batch deduplication shares among processes)."""

    def __init__(self, subjects: Sequence[Prepared], cap: int) -> None:
        self.subjects = subjects
        self.cap = cap
        self.keyed = [keys(subject) for subject in subjects]
        self.blocks: dict[str, list[int]] = {}
        for position, own in enumerate(self.keyed):
            for key in own:
                self.blocks.setdefault(key, []).append(position)

    def candidates(self, j: int) -> list[int]:
        """Earlier positions sharing a key with subject j (capped blocks left out), in order."""
        seen: set[int] = set()
        for key in self.keyed[j]:
            block = self.blocks[key]
            if len(block) <= self.cap:
                seen.update(block[: bisect_left(block, j)])
        return sorted(seen)

    def pairs(self) -> Iterator[tuple[int, int]]:
        for j in range(len(self.subjects)):
            for i in self.candidates(j):
                yield i, j

    def scored(self, first: int, last: int, threshold: float, weights: Weights) -> list[Scored]:
        """The pairs of subjects first..last-1 (each with its earlier candidates) at or above
        `threshold`."""
        found = []
        subjects = self.subjects
        for j in range(first, last):
            for i in self.candidates(j):
                pair = score(subjects[i], subjects[j], weights)
                if pair.score >= threshold:
                    found.append(pair)
        return found


def pairs_within(subjects: list[Prepared], *, cap: int = DEFAULT_CAP) -> Iterator[tuple[int, int]]:
    """Candidate pairs (i < j) among subjects, each once: the union over every blocking key."""
    return Blocked(subjects, cap).pairs()
