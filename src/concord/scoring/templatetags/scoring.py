"""Template helpers for scoring pages."""

from django import template
from django.urls import reverse

from concord.threats.models import RegisterItem

register = template.Library()

ASSESS_URLS = {
    "ocg": "scoring:assess",
    "pi": "scoring:assess_pi",
    "vulnerability": "scoring:assess_vulnerability",
}


@register.simple_tag
def assess_url(item: RegisterItem) -> str:
    """Where to assess an OCG, priority individual or vulnerability."""
    return reverse(ASSESS_URLS[item.kind_code], args=[item.reference])
