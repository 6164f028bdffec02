"""THR scoring: the default model's properties, safe formulas, assessments, re-scoring, picture."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concord.core.models import AuditEntry
from concord.scoring import services
from concord.scoring.expressions import Formula, FormulaError
from concord.scoring.models import Assessment, ScoringModel, published_model
from concord.threats.models import Ocg
from tests.access.registry import make_ocg

pytestmark = pytest.mark.django_db

HARM = ["harm_physical", "harm_psychological", "harm_financial", "harm_community"]


def levels_of(model: ScoringModel) -> dict[str, list]:
    return {d.code: list(d.levels.all()) for d in model.dimensions.prefetch_related("levels")}


def middle(model: ScoringModel) -> dict[str, int]:
    return {code: len(levels) // 2 for code, levels in levels_of(model).items()}


@st.composite
def choices(draw, scales: dict[str, int]):
    return {code: draw(st.integers(0, size - 1)) for code, size in scales.items()}


SCALES = {
    "harm_physical": 5,
    "harm_psychological": 5,
    "harm_financial": 5,
    "harm_community": 5,
    "scope": 5,
    "vulnerability": 4,
    "likelihood": 7,
    "confidence": 3,
    "capability": 4,
    "capacity": 4,
    "opportunity": 4,
}


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chosen=choices(SCALES), harm=st.sampled_from(HARM))
def test_raising_any_harm_never_lowers_the_risk_score(db, chosen, harm):
    model = published_model()
    scales = levels_of(model)
    assert {code: len(levels) for code, levels in scales.items()} == SCALES
    before = services.score(model, {c: scales[c][i] for c, i in chosen.items()})
    if chosen[harm] < SCALES[harm] - 1:
        raised = {**chosen, harm: chosen[harm] + 1}
        after = services.score(model, {c: scales[c][i] for c, i in raised.items()})
        assert after.risk >= before.risk
        assert after.band[0] <= before.band[0]  # band 1 is the highest


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chosen=choices(SCALES))
def test_the_same_inputs_give_the_same_score_and_band(db, chosen):
    model = published_model()
    scales = levels_of(model)
    first = services.score(model, {c: scales[c][i] for c, i in chosen.items()})
    again = services.score(
        ScoringModel.objects.get(pk=model.pk), {c: scales[c][i] for c, i in chosen.items()}
    )
    assert first == again
    assert first.band[0] in "123"
    assert first.band[1] in "ABC"


def test_the_extremes_land_in_the_extreme_bands():
    model = published_model()
    scales = levels_of(model)
    worst = services.score(model, {c: levels[-1] for c, levels in scales.items()})
    least = services.score(model, {c: levels[0] for c, levels in scales.items()})
    assert worst.band == "1A"
    assert worst.risk == Decimal("312.000")
    assert least.band == "3C"
    assert worst.confidence == "High"


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('true')",
        "harm_physical.__class__",
        "[1, 2]",
        "harm_physical if scope else 0",
        "lambda: 1",
        "open('x')",
        "2 ** 100",
    ],
)
def test_formulas_refuse_anything_but_arithmetic(source):
    with pytest.raises(FormulaError):
        Formula(source)


def test_formulas_evaluate_arithmetic_and_functions():
    formula = Formula("avg(a, b) * 2 + max(a, 1) - -c / 2")
    assert formula.names == {"a", "b", "c"}
    assert formula.evaluate({"a": Decimal(3), "b": Decimal(5), "c": Decimal(4)}) == Decimal(13)
    with pytest.raises(FormulaError, match="Unknown dimension codes in the formula: zz"):
        Formula("a + zz").check_names({"a"})


def test_a_model_with_a_bad_formula_is_refused_with_the_field_named():
    model = published_model()
    model.risk_formula = "harm_physical + nonsense"
    with pytest.raises(ValidationError) as exc:
        model.full_clean()
    assert "risk_formula" in exc.value.message_dict


def test_assessing_an_ocg_records_values_rationale_and_band(cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    analyst = cast("dp.analyst")
    model = published_model()
    chosen = middle(model)
    assessment = services.assess(
        actor=analyst,
        item=ocg,
        chosen=chosen,
        rationale={"harm_physical": "Knife violence in Llanelli"},
    )
    ocg.refresh_from_db()
    assert ocg.band == assessment.band
    assert ocg.band_rank == model.band_rank(assessment.band)
    assert ocg.review_due_on == ocg.assessed_on + __import__("datetime").timedelta(days=90)
    values = {v.dimension.code: v for v in assessment.values.select_related("dimension")}
    assert len(values) == 11
    assert values["harm_physical"].rationale == "Knife violence in Llanelli"
    assert assessment.model == model
    entry = AuditEntry.objects.filter(action="update", object_id=str(ocg.pk)).latest("id")
    assert entry.changes["band"] == ["", assessment.band]


def test_a_missing_value_is_named_and_nothing_is_saved(cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    chosen = middle(published_model())
    del chosen["scope"]
    with pytest.raises(ValidationError) as exc:
        services.assess(actor=cast("dp.analyst"), item=ocg, chosen=chosen, rationale={})
    assert "scope" in exc.value.message_dict
    assert not Assessment.objects.exists()


def test_only_the_owner_assesses(cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    with pytest.raises(PermissionDenied):
        services.assess(
            actor=cast("tarian.sio"), item=ocg, chosen=middle(published_model()), rationale={}
        )


def test_a_new_version_rescores_everything_and_old_assessments_keep_theirs(cast):
    analyst, admin = cast("dp.analyst"), cast("admin")
    v1 = published_model()
    ocgs = [make_ocg("DYP", "OFFICIAL", False) for _ in range(3)]
    for ocg in ocgs:
        services.assess(actor=analyst, item=ocg, chosen=middle(v1), rationale={})
    v2 = services.draft_next_version(actor=admin, model=v1)
    v2.risk_bands = [{"band": "1", "min": 1}, {"band": "2", "min": 0.5}, {"band": "3", "min": 0}]
    v2.save()
    services.publish_model(actor=admin, model=v2)
    out = io.StringIO()
    call_command("rescore_threats", "--as", "admin", "--no-progress", stdout=out)
    assert "Re-scored 3 OCGs under MoRiLE-style v2" in out.getvalue()
    for ocg in ocgs:
        ocg.refresh_from_db()
        assert ocg.band.startswith("1")
        assert ocg.assessments.filter(model=v1).count() == 1
        latest = ocg.assessments.first()
        assert latest.model == v2
        assert latest.rescored_from.model == v1
    assert published_model() == v2


def test_only_administrators_publish(cast):
    with pytest.raises(PermissionDenied):
        services.draft_next_version(actor=cast("dp.analyst"), model=published_model())


def test_the_picture_ranks_by_band_and_flags_mismatches(client, cast):
    analyst = cast("dp.analyst")
    model = published_model()
    scales = levels_of(model)
    top = make_ocg("DYP", "OFFICIAL", False)
    low = make_ocg("DYP", "OFFICIAL", False)
    services.assess(
        actor=analyst,
        item=top,
        rationale={},
        chosen={c: len(levels) - 1 for c, levels in scales.items()},
    )
    services.assess(actor=analyst, item=low, rationale={}, chosen=dict.fromkeys(scales, 0))
    client.force_login(analyst)
    page = client.get("/priorities/", {"region": "southern-wales"}).content.decode()
    assert page.index(top.reference) < page.index(low.reference)
    # Band 1 held by a force: it fits region or national.
    assert "Band 1A is held at force level; it fits region or national." in page
    csv = b"".join(client.get("/priorities/", {"export": "csv"}).streaming_content).decode()
    lines = csv.strip().splitlines()
    assert lines[1].split(",")[2] == top.reference
    assert "Mismatch" in lines[0]


def test_the_picture_query_count_does_not_grow_with_rows(client, cast):
    analyst = cast("dp.analyst")
    client.force_login(analyst)
    make_ocg("DYP", "OFFICIAL", False)
    client.get("/priorities/")
    with CaptureQueriesContext(connection) as few:
        client.get("/priorities/")
    for _ in range(12):
        ocg = make_ocg("DYP", "OFFICIAL", False)
        services.assess(actor=analyst, item=ocg, chosen=middle(published_model()), rationale={})
    with CaptureQueriesContext(connection) as many:
        response = client.get("/priorities/")
    assert response.content.decode().count("/ocgs/OCG-DYP-") == 13
    assert len(many) == len(few)


def test_the_assess_page_saves_an_assessment(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("dp.analyst"))
    form = client.get(f"/ocgs/{ocg.reference}/assess/")
    assert "Physical harm" in form.content.decode()
    data = {code: str(order) for code, order in middle(published_model()).items()}
    data["harm_physical-rationale"] = "Stabbings linked to the line"
    response = client.post(f"/ocgs/{ocg.reference}/assess/", data)
    assert response.status_code == 302
    assert Ocg.objects.get(pk=ocg.pk).band != ""


def test_the_assess_page_is_404_to_those_who_only_see_the_ocg(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("tarian.sio"))
    response = client.get(
        f"/ocgs/{ocg.reference}/assess/", HTTP_X_ACCESS_REASON="Regional review of the picture"
    )
    assert response.status_code == 404


def test_an_unchanged_assessment_must_say_why_it_is_confirmed(cast):
    """Issue 12, defect 6: the same levels and rationale again, with no summary, are refused
    (naming the field) and leave the re-assessment clock where it was."""
    ocg = make_ocg("DYP", "OFFICIAL", False)
    analyst = cast("dp.analyst")
    chosen = middle(published_model())
    services.assess(actor=analyst, item=ocg, chosen=chosen, rationale={"scope": "Two towns"})
    ocg.refresh_from_db()
    due = ocg.review_due_on
    with pytest.raises(ValidationError) as exc:
        services.assess(actor=analyst, item=ocg, chosen=chosen, rationale={"scope": "Two towns"})
    assert "summary" in exc.value.message_dict
    assert Assessment.objects.filter(ocg=ocg).count() == 1
    ocg.refresh_from_db()
    assert ocg.review_due_on == due
    services.assess(
        actor=analyst,
        item=ocg,
        chosen=chosen,
        rationale={"scope": "Two towns"},
        summary="Reviewed with the FIB: no change in reach or harm",
    )
    assert Assessment.objects.filter(ocg=ocg).count() == 2
