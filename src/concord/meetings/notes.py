"""What an agenda entry says about its register item, as a code and parameters.

The agenda is built once (in the chair's language, or by a task in none) and read by members in
English or Welsh, on the page, in the pack and in the PDF. So an entry stores what it says as
`{"code": "reassessment", "params": {"date": "2026-09-01", "days": 91}}` and each reader gets
it rendered here with gettext in their own language: dates in their format, choice codes
(a transfer's kind, an organisation's kind, a post) with their translated labels. Data is
never translated text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concord.capabilities.choices import CapacityUnit
from concord.core.choices import OrganisationKind
from concord.meetings.choices import ItemKind
from concord.ownership.choices import AppointmentRole, TransferKind
from concord.plans.choices import Strand
from concord.scoring.choices import OwnerLevel

Note = dict[str, Any]


def note(code: str, **params: Any) -> Note:
    """A note to store: its code and JSON-safe parameters (dates as ISO text)."""
    if code not in RENDERERS:
        raise ValueError(f"No agenda note is called {code!r}")
    safe = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}
    return {"code": code, "params": safe}


def _date(value: Any) -> str:
    try:
        return formats.date_format(dt.date.fromisoformat(str(value)), "j F Y")
    except ValueError:
        return str(value)


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _bilingual(params: dict[str, Any], key: str) -> str:
    welsh = params.get(f"{key}_cy")
    if welsh and translation.get_language() == "cy":
        return str(welsh)
    return str(params.get(key, ""))


def _new(p: dict[str, Any]) -> str:
    if p.get("band"):
        return _("Mapped by %(org)s on %(date)s; assessed at band %(band)s.") % {
            "org": p["org"],
            "date": _date(p["date"]),
            "band": p["band"],
        }
    return _("Mapped by %(org)s on %(date)s; not yet assessed.") % {
        "org": p["org"],
        "date": _date(p["date"]),
    }


def _rescored(p: dict[str, Any]) -> str:
    return _("Assessed on %(date)s at band %(band)s (risk score %(score)s).") % {
        "date": _date(p["date"]),
        "band": p.get("band") or "—",
        "score": p.get("score") or "—",
    }


def _mismatch(p: dict[str, Any]) -> str:
    fits = ", ".join(_label(OwnerLevel, level).lower() for level in p.get("fits", []))
    return _("Band %(band)s is held by %(org)s (%(kind)s); the band fits %(fits)s ownership.") % {
        "band": p["band"],
        "org": p["org"],
        "kind": _label(OrganisationKind, p["kind"]).lower(),
        "fits": fits or "—",
    }


def _reassessment(p: dict[str, Any]) -> str:
    days = int(p.get("days", 0))
    return ngettext(
        "Re-assessment was due on %(date)s, %(days)s day ago.",
        "Re-assessment was due on %(date)s, %(days)s days ago.",
        days,
    ) % {"date": _date(p["date"]), "days": days}


def _no_lro(p: dict[str, Any]) -> str:
    return _("No LRO since it was mapped on %(date)s.") % {"date": _date(p["date"])}


def _post_lapsed(p: dict[str, Any]) -> str:
    return _("The %(role)s, %(name)s, has left or their vetting has lapsed.") % {
        "role": _label(AppointmentRole, p["role"]),
        "name": p["name"],
    }


def _review(p: dict[str, Any]) -> str:
    return _("The 4P plan's review was due on %(date)s.") % {"date": _date(p["date"])}


def _disruption(p: dict[str, Any]) -> str:
    return _("%(impact)s disruption (%(strand)s) on %(date)s, claimed and awaiting validation.") % {
        "impact": _bilingual(p, "impact"),
        "strand": _label(Strand, p.get("strand", "")),
        "date": _date(p["date"]),
    }


def _transfer(p: dict[str, Any]) -> str:
    return _("%(kind)s asked by %(from)s of %(to)s.") % {
        "kind": _label(TransferKind, p["kind"]),
        "from": p["from"],
        "to": p["to"],
    }


def _tasking(p: dict[str, Any]) -> str:
    return _("Asked by %(from)s; respond by %(date)s.") % {
        "from": p["from"],
        "date": _date(p["date"]),
    }


def _action(p: dict[str, Any]) -> str:
    return _("Set on %(set)s for %(owner)s, due %(due)s.") % {
        "set": _date(p["set"]),
        "owner": p["owner"],
        "due": _date(p["due"]),
    }


def _gap(p: dict[str, Any]) -> str:
    values = {
        "capability": _bilingual(p, "capability"),
        "needed": p["needed"],
        "unmet": p["unmet"],
        "unit": _label(CapacityUnit, p.get("unit", "")),
        "weeks": p["weeks"],
        "date": _date(p["date"]),
        "owner": p["owner"],
        "lender": p.get("lender", ""),
        "proposed": p.get("proposed", 0),
    }
    if p.get("lender") and int(p.get("unmet", 0)) == 0:
        said = _(
            "%(owner)s needs %(capability)s for %(weeks)s weeks from %(date)s (%(needed)s a "
            "week, in %(unit)s) and has none to give: the allocation proposes a loan of "
            "%(proposed)s from %(lender)s."
        )
    elif p.get("lender"):
        said = _(
            "%(owner)s needs %(capability)s for %(weeks)s weeks from %(date)s (%(needed)s a "
            "week, in %(unit)s): the allocation proposes a loan of %(proposed)s from "
            "%(lender)s and %(unmet)s is still unmet."
        )
    else:
        said = _(
            "%(owner)s needs %(capability)s for %(weeks)s weeks from %(date)s (%(needed)s a "
            "week, in %(unit)s): %(unmet)s is unmet and no region has capacity it can spare."
        )
    return said % values


MORE = {
    ItemKind.NEW: lambda n: ngettext("…and %(n)s more new item.", "…and %(n)s more new items.", n),
    ItemKind.RESCORED: lambda n: ngettext(
        "…and %(n)s more newly assessed item.", "…and %(n)s more newly assessed items.", n
    ),
    ItemKind.MISMATCH: lambda n: ngettext(
        "…and %(n)s more mismatch.", "…and %(n)s more mismatches.", n
    ),
    ItemKind.REASSESSMENT: lambda n: ngettext(
        "…and %(n)s more overdue re-assessment.", "…and %(n)s more overdue re-assessments.", n
    ),
    ItemKind.VACANCY: lambda n: ngettext(
        "…and %(n)s more item without an LRO.", "…and %(n)s more items without an LRO.", n
    ),
    ItemKind.REVIEW: lambda n: ngettext(
        "…and %(n)s more overdue plan review.", "…and %(n)s more overdue plan reviews.", n
    ),
    ItemKind.CAPACITY: lambda n: ngettext(
        "…and %(n)s more capability gap.", "…and %(n)s more capability gaps.", n
    ),
    ItemKind.DISRUPTION: lambda n: ngettext(
        "…and %(n)s more disruption awaiting validation.",
        "…and %(n)s more disruptions awaiting validation.",
        n,
    ),
}


def _more(p: dict[str, Any]) -> str:
    n = int(p.get("n", 0))
    make = MORE.get(p.get("kind", ""))
    if make is None:
        return ngettext("…and %(n)s more.", "…and %(n)s more.", n) % {"n": n}
    return make(n) % {"n": n}


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "new": _new,
    "rescored": _rescored,
    "mismatch": _mismatch,
    "reassessment": _reassessment,
    "no_lro": _no_lro,
    "post_lapsed": _post_lapsed,
    "review": _review,
    "disruption": _disruption,
    "transfer": _transfer,
    "tasking": _tasking,
    "action": _action,
    "gap": _gap,
    "more": _more,
}


def render_one(item: Note) -> str:
    """One stored note in the active language ("" for a code this version does not know)."""
    renderer = RENDERERS.get(str(item.get("code", "")))
    if renderer is None:
        return ""
    try:
        return renderer(dict(item.get("params") or {}))
    except (KeyError, TypeError, ValueError):
        return ""


def render(items: Iterable[Note] | None) -> list[str]:
    """Stored notes in the active language, leaving out any that cannot be read."""
    return [text for text in (render_one(i) for i in items or []) if text]


def reasons(kinds: Iterable[str]) -> str:
    """Why an entry is on the agenda, in the active language: "New on the register; …"."""
    labels = [_label(ItemKind, kind) for kind in kinds]
    if not labels:
        return ""
    first, *rest = labels
    return "; ".join([first, *(label[:1].lower() + label[1:] for label in rest)])
