"""Referral pages: the queue and the sent list (CSV/XLSX, fixed queries), one referral as the
sender and as the triager, the decision form, the figures."""

from __future__ import annotations

import pytest

from concord.referrals import services
from concord.referrals.models import Referral
from tests.referrals.conftest import PHONE, row

pytestmark = pytest.mark.django_db


def send(sender, n, start=1, **overrides):
    return [
        services.send_referral(actor=sender, row=row(sender_reference=f"BF-{i:04d}", **overrides))
        for i in range(start, start + n)
    ]


@pytest.mark.parametrize("url", ["/referrals/", "/referrals/?scope=sent", "/referrals/figures/"])
def test_lists_cost_the_same_queries_whatever_their_length(
    client, sender, triager, django_assert_max_num_queries, url
):
    who = sender if "sent" in url else triager
    send(sender, 2)
    client.force_login(who)
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    send(sender, 12, start=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_queue_exports_csv_and_xlsx(client, sender, triager):
    send(sender, 2)
    client.force_login(triager)
    csv_text = b"".join(client.get("/referrals/?export=csv").streaming_content).decode()
    assert "BF-0001" in csv_text
    assert "BF-0002" in csv_text
    xlsx = client.get("/referrals/?export=xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"
    figures = client.get("/referrals/figures/?by=category&export=csv")
    assert "Imitation firearm" in b"".join(figures.streaming_content).decode()


def test_the_sender_sees_status_and_outcome_and_nothing_of_the_nominal(
    client, sender, triager, dyfed_nominal
):
    referral = send(sender, 1, phones=PHONE)[0]
    client.force_login(triager)
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Dyfed-Powys" in page
    assert "HIT-" in page
    assert "Xylander" not in page
    assert dyfed_nominal.reference not in page
    response = client.post(
        f"/referrals/{referral.pk}/decide/",
        {"decision": "intelligence", "source_evaluation": "1", "intelligence_assessment": "A"},
    )
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).decision == "intelligence"
    client.force_login(sender)
    seen = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Intelligence report recorded" in seen
    for secret in ("Xylander", dyfed_nominal.reference, "HIT-", "Dyfed-Powys", "INT-"):
        assert secret not in seen, secret
    listed = client.get("/referrals/?scope=sent").content.decode()
    assert "Intelligence report recorded" in listed
    assert "Dyfed-Powys" not in listed
    home = client.get("/").content.decode()
    assert "Dyfed-Powys" not in home


def test_the_triagers_home_shows_referrals_awaiting_triage(client, sender, triager):
    send(sender, 1)
    client.force_login(triager)
    home = client.get("/").content.decode()
    assert "Referrals awaiting triage" in home


def test_a_decision_with_errors_is_shown_and_changes_nothing(client, sender, triager):
    referral = send(sender, 1)[0]
    client.force_login(triager)
    client.post(f"/referrals/{referral.pk}/decide/", {"decision": "nfa", "note": "short"})
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "govuk-error-summary" in page
    assert Referral.objects.get(pk=referral.pk).decision == ""


def test_the_send_form_sends_one(client, sender):
    client.force_login(sender)
    response = client.post("/referrals/new/", row())
    assert response.status_code == 302
    assert Referral.objects.get().sender_reference == "BF-0001"
    bad = client.post("/referrals/new/", row(sender_reference="BF-9", found_on="bad"))
    assert bad.status_code == 200
    assert "govuk-error-summary" in bad.content.decode()
