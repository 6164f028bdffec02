"""Intelligence in the one search, and on a person's page: only reports the reader may see,
which for intelligence means only through dissemination (`IntelReport.objects.visible_to`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from concord.intelligence.models import IntelReport
from concord.threats import search
from concord.threats.models import Nominal


def _reports(user: Any, terms: search.Terms) -> QuerySet[Any]:
    """By reference or title: the text and the people a report names are its content, shown
    only on its page (a C-coded report's only once its conditions are accepted)."""
    return (
        IntelReport.objects.visible_to(user)
        .filter(Q(reference__iexact=terms.text) | Q(title__icontains=terms.text))
        .select_related("owner")
        .order_by("-information_date", "-id")
    )


def _hit(report: IntelReport) -> search.Hit:
    return search.Hit(
        report.reference,
        report.title,
        reverse("intelligence:report", args=[report.reference]),
        f"{report.grading} · {report.owner.code} · {report.information_date.isoformat()}",
    )


def nominal_panel(request: HttpRequest, nominal: Nominal) -> SafeString:
    """The intelligence about a person that the reader may see, on the person's page."""
    reports = (
        IntelReport.objects.visible_to(request.user)
        .filter(nominals=nominal)
        .select_related("owner")
        .order_by("-information_date", "-id")[:50]
    )
    return render_to_string(
        "intelligence/nominal_panel.html", {"reports": list(reports)}, request=request
    )


search.register(
    search.SearchKind("report", _("Intelligence reports"), "reports", _reports, _hit, order=60)
)
