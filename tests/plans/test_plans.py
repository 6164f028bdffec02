"""4P plans: who changes them, partners seeing only their own actions, SIO and LRO told of
each other's changes, reviews recording what changed; disruptions counting only once validated
and refusing bad outcome figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.organisations.models import Notification
from concord.ownership import services as ownership
from concord.plans import services
from concord.plans.models import Action, Disruption
from concord.plans.views import totals
from tests.access.registry import make_ocg
from tests.factories import organisation

pytestmark = pytest.mark.django_db

SOON = timezone.localdate() + dt.timedelta(days=14)


@pytest.fixture
def gmp_group(cast):
    """A GMP OCG with its SIO and LRO appointed, and a Prevent action for Manchester City
    Council."""
    sio, lro = cast("gmp.sio"), cast("gmp.lro")
    ocg = make_ocg("GMP", "OFFICIAL", False)
    ownership.appoint(actor=sio, item=ocg, role="sio", person=sio)
    ownership.appoint(actor=sio, item=ocg, role="lro", person=lro)
    prevent = services.add_objective(
        actor=lro, item=ocg, strand="prevent", text="Divert young people from the line"
    )
    council = services.add_action(
        actor=lro,
        objective=prevent,
        description="Youth outreach at the two estates",
        due_on=SOON,
        owner_organisation=organisation("MCC"),
    )
    pursue = services.add_objective(
        actor=sio, item=ocg, strand="pursue", text="Charge the principals"
    )
    services.add_action(
        actor=sio,
        objective=pursue,
        description="Warrants at the stash houses",
        due_on=SOON,
        owner_person=sio,
    )
    return ocg, council


def test_sio_and_lro_hear_of_each_others_changes(cast, gmp_group):
    sio, lro = cast("gmp.sio"), cast("gmp.lro")
    before = Notification.objects.filter(person=lro).count()
    ocg, _council = gmp_group
    assert Notification.objects.filter(person=lro, code="plan.changed").exists()
    pursue = ocg_objective(ocg, "pursue")
    services.add_action(
        actor=sio,
        objective=pursue,
        description="Financial investigation",
        due_on=SOON,
        owner_person=sio,
    )
    assert Notification.objects.filter(person=lro).count() == before + 1
    # Nobody is told of their own change.
    assert not Notification.objects.filter(
        person=sio, code="plan.changed", params__name=sio.get_full_name()
    ).exists()


def ocg_objective(ocg, strand):
    return services.plan_for(ocg).objectives.get(strand=strand)


def test_a_partner_sees_and_completes_only_its_own_action(client, cast, gmp_group):
    ocg, council = gmp_group
    partner = cast("mcc.partner")
    client.force_login(partner)
    page = client.get("/actions/").content.decode()
    assert "Youth outreach at the two estates" in page
    assert "Warrants at the stash houses" not in page  # the Pursue action is not theirs
    assert client.get(f"/plans/ocg/{ocg.reference}/").status_code == 404
    assert client.get(f"/ocgs/{ocg.reference}/").status_code == 404
    pursue_action = Action.objects.get(description="Warrants at the stash houses")
    with pytest.raises(PermissionDenied):
        services.update_action(actor=partner, action=pursue_action, status="done", outcome="x")
    with pytest.raises(ValidationError) as no_outcome:
        services.update_action(actor=partner, action=council, status="done")
    assert "outcome" in no_outcome.value.message_dict
    response = client.post(
        "/actions/",
        {
            "action": council.pk,
            "progress-action": council.pk,
            "progress-status": "done",
            "progress-outcome": "Forty young people reached",
        },
    )
    assert response.status_code == 302
    council.refresh_from_db()
    assert (council.status, council.outcome) == ("done", "Forty young people reached")
    assert any("is now done" in n.body for n in Notification.objects.filter(person=cast("gmp.lro")))
    # Posting another plan's action id is as if it did not exist.
    assert client.post("/actions/", {"action": pursue_action.pk}).status_code == 404


def test_who_may_change_the_plan(cast, gmp_group):
    ocg, _council = gmp_group
    for outsider in ("dp.lro", "mcc.partner", "nwrocu.sio"):
        with pytest.raises(PermissionDenied):
            services.add_objective(actor=cast(outsider), item=ocg, strand="protect", text="No way")
    with pytest.raises(ValidationError) as bad:
        services.add_objective(actor=cast("gmp.lro"), item=ocg, strand="perhaps", text="Maybe")
    assert "strand" in bad.value.message_dict


def test_a_review_records_what_changed_and_sets_the_next(cast, gmp_group):
    ocg, council = gmp_group
    lro = cast("gmp.lro")
    first = services.review_plan(actor=lro, item=ocg, notes="First review with partners")
    assert any("Objective added" in c for c in first.changes)
    services.update_action(actor=cast("mcc.partner"), action=council, status="in_progress")
    second = services.review_plan(actor=lro, item=ocg, notes="Second review, outreach started")
    assert second.changes == ["Action in progress: Youth outreach at the two estates"]
    plan = services.plan_for(ocg)
    assert plan.next_review_on == timezone.localdate() + dt.timedelta(days=plan.review_days)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("arrests", "-1", "Cannot be negative."),
        ("cash_gbp", "lots", "Give a number."),
        ("charges", "2.5", "Give a whole number."),
        ("drugs_kg", "NaN", "Give a number."),
    ],
)
def test_bad_outcome_figures_are_named_and_change_nothing(cast, gmp_group, field, value, message):
    ocg, _council = gmp_group
    with pytest.raises(ValidationError) as bad:
        services.claim_disruption(
            actor=cast("gmp.sio"),
            item=ocg,
            strand="pursue",
            impact="major",
            occurred_on=timezone.localdate(),
            narrative="Warrants executed at three addresses",
            outcomes={"arrests": "3", field: value},
        )
    assert bad.value.message_dict[field] == [message]
    assert not Disruption.objects.exists()


def test_a_disruption_counts_only_after_a_second_person_validates(cast, gmp_group):
    ocg, council = gmp_group
    sio, lro = cast("gmp.sio"), cast("gmp.lro")
    claimed = services.claim_disruption(
        actor=sio,
        item=ocg,
        strand="pursue",
        impact="major",
        occurred_on=timezone.localdate(),
        narrative="Warrants executed at three addresses",
        outcomes={"arrests": "3", "cash_gbp": "£12,500.50", "drugs_kg": "1.25"},
    )
    disruptions = Disruption.objects.filter(ocg=ocg)
    assert totals(disruptions)["count"] == 0
    with pytest.raises(ValidationError, match="second person"):
        services.validate_disruption(actor=sio, disruption=claimed, accept=True)
    with pytest.raises(PermissionDenied):
        services.validate_disruption(actor=cast("dp.lro"), disruption=claimed, accept=True)
    services.validate_disruption(actor=lro, disruption=claimed, accept=True)
    counted = dict(totals(disruptions)["fields"])
    assert totals(disruptions)["count"] == 1
    assert counted["arrests"] == 3
    assert counted["cash seized (£)"] == Decimal("12500.50")
    with pytest.raises(ValidationError, match="already been decided"):
        services.validate_disruption(
            actor=lro, disruption=claimed, accept=False, reason="Changed mind"
        )
    # A partner claims for its own action; the LRO rejects it with a reason.
    partner_claim = services.claim_disruption(
        actor=cast("mcc.partner"),
        item=ocg,
        strand="prevent",
        impact="minor",
        occurred_on=timezone.localdate(),
        narrative="Outreach diverted two young people",
        outcomes={"referrals": "2"},
        action=council,
    )
    with pytest.raises(ValidationError) as no_reason:
        services.validate_disruption(actor=lro, disruption=partner_claim, accept=False)
    assert "reason" in no_reason.value.message_dict
    services.validate_disruption(
        actor=lro, disruption=partner_claim, accept=False, reason="Not attributable to the group"
    )
    assert totals(disruptions)["count"] == 1


def test_the_plan_page_and_my_actions_keep_constant_queries(client, cast, gmp_group):
    ocg, _council = gmp_group
    lro = cast("gmp.lro")
    client.force_login(lro)
    url = f"/plans/ocg/{ocg.reference}/"
    assert "Youth outreach at the two estates" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    objective = ocg_objective(ocg, "prevent")
    for n in range(5):
        services.add_action(
            actor=lro,
            objective=objective,
            description=f"Estate visit {n}",
            due_on=SOON,
            owner_person=lro,
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "Estate visit 4" in page
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as few_actions:
        client.get("/actions/")
    for n in range(3):
        services.add_action(
            actor=lro, objective=objective, description=f"More {n}", due_on=SOON, owner_person=lro
        )
    with CaptureQueriesContext(connection) as many_actions:
        client.get("/actions/")
    assert len(many_actions) == len(few_actions)


def test_the_plan_page_adds_objectives_and_claims(client, cast, gmp_group):
    ocg, _council = gmp_group
    client.force_login(cast("gmp.sio"))
    url = f"/plans/ocg/{ocg.reference}/"
    response = client.post(
        url,
        {
            "step": "objective",
            "objective-strand": "protect",
            "objective-text": "Harden the car washes",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        url,
        {
            "step": "disruption",
            "disruption-strand": "pursue",
            "disruption-impact": "major",
            "disruption-occurred_on": timezone.localdate().isoformat(),
            "disruption-narrative": "Three arrests at the stash house",
            "disruption-arrests": "-2",
        },
    )
    assert "Cannot be negative." in bad.content.decode()
    assert not Disruption.objects.exists()
    client.force_login(cast("dp.lro"))
    assert client.post(url, {"step": "objective"}).status_code == 404


def test_disruptions_list_shows_only_what_each_may_see_and_validates(client, cast, gmp_group):
    ocg, council = gmp_group
    claim = services.claim_disruption(
        actor=cast("mcc.partner"),
        item=ocg,
        strand="prevent",
        impact="minor",
        occurred_on=timezone.localdate(),
        narrative="Outreach diverted two young people",
        outcomes={"referrals": "2"},
        action=council,
    )
    other = make_ocg("DYP", "OFFICIAL", False)
    services.claim_disruption(
        actor=cast("dp.sio"),
        item=other,
        strand="pursue",
        impact="major",
        occurred_on=timezone.localdate(),
        narrative="Dyfed-Powys warrants executed",
        outcomes={"arrests": "4"},
    )
    client.force_login(cast("mcc.partner"))
    page = client.get("/disruptions/").content.decode()
    assert "Outreach diverted two young people" in page
    assert "Dyfed-Powys warrants executed" not in page
    assert 'name="decision" value="validate"' not in page  # partners claim; police validate
    client.force_login(cast("gmp.lro"))
    page = client.get("/disruptions/").content.decode()
    assert "Dyfed-Powys warrants executed" not in page
    with CaptureQueriesContext(connection) as queries:
        client.post("/disruptions/", {"disruption": claim.pk, "decision": "validate"})
    claim.refresh_from_db()
    assert claim.status == "validated"
    assert len(queries) < 60
    csv = b"".join(client.get("/disruptions/?export=csv").streaming_content).decode()
    assert ocg.reference in csv
    assert other.reference not in csv


def test_operators_edit_impact_levels_and_criminality_types_in_admin(client, cast):
    from django.contrib.auth import get_user_model

    from concord.plans.models import DisruptionImpact
    from concord.threats.models import CriminalityType

    operator = get_user_model().objects.create_superuser(
        "operator",
        "operator@example.invalid",
        "an-operator-password",
        organisation=organisation("NCA"),
    )
    client.force_login(operator)
    major = DisruptionImpact.objects.get(code="major")
    page = client.get(f"/django-admin/plans/disruptionimpact/{major.pk}/change/")
    assert page.status_code == 200
    assert "capability is removed or its leadership" in page.content.decode()
    changed = client.post(
        f"/django-admin/plans/disruptionimpact/{major.pk}/change/",
        {
            "name": "Major",
            "name_cy": "Mawr",
            "code": "major",
            "definition": "The force's own definition of a major disruption.",
            "rank": 1,
        },
    )
    assert changed.status_code == 302
    major.refresh_from_db()
    assert major.definition == "The force's own definition of a major disruption."
    assert client.get("/django-admin/threats/criminalitytype/").status_code == 200
    assert CriminalityType.objects.count() == 10


def test_an_overdue_plan_review_shows_on_the_group_page(client, cast, gmp_group):
    ocg, _council = gmp_group
    plan = services.plan_for(ocg)
    client.force_login(cast("gmp.lro"))
    assert "Review overdue" not in client.get(f"/ocgs/{ocg.reference}/").content.decode()
    plan.next_review_on = timezone.localdate() - dt.timedelta(days=1)
    plan.save()
    assert "Review overdue" in client.get(f"/ocgs/{ocg.reference}/").content.decode()


def test_reading_a_plan_makes_no_plan(cast, signed_in):
    """Opening an item's page, its plan page or the plan API (GETs) leaves no plan row; the
    first change makes it (issue 12, defect 8)."""
    from concord.plans.models import Plan
    from tests.access.registry import make_ocg

    ocg = make_ocg("DYP", "OFFICIAL", False)
    client = signed_in(cast("dp.lro"))
    for url in (f"/ocgs/{ocg.reference}/", f"/plans/ocg/{ocg.reference}/"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/api/v1/plans/ocg/{ocg.reference}").status_code == 200
    assert not Plan.objects.filter(ocg=ocg).exists()
    response = client.post(
        f"/plans/ocg/{ocg.reference}/",
        {"step": "objective", "objective-strand": "pursue", "objective-text": "Disrupt supply"},
    )
    assert response.status_code == 302
    assert Plan.objects.filter(ocg=ocg).count() == 1


def test_an_action_cannot_be_due_in_the_past(cast, gmp_group):
    """Issue 12, defect 7: the due date is checked, named, and nothing is added."""
    from django.core.exceptions import ValidationError

    from concord.plans.models import Action

    lro = cast("gmp.lro")
    ocg, _council = gmp_group
    objective = services.add_objective(
        actor=lro, item=ocg, strand="protect", text="Protect the two estates"
    )
    before = Action.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.add_action(
            actor=lro,
            objective=objective,
            description="Visit the estates",
            due_on=timezone.localdate() - dt.timedelta(days=1),
            owner_person=lro,
        )
    assert "due_on" in refused.value.message_dict
    assert Action.objects.count() == before
