"""Marking a grant as ending: the posts and capability lost from that date and the threats that
become unserved, on the stream's page and in its PDF, named only to those who may see them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from concord.capabilities.models import FundingStream, FundingYear
from concord.core.models import AuditEntry
from concord.organisations.models import User
from tests.access.test_matrix import client_for

pytestmark = pytest.mark.django_db


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(page.extract_text() for page in reader.pages)


def test_marking_the_south_wests_grant_as_ending_shows_what_it_takes(escalated, cast):
    stream = FundingStream.objects.get(organisation__code="SWROCU")
    FundingYear.objects.create(stream=stream, year=2030, amount=100000)
    sw = client_for(User.objects.get(username="sw.chief"))
    url = f"/capabilities/funding/{stream.pk}/"
    ends = timezone.localdate() + dt.timedelta(days=30)
    refused = sw.post(url, {"ends": ends.isoformat(), "reason": "no"}, follow=True)
    assert "Say why it ends (at least ten characters)." in refused.content.decode()
    assert sw.post(url, {"ends": "2019-01-01", "reason": "The grant was not renewed."}).status_code
    stream.refresh_from_db()
    assert stream.ends is None
    # Another organisation's people may not mark it, nor see it.
    assert client_for(cast("tarian.chair")).post(url, {"ends": ends.isoformat()}).status_code == 404
    response = sw.post(url, {"ends": ends.isoformat(), "reason": "The grant was not renewed."})
    assert response.status_code == 302
    stream.refresh_from_db()
    assert stream.ends == ends
    assert not FundingYear.objects.filter(stream=stream, year=2030).exists()
    entry = AuditEntry.objects.filter(
        object_type="capabilities.fundingstream", object_id=str(stream.pk)
    ).latest("pk")
    assert entry.detail["stream"] == "marked ending"
    page = sw.get(response["Location"]).content.decode()
    assert "3 posts paid wholly by this stream go" in page
    # The South West may not see the Dyfed-Powys OCG its team serves: counted, never named.
    assert "And 1 other threat you may not see." in page
    assert escalated.reference not in page
    pdf = _pdf_text(sw.get(f"{url}?format=pdf"))
    assert "OFFICIAL-SENSITIVE" in pdf
    assert "3 posts paid wholly by this stream go" in pdf
    assert "Technical surveillance" in pdf
    assert "And 1 other threat you may not see." in pdf
    assert escalated.reference not in pdf
    assert AuditEntry.objects.filter(
        object_type="capabilities.fundingstream", action="download"
    ).exists()
    # The NCA sees the threat by name in the same PDF.
    national = _pdf_text(client_for(cast("nca.tasking")).get(f"{url}?format=pdf"))
    assert escalated.reference in national
