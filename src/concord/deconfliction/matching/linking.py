"""Batch linking: two lists of subjects against each other (`link`), or one against itself
(`dedupe`), giving every scored pair at or above a threshold.

`dedupe` may share its work among processes (`workers`): the blocks are built once, then
forked workers (which inherit them without copying) score the candidates of slices of the
list in turn; the pairs come back in the order one process would give them."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .blocking import DEFAULT_CAP, Blocked, Index
from .scoring import DEFAULT, Scored, Weights
from .subject import Prepared

Progress = Callable[[int], object]
# Subjects a worker takes at a time: enough to outweigh passing the pairs back.
SLICE = 5000


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


# The blocks a forked worker reads (set in the parent just before the workers are forked).
_SHARED: dict[str, Any] = {}


def _slice(bounds: tuple[int, int]) -> tuple[int, list[Scored]]:
    blocked: Blocked = _SHARED["blocked"]
    first, last = bounds
    return last - first, blocked.scored(first, last, _SHARED["threshold"], _SHARED["weights"])


def dedupe(
    subjects: Sequence[Prepared],
    *,
    threshold: float,
    weights: Weights = DEFAULT,
    cap: int = DEFAULT_CAP,
    progress: Progress | None = None,
    workers: int = 1,
) -> Iterator[Scored]:
    """Pairs within one list scoring at least `threshold`, each once (earlier subject left),
    in the order of the later subject; `progress` is told of each subject whose candidates
    are done. With `workers` above 1 (on a system that can fork), that many processes share
    the scoring; the pairs are the same, in the same order."""
    blocked = Blocked(list(subjects), cap)
    bounds = [
        (n, min(n + SLICE, len(blocked.subjects))) for n in range(0, len(blocked.subjects), SLICE)
    ]
    if workers > 1 and len(bounds) > 1 and "fork" in multiprocessing.get_all_start_methods():
        _SHARED.update(blocked=blocked, threshold=threshold, weights=weights)
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for done, found in pool.imap(_slice, bounds):
                    yield from found
                    if progress:
                        progress(done)
        finally:
            _SHARED.clear()
        return
    for first, last in bounds:
        yield from blocked.scored(first, last, threshold, weights)
        if progress:
            progress(last - first)
