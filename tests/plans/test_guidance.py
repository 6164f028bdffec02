"""Guidance for LROs: shown beside each stage of the plan in the reader's language, edited only
by administrators and the national function, rendered safely; the plan's checklist derived from
its state, with gaps on the plan and on the LRO's home page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from concord.core.models import AuditEntry
from concord.organisations.models import User
from concord.ownership import services as ownership
from concord.plans import checklist, guidance, services
from concord.plans.lro_seed import GUIDANCE, load_guidance
from concord.plans.models import Guidance, Plan
from tests.access.registry import make_ocg
from tests.factories import organisation

pytestmark = pytest.mark.django_db

SOON = timezone.localdate() + dt.timedelta(days=14)


@pytest.fixture
def plan_of_dp_lro(cast):
    lro = cast("dp.lro")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    ownership.appoint(actor=lro, item=ocg, role="lro", person=lro)
    services.add_objective(actor=lro, item=ocg, strand="pursue", text="Charge the principals")
    return ocg


def test_guidance_is_shown_beside_each_stage_in_the_readers_language(
    cast, signed_in, plan_of_dp_lro
):
    load_guidance()
    assert Guidance.objects.count() == len(GUIDANCE)
    lro = cast("dp.lro")
    page = signed_in(lro).get(f"/plans/ocg/{plan_of_dp_lro.reference}/").content.decode()
    for stage in ("opening", "objectives", "pursue", "prevent", "actions", "review", "closure"):
        assert f'data-testid="guidance-{stage}"' in page, stage
    assert "Open the plan as soon as the group is mapped and scored" in page
    lro.language = "cy"
    lro.save()
    welsh = signed_in(lro).get(f"/plans/ocg/{plan_of_dp_lro.reference}/", HTTP_ACCEPT_LANGUAGE="cy")
    text = welsh.content.decode()
    assert "Agorwch y cynllun cyn gynted" in text
    assert "Open the plan as soon as the group is mapped and scored" not in text


def test_welsh_falls_back_to_english_where_none_is_written():
    row = Guidance(stage="review", title="Review", body="Review it.", title_cy="", body_cy="")
    assert row.in_language("cy") == ("Review", "Review it.")
    row.body_cy = "Adolygwch."
    assert row.in_language("cy")[1] == "Adolygwch."


def test_the_body_is_rendered_safely():
    html = guidance.render_body(
        "Say **this** <script>alert(1)</script>\n\n- one\n- <b>two</b>\n\n[link](http://x)"
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<strong>this</strong>" in html
    assert (
        '<ul class="govuk-list govuk-list--bullet"><li>one</li><li>&lt;b&gt;two&lt;/b&gt;</li></ul>'
        in html
    )
    assert "<a " not in html


def test_only_administrators_and_the_national_function_edit(cast, signed_in):
    with pytest.raises(PermissionDenied):
        guidance.save_guidance(actor=cast("dp.lro"), stage="review", title="Mine", body="x" * 20)
    assert signed_in(cast("dp.lro")).get("/plans/guidance/new/").status_code == 404
    national = cast("nca.tasking")
    made = guidance.save_guidance(
        actor=national, stage="objectives", strand="prevent", title="Divert", body="Divert early."
    )
    assert AuditEntry.objects.filter(object_type="plans.guidance", action="create").exists()
    with pytest.raises(ValidationError) as error:
        guidance.save_guidance(
            actor=national, stage="review", strand="prevent", title="x", body="short", guidance=made
        )
    assert {"strand", "title", "body"} <= set(error.value.message_dict)
    admin = cast("admin")
    response = signed_in(admin).post(
        f"/plans/guidance/{made.pk}/",
        {
            "stage": "objectives",
            "strand": "prevent",
            "title": "Divert early",
            "title_cy": "Dargyfeirio'n gynnar",
            "body": "Divert young people early.",
            "body_cy": "Dargyfeiriwch bobl ifanc yn gynnar.",
            "rank": 1,
        },
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.title_cy == "Dargyfeirio'n gynnar"
    assert made.updated_by == admin


def test_the_guidance_list_costs_a_fixed_number_of_queries(
    cast, signed_in, django_assert_max_num_queries
):
    load_guidance()
    client = signed_in(cast("dp.lro"))
    with django_assert_max_num_queries(12):
        page = client.get("/plans/guidance/")
    assert page.status_code == 200
    assert "Close the plan cleanly" in page.content.decode()
    assert b"Close the plan cleanly" in b"".join(
        client.get("/plans/guidance/?export=csv").streaming_content
    )


def test_the_checklist_follows_the_plans_state(cast, plan_of_dp_lro):
    lro = cast("dp.lro")
    plan = Plan.objects.get(ocg=plan_of_dp_lro)
    met = {r.check.code: r.met for r in checklist.results(plan)}
    assert met["objective_pursue"]
    assert not met["objective_prevent"]
    assert not met["aim"]
    assert not met["objectives_actioned"]
    assert not met["reviewed"]
    assert met["closed_cleanly"]
    assert met["review_on_time"]
    services.set_plan_context(
        actor=lro, item=plan_of_dp_lro, aim="Dismantle the group", partner_context="Drugs line"
    )
    for strand in ("prevent", "protect", "prepare"):
        objective = services.add_objective(
            actor=lro, item=plan_of_dp_lro, strand=strand, text=f"A {strand} aim"
        )
        services.add_action(
            actor=lro,
            objective=objective,
            description="Do the thing",
            due_on=SOON,
            owner_organisation=organisation("MCC"),
        )
    pursue = plan.objectives.get(strand="pursue")
    services.add_action(
        actor=lro, objective=pursue, description="Warrants", due_on=SOON, owner_person=lro
    )
    services.review_plan(actor=lro, item=plan_of_dp_lro, notes="Reviewed with the SIO today")
    assert all(r.met for r in checklist.results(plan))
    assert not checklist.with_gaps(Plan.objects.filter(pk=plan.pk)).exists()


def test_gaps_show_on_the_plan_and_on_the_lros_home_page(
    cast, signed_in, plan_of_dp_lro, django_assert_max_num_queries
):
    lro = cast("dp.lro")
    client = signed_in(lro)
    page = client.get(f"/plans/ocg/{plan_of_dp_lro.reference}/").content.decode()
    assert 'data-testid="checklist-gaps"' in page
    assert "A Prevent objective is set" in page
    home = client.get("/").content.decode()
    assert "4P plan checklists with gaps" in home
    assert plan_of_dp_lro.reference in home
    # Someone else's home page does not show it.
    assert plan_of_dp_lro.reference not in signed_in(cast("dp.analyst")).get("/").content.decode()
    # A fixed number of queries on the home page whatever the number of plans.
    for _n in range(4):
        ocg = make_ocg("DYP", "OFFICIAL", False)
        ownership.appoint(actor=lro, item=ocg, role="lro", person=lro)
        services.add_objective(actor=lro, item=ocg, strand="prepare", text="Brief the schools")
    client = signed_in(User.objects.get(username="dp.lro"))
    with django_assert_max_num_queries(80):
        assert client.get("/").status_code == 200
