"""National consistency: rules as data, one evaluator each, run over every ROCU and force as a
background task (or `concord consistency run`); exceptions seen only through the OCG or PI
they name; the national comparison through the approved aggregate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from concord.core.models import TaskProgress
from concord.insight import consistency, services
from concord.insight.choices import AggregateLevel, Figure
from concord.insight.models import (
    ApprovedAggregate,
    AuditVerification,
    ConsistencyException,
    ConsistencyRule,
    ConsistencyRun,
)
from concord.monitoring.models import Alert
from concord.ownership.models import Appointment
from concord.plans.models import Disruption, DisruptionImpact, Objective, Plan
from concord.threats.models import Ocg
from tests.access.registry import make_ocg
from tests.access.test_matrix import body, client_for
from tests.factories import organisation, persona

pytestmark = pytest.mark.django_db


def _found(run: ConsistencyRun, code: str) -> set[str]:
    return {
        e.subject_reference or (e.organisation.code if e.organisation else "national")
        for e in ConsistencyException.objects.filter(run=run, rule__code=code).select_related(
            "ocg", "priority_individual", "organisation"
        )
    }


@pytest.fixture
def overdue():
    """A Dyfed-Powys OCG whose re-assessment fell due last week, band 1A with no LRO."""
    ocg = make_ocg("DYP", "OFFICIAL", False)
    Ocg.objects.filter(pk=ocg.pk).update(
        review_due_on=timezone.localdate() - dt.timedelta(days=7), band="1A"
    )
    return Ocg.objects.get(pk=ocg.pk)


def test_every_rule_finds_its_exception(overdue):
    today = timezone.localdate()
    current = make_ocg("GMP", "OFFICIAL", False)
    Ocg.objects.filter(pk=current.pk).update(review_due_on=today + dt.timedelta(days=30), band="1A")
    Appointment.objects.create(
        ocg=current,
        role="lro",
        person=persona("gmp.lro"),
        organisation=organisation("GMP"),
        started_on=today - dt.timedelta(days=3),
        appointed_by=persona("gmp.lro"),
    )
    plan = Plan.objects.create(ocg=overdue, next_review_on=today)
    Objective.objects.create(plan=plan, strand="pursue", text="Arrest the principal")
    Disruption.objects.create(
        ocg=overdue,
        strand="pursue",
        impact=DisruptionImpact.objects.first(),
        occurred_on=today - dt.timedelta(days=40),
        narrative="Claimed long ago",
        claimed_by=persona("dp.sio"),
        claimed_for=organisation("DYP"),
        claimed_at=timezone.now() - dt.timedelta(days=40),
    )
    Alert.objects.create(
        kind="association_search",
        person=persona("wilts.analyst"),
        organisation=organisation("WIL"),
        explanation="Searched for a declared associate",
        raised_at=timezone.now() - dt.timedelta(days=9),
    )
    run = consistency.run()
    assert overdue.reference in _found(run, "assessed_in_cycle")
    assert current.reference not in _found(run, "assessed_in_cycle")
    assert overdue.reference in _found(run, "band1_has_lro")
    assert current.reference not in _found(run, "band1_has_lro")
    assert overdue.reference in _found(run, "plan_beyond_pursue")
    assert overdue.reference in _found(run, "claims_validated")
    assert _found(run, "associations_reviewed") == {"WIL"}
    assert _found(run, "audit_verified") == {"national"}
    assert run.counts["DYP"]["assessed_in_cycle"] >= 1
    assert run.found == ConsistencyException.objects.filter(run=run).count()
    # Pursue and Prevent: the plan is no longer an exception.
    Objective.objects.create(plan=plan, strand="prevent", text="Divert the younger members")
    assert overdue.reference not in _found(consistency.run(), "plan_beyond_pursue")


def test_rules_are_data_thresholds_and_switches(overdue):
    rule = ConsistencyRule.objects.get(code="assessed_in_cycle")
    rule.params = {"grace_days": 14}
    rule.save()
    assert overdue.reference not in _found(consistency.run(), "assessed_in_cycle")
    rule.params = {"grace_days": 0}
    rule.enabled = False
    rule.save()
    assert not ConsistencyException.objects.filter(
        run=consistency.run(), rule__code="assessed_in_cycle"
    ).exists()


def test_an_exception_is_seen_only_by_those_who_see_its_record(overdue):
    consistency.run()
    mine = ConsistencyException.objects.filter(ocg=overdue)
    assert mine.exists()
    for username in ("dp.analyst", "tarian.chair", "nca.tasking"):
        assert (
            ConsistencyException.objects.visible_to(persona(username)).filter(ocg=overdue).exists()
        ), username
    for username in ("gmp.sio", "wilts.analyst", "nwrocu.chair"):
        assert (
            not ConsistencyException.objects.visible_to(persona(username))
            .filter(ocg=overdue)
            .exists()
        ), username
    page = body(client_for(persona("gmp.sio")).get("/insight/consistency/?export=csv"))
    assert overdue.reference not in page


def test_an_exception_about_an_organisation_stays_within_its_reach():
    Alert.objects.create(
        kind="association_search",
        person=persona("dp.analyst"),
        organisation=organisation("DYP"),
        explanation="Searched for a declared associate",
        raised_at=timezone.now() - dt.timedelta(days=9),
    )
    run = consistency.run()
    about_dyp = ConsistencyException.objects.filter(run=run, rule__code="associations_reviewed")
    assert about_dyp.count() == 1
    assert about_dyp.visible_to(persona("dp.analyst")).count() == 1
    assert about_dyp.visible_to(persona("tarian.chair")).count() == 1
    assert about_dyp.visible_to(persona("gmp.sio")).count() == 0


def test_the_comparison_shows_counts_only_as_approved(overdue):
    run = consistency.run()
    gmp = client_for(persona("gmp.sio"))
    page = gmp.get("/insight/consistency/").content.decode()
    assert 'data-testid="comparison"' in page
    ApprovedAggregate.objects.filter(
        figure=Figure.CONSISTENCY, level=AggregateLevel.ORGANISATION
    ).delete()
    # Without approval, GMP's reader counts only what it may see: none of Dyfed-Powys's.
    from concord.insight.oversight_views import _comparison

    rows = {
        r["organisation"].code: r["total"]
        for r in _comparison(persona("gmp.sio"), run, list(ConsistencyRule.objects.all()))
    }
    assert rows["DYP"] == 0
    rows = {
        r["organisation"].code: r["total"]
        for r in _comparison(persona("dp.analyst"), run, list(ConsistencyRule.objects.all()))
    }
    assert rows["DYP"] >= 1


def test_the_run_is_background_work_with_progress():
    nca = persona("nca.tasking")
    task_id = services.start_consistency_run(actor=nca)
    progress = TaskProgress.objects.get(task_id=task_id)
    assert progress.started_by == nca
    assert progress.done == progress.total
    assert ConsistencyRun.objects.filter(status="finished", started_by=nca).exists()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.start_consistency_run(actor=persona("dp.analyst"))


def test_the_command_verifies_the_audit_and_runs(capsys):
    call_command("consistency", "run", "--verify-audit")
    out = capsys.readouterr().out
    assert "Audit trail intact" in out
    assert "Consistency run" in out
    assert AuditVerification.objects.get().ok
    assert _found(ConsistencyRun.objects.first(), "audit_verified") == set()


def test_the_page_costs_a_fixed_number_of_queries(overdue, django_assert_max_num_queries):
    consistency.run()
    client = client_for(persona("nca.tasking"))
    client.get("/insight/consistency/")
    for code in ("GMP", "WIL", "DYP"):
        ocg = make_ocg(code, "OFFICIAL", False)
        Ocg.objects.filter(pk=ocg.pk).update(review_due_on=None)
    consistency.run()
    with django_assert_max_num_queries(30):
        assert client.get("/insight/consistency/").status_code == 200
