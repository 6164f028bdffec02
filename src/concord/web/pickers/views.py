"""The one view of every picker source."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse

from concord.web import pickers


@login_required
def choices(request: HttpRequest, name: str) -> JsonResponse:
    """The valid choices of a source matching what was typed (`q`): at most 20, with the
    number that matched, so the picker can say how many there are."""
    found = pickers.source(name)
    if found is None:
        raise Http404
    matched = pickers.matching(found(request.user, request.GET), request.GET.get("q", ""))
    return JsonResponse(
        {
            "count": len(matched),
            "results": [
                {"value": c.value, "label": c.label, "hint": c.hint}
                for c in matched[: pickers.MAX_CHOICES]
            ],
        }
    )
