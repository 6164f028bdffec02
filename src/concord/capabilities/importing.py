"""Import an organisation's units and posts from the establishment spreadsheet it keeps (CSV or
XLSX), one row per post. Columns (headers matched case-insensitively, in any order):

  unit          required; the unit's name (made if new, for the row's capability)
  capability    required; a code of the current catalogue (e.g. technical-surveillance)
  post          required; the HR post number: importing it again updates that post
  role          required
  fte           required; 0.01 to 1
  hours         required; contracted hours a week, 0.5 to 60
  vetting       required; NPPV1, NPPV2, NPPV3, SC or DV
  status        filled (default), vacant or frozen
  starts        required; YYYY-MM-DD (or an Excel date)
  ends          YYYY-MM-DD for a fixed-term post; empty for permanent
  training, leave   per cent of the post abstracted (default 0)
  funding       "stream-code 60%; other-code 40%" (or shares as 0.6): the organisation's
                funding streams paying for the post; at most 100% in all

Every problem is reported with its row and column, and nothing is written unless every row is
good: the rows go through the same services as the pages, in one transaction, which is rolled
back whole at the first refusal of any row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concord.capabilities import services
from concord.capabilities.choices import PostStatus
from concord.capabilities.models import FundingStream, Post, Unit
from concord.core import policy
from concord.core.choices import VettingLevel
from concord.core.policy import Act
from concord.organisations.models import Organisation
from concord.scoring.importing import MAX_BYTES, read_table

SHARE = re.compile(r"([A-Za-z0-9_-]+)\s*[:= ]\s*([0-9]+(?:\.[0-9]+)?%?)")
COLUMNS = (
    "unit",
    "capability",
    "post",
    "role",
    "fte",
    "hours",
    "vetting",
    "status",
    "starts",
    "ends",
    "training",
    "leave",
    "funding",
)
REQUIRED = ("unit", "capability", "post", "role", "fte", "hours", "vetting", "starts")
# Which column a service's field error belongs to.
COLUMN_OF = {
    "reference": "post",
    "training_pct": "training",
    "leave_pct": "leave",
    "capability": "capability",
    "name": "unit",
}


__all__ = ["COLUMNS", "MAX_BYTES", "REQUIRED", "Result", "import_posts"]


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # row, column, message

    @property
    def ok(self) -> bool:
        return not self.errors


class _RollBackError(Exception):
    """A row refused inside the transaction: roll everything back."""


def _date(value: str, row: int, column: str, result: Result) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        result.errors.append((row, column, _("Enter a date as YYYY-MM-DD.")))
        return None


def _funding(
    value: str, streams: dict[str, FundingStream], row: int, result: Result
) -> list[tuple[FundingStream, Decimal]] | None:
    parts: list[tuple[FundingStream, Decimal]] = []
    for part in (p.strip() for p in value.split(";")):
        if not part:
            continue
        match = SHARE.fullmatch(part)
        if match is None:
            result.errors.append(
                (row, "funding", _("Give each stream with its share: “code 60%”."))
            )
            return None
        code, text = match.group(1), match.group(2)
        stream = streams.get(code)
        if stream is None:
            result.errors.append(
                (row, "funding", _("Unknown funding stream “%(code)s”.") % {"code": code[:60]})
            )
            return None
        try:
            share = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
        except InvalidOperation:
            result.errors.append((row, "funding", _("A share is a percentage or a fraction.")))
            return None
        parts.append((stream, share))
    return parts


def import_posts(
    *, actor: Any, organisation: Organisation, filename: str, content: bytes, dry_run: bool = False
) -> Result:
    """Check every row, then (unless `dry_run`, or any row is wrong) write them all."""
    result = Result()
    if not policy.may(actor, Act.MANAGE_CAPACITY, organisation):
        result.errors.append((0, "", _("You may not change this organisation's posts.")))
        return result
    try:
        rows = read_table(filename, content)
    except ValueError as error:
        result.errors.append((0, "", str(error)))
        return result
    if not rows:
        result.errors.append((0, "", _("The file has no rows.")))
        return result
    missing = [c for c in REQUIRED if c not in rows[0]]
    if missing:
        for column in missing:
            result.errors.append((1, column, _("This column is missing.")))
        return result
    streams = {s.code: s for s in FundingStream.objects.filter(organisation=organisation)}
    units = {u.name: u for u in Unit.objects.filter(organisation=organisation)}
    planned: list[tuple[int, dict[str, str], services.PostDetails, Any]] = []
    seen: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):
        before = len(result.errors)
        for column in REQUIRED:
            if not values.get(column):
                result.errors.append((number, column, _("This is required.")))
        reference = values.get("post", "")
        if reference in seen:
            result.errors.append(
                (
                    number,
                    "post",
                    _("Post %(ref)s is also on row %(row)s.")
                    % {"ref": reference[:40], "row": seen[reference]},
                )
            )
        seen[reference] = number
        vetting = values.get("vetting", "").upper()
        if vetting and vetting not in VettingLevel.values:
            result.errors.append((number, "vetting", _("Use NPPV1, NPPV2, NPPV3, SC or DV.")))
        status = (values.get("status") or PostStatus.FILLED).lower()
        if status not in PostStatus.values:
            result.errors.append((number, "status", _("Use filled, vacant or frozen.")))
        starts = _date(values.get("starts", ""), number, "starts", result)
        ends = _date(values.get("ends", ""), number, "ends", result)
        funding = _funding(values.get("funding", ""), streams, number, result)
        if len(result.errors) > before:
            continue
        details = services.PostDetails(
            reference=reference,
            role=values["role"],
            fte=values["fte"],
            hours=values["hours"],
            vetting=vetting,
            status=status,
            starts=starts,
            ends=ends,
            training_pct=values.get("training") or "0",
            leave_pct=values.get("leave") or "0",
        )
        planned.append((number, values, details, funding))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for number, values, details, funding in planned:
                try:
                    code = values["capability"]
                    capability = services.capability(code)
                    unit = units.get(values["unit"])
                    if unit is None:
                        unit = services.save_unit(
                            actor=actor,
                            organisation=organisation,
                            capability=capability,
                            name=values["unit"],
                        )
                        units[unit.name] = unit
                    elif unit.capability_id != capability.pk:
                        raise ValidationError(
                            {
                                "capability": _("Unit %(unit)s provides another capability.")
                                % {"unit": unit.name}
                            }
                        )
                    existing = (
                        Post.objects.filter(unit__organisation=organisation)
                        .filter(reference=details.reference)
                        .first()
                    )
                    if existing is not None and existing.unit_id != unit.pk:
                        raise ValidationError(
                            {
                                "reference": _("This post is in unit %(unit)s.")
                                % {"unit": existing.unit.name}
                            }
                        )
                    services.save_post(
                        actor=actor,
                        unit=unit,
                        details=details,
                        funding=funding or [],
                        post=existing,
                    )
                except ValidationError as error:
                    for name, messages in _fields(error):
                        base = name.split("[")[0].split(".")[0]
                        for message in messages:
                            result.errors.append((number, COLUMN_OF.get(base, base), message))
                    raise _RollBackError from None
                if existing is None:
                    result.created += 1
                else:
                    result.updated += 1
            if dry_run:
                raise _RollBackError
    except _RollBackError:
        if dry_run and not result.errors:
            return result
        result.created = result.updated = 0
    return result


def _fields(error: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(error, "error_dict"):
        return [(name, [str(m) for m in messages]) for name, messages in error.message_dict.items()]
    return [("", [str(m) for m in error.messages])]
