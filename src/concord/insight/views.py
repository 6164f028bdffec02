"""Public statistics: the public pages (no sign-in: published releases only, with CSV and
JSON) and the national function's page that prepares, approves and withdraws them."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.models import AuditAction
from concord.insight import services, statistics
from concord.insight.choices import ReleaseStatus, StatisticsTable
from concord.insight.disclosure import CONFIDENTIAL
from concord.insight.models import StatisticsRelease


def _shown(release: StatisticsRelease) -> list[dict[str, Any]]:
    """Each published table as rows for the page: a title, column headings and cells."""
    titles = dict(StatisticsTable.choices)
    shown = []
    for table in release.tables:
        data = table["data"]
        dims = [d["name"] for d in data["dimensions"]]
        rows_labels = [*data["dimensions"][0]["labels"], None]
        columns = [*data["dimensions"][1]["labels"], None] if len(dims) > 1 else [None]
        value = {}
        for cell in data["cells"]:
            key = (cell[dims[0]], cell[dims[1]] if len(dims) > 1 else None)
            value[key] = CONFIDENTIAL if cell["value"] is None else cell["value"]
        shown.append(
            {
                "code": table["code"],
                "title": titles.get(table["code"], table["code"]),
                "columns": columns,
                "rows": [
                    (label, [value.get((label, column), "") for column in columns])
                    for label in rows_labels
                ],
                "total_label": data["total_label"],
            }
        )
    return shown


def _notes(release: StatisticsRelease) -> list[str]:
    """The footnotes in the reader's language (the rules are data; the sentences are not)."""
    rules = release.rules
    lines = [
        _(
            "[c] confidential: counts from 1 to %(below)s are withheld, and so are further "
            "figures chosen so that no withheld count can be worked out from the totals."
        )
        % {"below": int(rules.get("threshold", 10)) - 1}
    ]
    if int(rules.get("rounding_base", 1)) > 1:
        lines.append(
            _(
                "Figures are rounded to the nearest %(base)s, each on its own, so totals may not "
                "equal the sum of their parts."
            )
            % {"base": rules["rounding_base"]}
        )
    lines.append(
        _(
            "A disruption counts once validated, in the region of the organisation it was "
            "claimed for, in the quarter it happened."
        )
    )
    return lines


def public_list(request: HttpRequest) -> HttpResponse:
    """Every release ever published, newest first (withdrawn ones say so): no sign-in."""
    releases = StatisticsRelease.objects.filter(
        status__in=[ReleaseStatus.PUBLISHED, ReleaseStatus.WITHDRAWN], published_at__isnull=False
    ).select_related(None)
    return render(request, "insight/public_list.html", {"releases": releases})


def public_release(request: HttpRequest, slug: str) -> HttpResponseBase:
    """One published release: its tables, notes, and CSV or JSON (`?format=`)."""
    year_text, _sep, quarter_text = slug.partition("-q")
    if not (year_text.isdigit() and quarter_text.isdigit()):
        raise Http404
    release = (
        StatisticsRelease.objects.filter(
            year=int(year_text[:4]),
            quarter=int(quarter_text[:1]),
            status__in=[ReleaseStatus.PUBLISHED, ReleaseStatus.WITHDRAWN],
            published_at__isnull=False,
        )
        .order_by("-published_at")
        .first()
    )
    if release is None:
        raise Http404
    fmt = request.GET.get("format", "")
    if fmt == "json":
        body = {
            "release": release.label,
            "status": release.status,
            "published": release.published_at.isoformat() if release.published_at else None,
            "withdrawn": release.withdrawn_at.isoformat() if release.withdrawn_at else None,
            "tables": release.tables if release.status == ReleaseStatus.PUBLISHED else [],
        }
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="soc-statistics-{slug}.json"'
        return response
    if fmt == "csv":
        if release.status != ReleaseStatus.PUBLISHED:
            raise Http404
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([_("table"), _("region"), _("strand"), _("count")])
        for table in _shown(release):
            for label, values in table["rows"]:
                for column, value in zip(table["columns"], values, strict=True):
                    writer.writerow(
                        [
                            table["code"],
                            label or table["total_label"],
                            column or (table["total_label"] if len(table["columns"]) > 1 else ""),
                            value,
                        ]
                    )
        writer.writerow([])
        for line in _notes(release):
            writer.writerow([line])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="soc-statistics-{slug}.csv"'
        return response
    return render(
        request,
        "insight/public_release.html",
        {"release": release, "tables": _shown(release), "notes": _notes(release)},
    )


@login_required
def releases(request: HttpRequest) -> HttpResponseBase:
    """The national function's releases: prepare a quarter, approve another's draft, withdraw."""
    if not policy.may(request.user, policy.Act.PREPARE_STATISTICS, None):
        raise Http404
    if request.method == "POST":
        try:
            done = _act(request)
        except PermissionDenied as error:
            messages.error(request, str(error) or _("Not allowed."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
        return redirect("insight:releases")
    audit.record(AuditAction.LIST, actor=request.user, object_type="insight.statisticsrelease")
    drafts = StatisticsRelease.objects.filter(status=ReleaseStatus.DRAFT).select_related(
        "prepared_by"
    )
    year, quarter = statistics.quarter_of(timezone.localdate())
    last = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return render(
        request,
        "insight/releases.html",
        {
            "drafts": [(d, _shown(d), _notes(d)) for d in drafts],
            "history": StatisticsRelease.objects.exclude(status=ReleaseStatus.DRAFT).select_related(
                "prepared_by", "approved_by"
            ),
            "last": last,
            "rounding": services.ROUNDING,
        },
    )


def _act(request: HttpRequest) -> str:
    step = request.POST.get("step", "")
    if step == "prepare":
        try:
            year = int(request.POST.get("year", ""))
            quarter = int(request.POST.get("quarter", ""))
        except ValueError:
            raise ValidationError({"quarter": _("Choose a year and a quarter.")}) from None
        release = services.prepare_release(
            actor=request.user,
            year=year,
            quarter=quarter,
            threshold=request.POST.get("threshold", "10"),
            rounding_base=request.POST.get("rounding_base", "5"),
        )
        return _("%(label)s is prepared: another person of the national function approves it.") % {
            "label": release.label
        }
    chosen = StatisticsRelease.objects.filter(pk=_int(request.POST.get("release"))).first()
    if chosen is None:
        raise ValidationError(_("Choose a release from the list."))
    release = chosen
    if step == "approve":
        services.approve_release(actor=request.user, release=release)
        return _("%(label)s is published.") % {"label": release.label}
    if step == "withdraw":
        services.withdraw_release(
            actor=request.user, release=release, reason=request.POST.get("reason", "")
        )
        return _("%(label)s is withdrawn.") % {"label": release.label}
    raise ValidationError(_("Choose what to do."))


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0
