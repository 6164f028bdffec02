"""In a real browser (issue 16), mentoring of a new LRO: the force's SOC lead pairs the new LRO
with a mentor from another force of the region, the mentor reads the plan and comments, the new
LRO sees the comment, and once the lead ends the pairing the mentor finds nothing there."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from concord.ownership import services as ownership
from concord.plans import services
from tests.access.registry import make_ocg
from tests.factories import UserFactory, organisation, persona

COMMENT = "The Prevent strand is empty: ask the youth service in Llanelli."


@pytest.fixture
def plan_of_the_new_lro():
    lead, mentee = persona("dp.soclead"), persona("dp.newlro")
    UserFactory(
        username="swp.mentor",
        first_name="Gwen",
        last_name="Thomas",
        organisation=organisation("SWP"),
        roles=["lro"],
    )
    ocg = make_ocg("DYP", "OFFICIAL", False)
    ownership.appoint(actor=lead, item=ocg, role="lro", person=mentee)
    services.add_objective(actor=mentee, item=ocg, strand="pursue", text="Charge the principals")
    return ocg


def test_a_pairing_lets_the_mentor_read_and_comment_until_it_ends(as_person, plan_of_the_new_lro):
    plan_url = f"/plans/ocg/{plan_of_the_new_lro.reference}/"
    mentor = as_person("swp.mentor")
    assert mentor.goto(plan_url).status == 404

    lead = as_person("dp.soclead")
    lead.goto("/plans/mentoring/")
    lead.get_by_label("New LRO (mentee)").select_option(label="Owain Pritchard (dp.newlro)")
    lead.get_by_label("Mentor", exact=True).select_option(label="Gwen Thomas (swp.mentor)")
    lead.get_by_role("button", name="Start the pairing").click()
    expect(lead.get_by_role("alert")).to_contain_text("The pairing has started.")
    expect(lead.get_by_test_id("pairing")).to_contain_text(plan_of_the_new_lro.reference)

    assert mentor.goto(plan_url).status == 200
    expect(mentor.get_by_role("heading", name="4P plan", exact=True)).to_be_visible()
    expect(mentor.get_by_role("heading", name="Charge the principals")).to_be_visible()
    # Read only: no form changes the plan.
    expect(mentor.get_by_role("button", name="Add the objective")).to_have_count(0)
    mentor.get_by_label("Add a comment").fill(COMMENT)
    mentor.get_by_role("button", name="Add the comment").click()
    expect(mentor.get_by_role("alert")).to_contain_text("The comment was added.")

    mentee = as_person("dp.newlro")
    mentee.goto(plan_url)
    expect(mentee.get_by_test_id("mentor-comments")).to_contain_text(COMMENT)
    expect(mentee.get_by_test_id("checklist-progress")).to_be_visible()

    lead.goto("/plans/mentoring/")
    lead.get_by_role("button", name="End the mentoring of Owain Pritchard").click()
    expect(lead.get_by_role("alert")).to_contain_text("The pairing has ended.")

    assert mentor.goto(plan_url).status == 404
    mentor.goto("/plans/mentoring/")
    expect(mentor.get_by_test_id("pairing")).not_to_contain_text(plan_of_the_new_lro.reference)
