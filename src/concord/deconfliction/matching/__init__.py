"""The matching engine of deconfliction (issue 14): who in one list is who in another.

Pure Python over phonenumbers, rapidfuzz, jellyfish, nicknames and anyascii, with no models and
no database: the deconfliction app builds `Subject`s from registered subjects and reads the
scored pairs; the `concord deconflict` command does the same for any CSV file of people.

    index = Index()
    index.extend(prepare(s) for s in subjects)        # blocking keys in a dict
    hits = index.check(Subject(id="Q1", given_name="Bill", surname="Smyth", ...), threshold=MATCH)
    hits[0].agreed          # (Agreement("given_name", Level.NICKNAME, 4.3), ...)
    list(dedupe([prepare(s) for s in people], threshold=MATCH))
"""

from . import normalise
from .blocking import DEFAULT_CAP, Index, keys, pairs_within
from .comparators import Level
from .linking import dedupe, link
from .scoring import (
    DEFAULT,
    DEFAULT_WEIGHTS,
    FIELDS,
    MATCH,
    REVIEW,
    Agreement,
    Scored,
    Weights,
    levels,
    score,
)
from .subject import IDENTIFIERS, MatchingError, Prepared, Subject, prepare

__all__ = [
    "DEFAULT",
    "DEFAULT_CAP",
    "DEFAULT_WEIGHTS",
    "FIELDS",
    "IDENTIFIERS",
    "MATCH",
    "REVIEW",
    "Agreement",
    "Index",
    "Level",
    "MatchingError",
    "Prepared",
    "Scored",
    "Subject",
    "Weights",
    "dedupe",
    "keys",
    "levels",
    "link",
    "normalise",
    "pairs_within",
    "prepare",
    "score",
]
