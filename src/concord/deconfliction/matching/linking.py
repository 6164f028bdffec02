"""Batch linking: two lists of subjects against each other (`link`), or one against itself
(`dedupe`), giving every scored pair at or above a threshold."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from .blocking import DEFAULT_CAP, Index, pairs_within
from .scoring import DEFAULT, Scored, Weights, score
from .subject import Prepared

Progress = Callable[[int], object]


def link(
    left: Sequence[Prepared],
    right: Sequence[Prepared],
    *,
    threshold: float,
    weights: Weights = DEFAULT,
    cap: int = DEFAULT_CAP,
    progress: Progress | None = None,
) -> Iterator[Scored]:
    """Pairs (a left subject, a right one) scoring at least `threshold`, by left order then
    best first; `progress` is told of each left subject done."""
    index = Index(cap=cap, weights=weights)
    index.extend(right)
    for subject in left:
        yield from index.check(subject, threshold=threshold)
        if progress:
            progress(1)


def dedupe(
    subjects: Sequence[Prepared],
    *,
    threshold: float,
    weights: Weights = DEFAULT,
    cap: int = DEFAULT_CAP,
    progress: Progress | None = None,
) -> Iterator[Scored]:
    """Pairs within one list scoring at least `threshold`, each once (earlier subject left);
    `progress` is told of each subject whose candidates are done."""
    done = 0
    for i, j in pairs_within(list(subjects), cap=cap):
        if progress and j > done:
            progress(j - done)
            done = j
        scored = score(subjects[i], subjects[j], weights)
        if scored.score >= threshold:
            yield scored
    if progress and len(subjects) > done:
        progress(len(subjects) - done)
