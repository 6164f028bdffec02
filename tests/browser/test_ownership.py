"""In a real browser (issue 5), the two transfer models from the force responses, checking who
sees what at every step.

1. Dyfed-Powys escalates an OCG to Tarian for SIO support: Tarian appoints the SIO, while the
   ownership, the LRO and the 4P plan stay with the force, and the LRO hears of the ROCU SIO's
   plan change.
2. Greater Manchester transfers an OCG fully to the North West ROCU with a handover: the ROCU
   owns it and its plan, the former force SIO becomes LRO, and Manchester City Council sees and
   completes only its own Prevent action.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from concord.ownership.models import TransferRequest
from concord.threats import services as threat_services
from concord.threats.models import Ocg
from tests.browser.pickers import pick
from tests.factories import persona

CAST = [
    "dp.sio",
    "dp.lro",
    "gmp.lro",
    "gmp.sio",
    "tarian.chair",
    "tarian.sio",
    "nwrocu.chair",
    "nwrocu.sio",
    "mcc.partner",
]
HANDOVER = ["Intelligence", "Risks", "Safeguarding", "Outstanding actions"]


@pytest.fixture(autouse=True)
def _cast() -> None:
    """The cast is made first, so people can be appointed before they first sign in."""
    for username in CAST:
        persona(username)


def form_with(page: Page, step: str):
    return page.locator("form", has=page.locator(f"input[value='{step}']"))


def appoint(page: Page, reference: str, post: str, username: str) -> None:
    page.goto(f"/ownership/ocg/{reference}/")
    page.get_by_label("Post").select_option(label=post)
    pick(page, "Person", username)
    page.get_by_role("button", name="Appoint", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("The appointment was made.")


def request_transfer(page: Page, reference: str, kind: str, to: str) -> str:
    page.goto(f"/ocgs/{reference}/")
    page.get_by_role("link", name="Ownership history, appointments and transfers").click()
    page.get_by_role("link", name="Request a transfer or support").click()
    page.get_by_label("What is asked for").select_option(label=kind)
    pick(page, "To", to)
    page.get_by_label("Urgency").select_option(label="Urgent")
    page.get_by_label("Reason").fill("Cross-border supply of firearms and class A drugs")
    page.get_by_label("What exactly is asked").fill("Take on the investigation")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_test_id("transfer-status")).to_have_text("Requested")
    return page.url


def accept(page: Page, url: str) -> None:
    page.goto("/transfers/")
    page.get_by_test_id("transfers").get_by_role("link").first.click()
    expect(page).to_have_url(url)
    page.get_by_label("Decision").select_option(label="Accept")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("transfer-status")).to_have_text("Accepted: handover in progress")


def write_handover(page: Page, url: str) -> None:
    page.goto(url)
    for topic in HANDOVER:
        page.get_by_label("Part of the handover").select_option(label=topic)
        page.get_by_label("Handover note").fill(f"{topic}: see the case file, section 4")
        page.get_by_role("button", name="Save the handover note").click()
        expect(page.get_by_role("alert")).to_contain_text("The handover note was saved.")


def confirm_and_complete(page: Page, url: str, **posts: str) -> None:
    page.goto(url)
    for topic in HANDOVER:
        page.get_by_role("button", name=f"Confirm {topic}").click()
        expect(page.get_by_role("alert")).to_contain_text("Confirmed.")
    for post, username in posts.items():
        pick(page, post.upper(), username)
    page.get_by_role("button", name="Complete the transfer").click()
    expect(page.get_by_role("alert")).to_contain_text("The transfer is complete.")
    expect(page.get_by_test_id("transfer-status")).to_have_text("Completed")


def test_dyfed_powys_escalates_to_tarian_for_sio_support(as_person):
    # dp.sio maps the group in the browser and appoints the SIO and LRO.
    dp_sio = as_person("dp.sio")
    dp_sio.goto("/ocgs/new/")
    dp_sio.get_by_label("Name or operation name").fill("Operation Gwenllian")
    dp_sio.get_by_label("Illegal firearms").check()
    dp_sio.get_by_label("Dyfed-Powys Police", exact=True).check()
    dp_sio.get_by_label("Classification").select_option("OFFICIAL")
    dp_sio.get_by_role("button", name="Map the OCG").click()
    expect(dp_sio).to_have_url(re.compile(r"/ocgs/OCG-DYP-\d{6}/$"))
    reference = dp_sio.url.rstrip("/").rsplit("/", 1)[-1]
    appoint(dp_sio, reference, "Lead responsible officer (LRO)", "dp.lro")
    appoint(dp_sio, reference, "Senior investigating officer (SIO)", "dp.sio")

    # dp.lro owns the 4P plan: a Pursue objective.
    dp_lro = as_person("dp.lro")
    dp_lro.goto(f"/plans/ocg/{reference}/")
    objective = form_with(dp_lro, "objective")
    objective.get_by_label("Strand").select_option(label="Pursue")
    objective.get_by_label("Objective").fill("Take the firearms supply out of the county")
    objective.get_by_role("button", name="Add the objective").click()
    expect(dp_lro.get_by_role("alert")).to_contain_text("The objective was added.")

    # Tarian cannot yet open the request page; gmp.lro never can.
    url = request_transfer(
        dp_sio, reference, "Escalation for SIO support", "Tarian Regional Organised Crime Unit"
    )
    path = url.split("//", 1)[1].split("/", 1)[1]
    gmp = as_person("gmp.lro")
    assert gmp.goto(f"/{path}").status == 404
    assert gmp.goto(f"/ocgs/{reference}/").status == 404

    chair = as_person("tarian.chair")
    accept(chair, url)
    # The SIO from Tarian is not in post until the handover is confirmed.
    dp_lro.goto(f"/ocgs/{reference}/")
    expect(dp_lro.get_by_test_id("post-sio")).to_contain_text("DYP")
    write_handover(dp_sio, url)
    confirm_and_complete(chair, url, sio="tarian.sio")

    # Ownership and the LRO stay with Dyfed-Powys; the SIO is Tarian's.
    dp_lro.goto(f"/ocgs/{reference}/")
    expect(dp_lro.get_by_test_id("owner")).to_contain_text("Dyfed-Powys Police")
    expect(dp_lro.get_by_test_id("post-lro")).to_contain_text("DYP")
    expect(dp_lro.get_by_test_id("post-sio")).to_contain_text("TARIAN")
    assert Ocg.objects.get(reference=reference).owner.code == "DYP"

    # tarian.sio changes the plan; dp.lro is told.
    tarian_sio = as_person("tarian.sio")
    tarian_sio.goto(f"/plans/ocg/{reference}/")
    action = form_with(tarian_sio, "action")
    action.get_by_label("Action", exact=True).fill("Surveillance on the supply route")
    action.get_by_label("Owner: a person (username)").fill("tarian.sio")
    action.get_by_label("Due").fill("2027-01-15")
    action.get_by_role("button", name="Add the action").click()
    expect(tarian_sio.get_by_role("alert")).to_contain_text("The action was added.")
    dp_lro.goto("/")
    expect(dp_lro.get_by_test_id("notifications-link")).to_contain_text("unread")
    dp_lro.get_by_test_id("notifications-link").click()
    sio_name = persona("tarian.sio").get_full_name()
    expect(dp_lro.get_by_test_id("notifications")).to_contain_text(
        f"{reference}: 4P plan changed by {sio_name}"
    )


def test_greater_manchester_transfers_fully_to_the_north_west_rocu(as_person):
    gmp_sio_user = persona("gmp.sio")
    ocg = threat_services.map_ocg(
        actor=gmp_sio_user,
        details=threat_services.OcgDetails(
            name="Moss Side Firearms Network",
            criminality=["illegal-firearms"],
            force_areas=["GMP"],
            sensitive=True,  # the ROCU has no reach until it is given the request
        ),
    )
    reference = ocg.reference
    gmp_sio = as_person("gmp.sio")
    appoint(gmp_sio, reference, "Senior investigating officer (SIO)", "gmp.sio")

    chair = as_person("nwrocu.chair")
    assert chair.goto(f"/ocgs/{reference}/").status == 404
    url = request_transfer(
        gmp_sio, reference, "Full transfer", "North West Regional Organised Crime Unit"
    )
    accept(chair, url)
    gmp_sio.goto(f"/ocgs/{reference}/")
    expect(gmp_sio.get_by_test_id("owner")).to_contain_text("Greater Manchester Police")
    write_handover(gmp_sio, url)
    confirm_and_complete(chair, url, sio="nwrocu.sio", lro="gmp.sio")
    assert TransferRequest.objects.get().status == "completed"

    # The ROCU owns it; gmp.sio is the LRO and still sees it (warrants and safeguarding).
    chair.goto(f"/ocgs/{reference}/")
    expect(chair.get_by_test_id("owner")).to_contain_text(
        "North West Regional Organised Crime Unit"
    )
    expect(chair.get_by_test_id("post-lro")).to_contain_text("GMP")
    gmp_sio.goto(f"/ownership/ocg/{reference}/")
    expect(gmp_sio.get_by_test_id("ownership-history")).to_contain_text("Greater Manchester Police")
    expect(gmp_sio.get_by_test_id("ownership-history")).to_contain_text("Full transfer")

    # The LRO gives Manchester City Council a Prevent action, and the SIO a Pursue action.
    gmp_sio.goto(f"/plans/ocg/{reference}/")
    for strand, text in (
        ("Prevent", "Divert young people from the network"),
        ("Pursue", "Charge the armourer"),
    ):
        objective = form_with(gmp_sio, "objective")
        objective.get_by_label("Strand").select_option(label=strand)
        objective.get_by_label("Objective").fill(text)
        objective.get_by_role("button", name="Add the objective").click()
        expect(gmp_sio.get_by_role("alert")).to_contain_text("The objective was added.")
    for objective_text, description, owner_field, owner in (
        (
            "Prevent: Divert young people from the network",
            "Youth outreach on the estates",
            "Or an agency (organisation code)",
            "MCC",
        ),
        (
            "Pursue: Charge the armourer",
            "Search the workshop",
            "Owner: a person (username)",
            "nwrocu.sio",
        ),
    ):
        action = form_with(gmp_sio, "action")
        action.get_by_label("Objective").select_option(label=objective_text)
        action.get_by_label("Action", exact=True).fill(description)
        action.get_by_label(owner_field).fill(owner)
        action.get_by_label("Due").fill("2027-02-01")
        action.get_by_role("button", name="Add the action").click()
        expect(gmp_sio.get_by_role("alert")).to_contain_text("The action was added.")

    # The council sees and completes only its Prevent action, and nothing else of the group.
    council = as_person("mcc.partner")
    council.goto("/actions/")
    cards = council.get_by_test_id("my-action")
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text("Youth outreach on the estates")
    expect(council.locator("main")).not_to_contain_text("Search the workshop")
    cards.get_by_label("Status").select_option(label="Done")
    cards.get_by_label("Outcome").fill("Thirty young people reached; four referred")
    cards.get_by_role("button", name="Update").click()
    expect(council.get_by_role("alert")).to_contain_text("The action was updated.")
    assert council.goto(f"/ocgs/{reference}/").status == 404
    assert council.goto(f"/plans/ocg/{reference}/").status == 404
    gmp_sio.goto(f"/plans/ocg/{reference}/")
    expect(gmp_sio.get_by_test_id("actions-prevent")).to_contain_text("Thirty young people reached")
