"""Text has limits by kind (concord.core.text): a 20,000-character plan action is refused with a
message naming the field, wherever it comes from (the page, the API, a service, an import), and
one at its limit leaves the lists that show it readable (shortened, the whole behind "Show all")."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from concord.core import text as limits
from concord.organisations.services import issue_api_token
from concord.ownership import services as ownership
from concord.plans import services as plans
from concord.plans.models import Action
from concord.scoring import importing
from tests.access.registry import make_ocg
from tests.factories import organisation

pytestmark = pytest.mark.django_db

SOON = timezone.localdate() + dt.timedelta(days=14)
HUGE = ("Visit every address on the estate and record who answers. " * 345).strip()


@pytest.fixture
def plan(cast):
    """A GMP OCG with its SIO and LRO, and a Prevent objective."""
    sio, lro = cast("gmp.sio"), cast("gmp.lro")
    ocg = make_ocg("GMP", "OFFICIAL", False)
    ownership.appoint(actor=sio, item=ocg, role="sio", person=sio)
    ownership.appoint(actor=sio, item=ocg, role="lro", person=lro)
    objective = plans.add_objective(
        actor=lro, item=ocg, strand="prevent", text="Divert young people from the line"
    )
    return ocg, objective


def test_every_kind_of_text_has_a_documented_limit_in_order():
    assert limits.NAME < limits.LINE < limits.ENTRY < limits.SUMMARY < limits.NARRATIVE
    assert len(HUGE) > limits.NARRATIVE - 1_000 > limits.ENTRY


def test_a_twenty_thousand_character_action_is_refused_on_the_plan_page(client, cast, plan):
    ocg, objective = plan
    client.force_login(cast("gmp.lro"))
    url = f"/plans/ocg/{ocg.reference}/"
    assert 'maxlength="1000"' in client.get(url).content.decode()  # the browser stops it too
    response = client.post(
        url,
        {
            "step": "action",
            "action-objective": objective.pk,
            "action-description": HUGE,
            "action-owner_organisation": "MCC",
            "action-due_on": SOON.isoformat(),
        },
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert f"Action: Ensure this value has at most 1000 characters (it has {len(HUGE)})." in page
    assert not Action.objects.exists()


def test_a_service_refuses_it_naming_the_field_whatever_the_edge(cast, plan):
    _ocg, objective = plan
    with pytest.raises(ValidationError) as refused:
        plans.add_action(
            actor=cast("gmp.lro"),
            objective=objective,
            description=HUGE,
            due_on=SOON,
            owner_organisation=organisation("MCC"),
        )
    assert list(refused.value.message_dict) == ["description"]
    assert refused.value.message_dict["description"] == [
        f"Action must be 1,000 characters or fewer (it has {len(HUGE):,})."
    ]
    assert not Action.objects.exists()


def test_the_api_answers_422_naming_the_field(client, cast, plan):
    _ocg, objective = plan
    action = plans.add_action(
        actor=cast("gmp.lro"),
        objective=objective,
        description="Youth outreach",
        due_on=SOON,
        owner_organisation=organisation("MCC"),
    )
    _token, raw = issue_api_token(
        actor=cast("mcc.partner"), person=cast("mcc.partner"), name="t", days=1
    )
    response = client.post(
        f"/api/v1/actions/{action.pk}",
        {"status": "done", "outcome": HUGE},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["outcome"]
    action.refresh_from_db()
    assert action.outcome == ""


def test_an_action_at_its_limit_leaves_the_lists_readable(client, cast, plan):
    ocg, objective = plan
    longest = ("Outreach" + "x" * 300 + " ") * 3
    longest = (longest * 2)[: limits.ENTRY]
    plans.add_action(
        actor=cast("gmp.lro"),
        objective=objective,
        description=longest,
        due_on=SOON,
        owner_organisation=organisation("MCC"),
    )
    for person, url in (("gmp.lro", f"/plans/ocg/{ocg.reference}/"), ("mcc.partner", "/actions/")):
        client.force_login(cast(person))
        page = html.unescape(client.get(url).content.decode())
        shown = re.findall(r'<span class="concord-shortened">(.*?)</span>', page, re.S)
        assert shown, (person, url)
        assert all(len(s) <= limits.SHOWN_IN_LISTS for s in shown)
        assert longest in page  # the whole of it, behind "Show all of it"
        assert "Show all of it" in page
        visible = re.sub(r"<details.*?</details>", "", page, flags=re.S)
        assert longest not in visible


def test_the_stylesheet_wraps_long_unbroken_strings():
    from pathlib import Path

    import concord

    css = (Path(concord.__file__).parent / "web/static/concord/concord.css").read_text()
    assert re.search(r"\.govuk-table__cell[^{]*\{[^}]*overflow-wrap: anywhere", css)


def test_an_import_names_the_row_and_column_of_text_past_its_limit(cast):
    rows = [
        {"name": "Harbour Crew", "criminality": "illegal-drugs", "summary": "S" * 4_001},
        {"name": "N" * 201, "criminality": "illegal-drugs"},
    ]
    checked = importing.plan(owner=organisation("DYP"), rows=rows)
    assert (2, "summary", "Summary must be 4,000 characters or fewer (it has 4,001).") in (
        checked.errors
    )
    assert (3, "name", "Name must be 200 characters or fewer (it has 201).") in checked.errors
    assert checked.rows == []
