"""Text normalisation shared by matching, search and deconfliction."""

from __future__ import annotations

import unicodedata


def normalise_name(name: str) -> str:
    """Case, accents, punctuation and spacing folded away: 'Dylan  O'Neil' -> 'dylan oneil'."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    kept = "".join(ch if ch.isalnum() or ch.isspace() else "" for ch in folded)
    return " ".join(kept.split())
