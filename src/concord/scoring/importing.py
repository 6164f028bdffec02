"""Import the register from the spreadsheets forces keep today (CSV or XLSX).

One row per OCG. Columns (headers are matched case-insensitively; order does not matter):
  reference      optional; an existing reference of the importer's organisation updates that OCG
  name           required
  criminality    required; codes or names, separated by ";"
  areas          force codes or names, separated by ";"
  summary, classification (OFFICIAL or SECRET), sensitive (yes/no)
  members        "Forenames Surname | role | YYYY-MM-DD" entries separated by ";"
  <dimension code> for each dimension of the published model (e.g. harm_physical): the scale's
                 label or its position (0 = first); give all of them to score the OCG, or none.
Every problem is reported with its row and column, and nothing is written unless every row is
good (one transaction). Re-importing the same sheet updates the same OCGs: no duplicates, and no
new assessment when the scores have not changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit
from concord.core.choices import Classification
from concord.core.models import AuditAction
from concord.core.text import too_long
from concord.organisations.models import Organisation
from concord.scoring import services as scoring
from concord.scoring.models import ImportBatch, ScoringModel, published_model
from concord.threats import services as register
from concord.threats.choices import MemberRole
from concord.threats.models import CriminalityType, Nominal, Ocg

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


@dataclass
class RowPlan:
    number: int  # the spreadsheet row number (header is row 1)
    reference: str
    action: str  # create or update
    details: register.OcgDetails
    scores: dict[str, int] = field(default_factory=dict)


@dataclass
class Plan:
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # row, column, message

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append((row, column, message))


def read_table(filename: str, content: bytes) -> list[dict[str, str]]:
    """Rows as {lower-case header: text}, from CSV (UTF-8) or XLSX."""
    if len(content) > MAX_BYTES:
        raise ValueError(_("The file is larger than 10 MB."))
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            if sheet is None:
                raise ValueError
        except Exception:  # openpyxl raises many kinds for a file that is not XLSX
            raise ValueError(_("The file is not a readable Excel (XLSX) workbook.")) from None
        values = [
            [
                ""
                if v is None
                else (v.date().isoformat() if isinstance(v, dt.datetime) else str(v))
                for v in row
            ]
            for row in sheet.iter_rows(values_only=True)
        ]
    elif filename.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(_("The CSV file is not UTF-8 text.")) from None
        values = list(csv.reader(io.StringIO(text)))
    else:
        raise ValueError(_("Upload a .csv or .xlsx file."))
    if not values:
        raise ValueError(_("The file is empty."))
    headers = [h.strip().lower() for h in values[0]]
    rows = [
        dict(zip(headers, [c.strip() for c in row], strict=False))
        for row in values[1:]
        if any(c.strip() for c in row)
    ]
    if len(rows) > MAX_ROWS:
        raise ValueError(_("At most %(n)s rows can be imported at once.") % {"n": MAX_ROWS})
    return rows


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def plan(
    *, owner: Organisation, rows: list[dict[str, str]], model: ScoringModel | None = None
) -> Plan:
    """Check every row and work out what it will do, without writing anything."""
    model = model or published_model()
    result = Plan()
    dimensions = {d.code: list(d.levels.all()) for d in model.dimensions.prefetch_related("levels")}
    types = {t.code: t.code for t in CriminalityType.objects.all()}
    types.update({t.name.lower(): t.code for t in CriminalityType.objects.all()})
    forces = {f.code.lower(): f.code for f in Organisation.objects.forces()}
    forces.update({f.name.lower(): f.code for f in Organisation.objects.forces()})
    existing = set(Ocg.objects.filter(owner=owner).values_list("reference", flat=True))
    seen: set[str] = set()
    if rows and "name" not in rows[0]:
        result.error(1, "name", _("The sheet has no 'name' column."))
        return result
    for number, row in enumerate(rows, start=2):
        before = len(result.errors)
        reference = row.get("reference", "").upper()
        if reference:
            if reference in seen:
                result.error(
                    number,
                    "reference",
                    _("%(ref)s appears twice in the sheet.") % {"ref": reference},
                )
            elif reference not in existing:
                result.error(
                    number,
                    "reference",
                    _(
                        "%(ref)s is not one of your organisation's OCGs; leave it empty to map "
                        "a new one."
                    )
                    % {"ref": reference},
                )
            seen.add(reference)
        name = row.get("name", "")
        if len(name) < 3:
            result.error(number, "name", _("Give the group a name or operation name."))
        for column in ("name", "summary"):
            limit = getattr(Ocg._meta.get_field(column), "max_length", None) or 0
            if len(row.get(column, "")) > limit:
                result.error(number, column, too_long(column, limit, len(row[column])))
        criminality = []
        for item in _split(row.get("criminality", "")):
            code = types.get(item.lower()) or types.get(item)
            if code is None:
                result.error(
                    number, "criminality", _("'%(v)s' is not a criminality type.") % {"v": item}
                )
            else:
                criminality.append(code)
        if not criminality and not any(err[1] == "criminality" for err in result.errors[before:]):
            result.error(number, "criminality", _("Give at least one criminality type."))
        areas = []
        for item in _split(row.get("areas", "")):
            code = forces.get(item.lower())
            if code is None:
                result.error(number, "areas", _("'%(v)s' is not a police force.") % {"v": item})
            else:
                areas.append(code)
        classification = (row.get("classification") or Classification.OFFICIAL).upper()
        if classification not in Classification.values:
            result.error(
                number,
                "classification",
                _("Use OFFICIAL or SECRET (TOP SECRET does not belong on Concord)."),
            )
        sensitive_text = row.get("sensitive", "").lower()
        if sensitive_text not in YES | NO:
            result.error(number, "sensitive", _("Use yes or no."))
        members = []
        for item in _split(row.get("members", "")):
            parts = [p.strip() for p in item.split("|")]
            names = parts[0].split()
            role = parts[1].lower() if len(parts) > 1 and parts[1] else MemberRole.PERIPHERAL
            dob = None
            if len(names) < 2:
                result.error(
                    number, "members", _("'%(v)s': give forenames and surname.") % {"v": item}
                )
                continue
            limit = getattr(Nominal._meta.get_field("surname"), "max_length", None) or 0
            if max(len(" ".join(names[:-1])), len(names[-1])) > limit:
                result.error(
                    number,
                    "members",
                    _("'%(v)s…': a name must be %(limit)s characters or fewer.")
                    % {"v": item[:40], "limit": limit},
                )
                continue
            if role not in MemberRole.values:
                result.error(
                    number,
                    "members",
                    _("'%(v)s': the role must be principal, significant or peripheral.")
                    % {"v": item},
                )
                continue
            if len(parts) > 2 and parts[2]:
                try:
                    dob = dt.date.fromisoformat(parts[2])
                except ValueError:
                    result.error(
                        number,
                        "members",
                        _("'%(v)s': write the date of birth as YYYY-MM-DD.") % {"v": item},
                    )
                    continue
            members.append(
                register.MemberDetails(
                    nominal=register.NominalDetails(" ".join(names[:-1]), names[-1], dob), role=role
                )
            )
        scores: dict[str, int] = {}
        given = [code for code in dimensions if row.get(code, "")]
        if given and len(given) != len(dimensions):
            missing = [code for code in dimensions if code not in given]
            result.error(
                number,
                missing[0],
                _("Give every score or none: %(codes)s missing.") % {"codes": ", ".join(missing)},
            )
        for code in given:
            raw = row[code]
            levels = dimensions[code]
            match = next((lv for lv in levels if lv.label.lower() == raw.lower()), None)
            if match is None and raw.isdigit() and int(raw) < len(levels):
                match = levels[int(raw)]
            if match is None:
                result.error(
                    number,
                    code,
                    _("'%(v)s' is not on the %(dim)s scale.") % {"v": raw, "dim": code},
                )
            else:
                scores[code] = match.order
        if len(result.errors) == before:
            result.rows.append(
                RowPlan(
                    number=number,
                    reference=reference,
                    action="update" if reference else "create",
                    details=register.OcgDetails(
                        name=name,
                        summary=row.get("summary", ""),
                        criminality=criminality,
                        force_areas=areas,
                        classification=classification,
                        sensitive=sensitive_text in YES,
                        members=members,
                    ),
                    scores=scores,
                )
            )
    return result


def store(*, actor: Any, filename: str, content: bytes) -> ImportBatch:
    return ImportBatch.objects.create(
        uploaded_by=actor,
        owner=actor.acting_organisation(),
        filename=filename[:200],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )


@transaction.atomic
def commit(*, actor: Any, batch: ImportBatch) -> dict[str, int]:
    """Write every row, or (on any error) nothing. Returns counts."""
    if batch.committed_at is not None:
        raise ValueError(_("This upload was already imported."))
    checked = plan(owner=batch.owner, rows=read_table(batch.filename, bytes(batch.content)))
    if checked.errors:
        raise ValueError(_("The sheet has errors; nothing was imported."))
    model = published_model()
    counts = {"created": 0, "updated": 0, "assessed": 0}
    for row in checked.rows:
        if row.action == "create":
            ocg = register.map_ocg(actor=actor, details=row.details)
            counts["created"] += 1
        else:
            ocg = Ocg.objects.get(owner=batch.owner, reference=row.reference)
            register.update_ocg(
                actor=actor,
                ocg=ocg,
                name=row.details.name,
                summary=row.details.summary,
                criminality=row.details.criminality,
                force_areas=row.details.force_areas,
            )
            known = {
                (m.nominal.name_key, m.nominal.date_of_birth)
                for m in ocg.members.select_related("nominal")
            }
            from concord.core.text import normalise_name

            for member in row.details.members:
                assert member.nominal is not None
                key = (
                    normalise_name(f"{member.nominal.forenames} {member.nominal.surname}"),
                    member.nominal.date_of_birth,
                )
                if key not in known:
                    register.add_member(actor=actor, ocg=ocg, member=member)
            counts["updated"] += 1
        if row.scores:
            latest = (
                ocg.assessments.filter(model=model)
                .prefetch_related("values__dimension", "values__level")
                .first()
            )
            current = (
                {v.dimension.code: v.level.order for v in latest.values.all()} if latest else None
            )
            if current != row.scores:
                scoring.assess(
                    actor=actor,
                    item=ocg,
                    chosen=row.scores,
                    rationale={},
                    summary=_("Imported from %(file)s") % {"file": batch.filename},
                    model=model,
                )
                counts["assessed"] += 1
    batch.committed_at = timezone.now()
    batch.result = counts
    batch.save(update_fields=["committed_at", "result"])
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        object_type="scoring.importbatch",
        object_id=str(batch.pk),
        object_repr=batch.filename,
        owner_code=batch.owner.code,
        detail={**counts, "sha256": batch.sha256},
    )
    return counts


__all__ = ["commit", "plan", "read_table", "store"]
