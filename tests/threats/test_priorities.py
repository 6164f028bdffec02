"""Priority individuals and vulnerabilities: designation, marking, assessment, the one picture
that ranks them with OCGs, archive, history with its trend, and the query counts of each page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.core.models import AuditEntry
from concord.core.services import share_record
from concord.scoring import history, services
from concord.scoring.models import Assessment, ScoringModel, published_model
from concord.threats import services as threats
from concord.threats.models import PriorityIndividual, Vulnerability
from tests.access.registry import make_ocg, make_pi, make_vulnerability
from tests.factories import organisation

pytestmark = pytest.mark.django_db


def levels_of(model: ScoringModel) -> dict[str, int]:
    return {d.code: d.levels.count() for d in model.dimensions.all()}


def highest(model: ScoringModel) -> dict[str, int]:
    return {code: size - 1 for code, size in levels_of(model).items()}


def lowest(model: ScoringModel) -> dict[str, int]:
    return dict.fromkeys(levels_of(model), 0)


def csv_lines(client, url: str) -> list[str]:
    response = client.get(url)
    return b"".join(response.streaming_content).decode().strip().splitlines()


def test_a_priority_individual_is_marked_at_least_as_high_as_the_person_and_groups(cast):
    analyst = cast("dp.analyst")
    analyst.vetting_level = "SC"
    analyst.save()
    secret = make_ocg("DYP", "SECRET", True)
    pi = threats.designate_priority_individual(
        actor=analyst,
        nominal_reference=secret.members.get().nominal.reference,
        ocgs=[secret.reference],
        summary="Runs the group's supply chain",
    )
    assert (pi.classification, pi.sensitive) == ("SECRET", True)
    assert pi.reference.startswith("PI-DYP-")
    assert list(pi.ocgs.all()) == [secret]
    created = AuditEntry.objects.get(
        action="create", object_id=str(pi.pk), object_type__endswith="priorityindividual"
    )
    assert created.changes["nominal"][1] == secret.members.get().nominal.reference


def test_designation_names_the_field_and_changes_nothing(cast):
    analyst = cast("dp.analyst")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    nominal = ocg.members.get().nominal
    elsewhere = make_ocg("GMP", "OFFICIAL", False)  # not visible to Dyfed-Powys
    with pytest.raises(ValidationError) as unseen:
        threats.designate_priority_individual(
            actor=analyst, nominal_reference=elsewhere.members.get().nominal.reference
        )
    assert "nominal" in unseen.value.message_dict
    with pytest.raises(ValidationError) as bad_ocg:
        threats.designate_priority_individual(
            actor=analyst, nominal_reference=nominal.reference, ocgs=[elsewhere.reference]
        )
    assert elsewhere.reference in bad_ocg.value.message_dict["ocgs"][0]
    assert not PriorityIndividual.objects.exists()
    threats.designate_priority_individual(actor=analyst, nominal_reference=nominal.reference)
    with pytest.raises(ValidationError) as twice:
        threats.designate_priority_individual(actor=analyst, nominal_reference=nominal.reference)
    assert "already a priority individual" in twice.value.message_dict["nominal"][0]
    assert PriorityIndividual.objects.count() == 1


def test_a_partner_cannot_designate_or_record(cast):
    with pytest.raises(PermissionDenied):
        threats.record_vulnerability(
            actor=cast("bf.partner"),
            details=threats.VulnerabilityDetails(kind="place", name="Port of Dover lorry park"),
        )


def test_a_vulnerability_needs_a_kind_and_a_title_and_defaults_to_its_force(cast):
    analyst = cast("dp.analyst")
    with pytest.raises(ValidationError) as bad:
        threats.record_vulnerability(
            actor=analyst, details=threats.VulnerabilityDetails(kind="planet", name="Mars")
        )
    assert "kind" in bad.value.message_dict
    assert not Vulnerability.objects.exists()
    made = threats.record_vulnerability(
        actor=analyst,
        details=threats.VulnerabilityDetails(kind="business", name="Car wash on Quay Street"),
    )
    assert [f.code for f in made.force_areas.all()] == ["DYP"]


def test_pis_and_vulnerabilities_are_assessed_and_ranked_with_ocgs(client, cast):
    analyst = cast("dp.analyst")
    model = published_model()
    ocg = make_ocg("DYP", "OFFICIAL", False)
    pi = make_pi("DYP", "OFFICIAL", False)
    vulnerability = make_vulnerability("DYP", "OFFICIAL", False)
    services.assess(actor=analyst, item=ocg, chosen=lowest(model), rationale={})
    services.assess(actor=analyst, item=pi, chosen=highest(model), rationale={})
    services.assess(
        actor=analyst,
        item=vulnerability,
        chosen={**lowest(model), "harm_physical": 4, "likelihood": 6},
        rationale={"harm_physical": "Children exploited"},
    )
    pi.refresh_from_db()
    assert pi.band == "1A"
    assert pi.review_due_on is not None
    client.force_login(analyst)
    page = client.get("/priorities/").content.decode()
    assert (
        page.index(pi.reference) < page.index(vulnerability.reference) < page.index(ocg.reference)
    )
    assert "Priority individual" in page
    assert "Vulnerability" in page
    lines = csv_lines(client, "/priorities/?export=csv")
    assert [line.split(",")[2] for line in lines[1:4]] == [
        pi.reference,
        vulnerability.reference,
        ocg.reference,
    ]
    only_pis = client.get("/priorities/", {"kind": "pi"}).content.decode()
    assert pi.reference in only_pis
    assert ocg.reference not in only_pis
    # A PI takes its criminality from its OCGs, for the filter and the row.
    drugs = client.get("/priorities/", {"criminality": "illegal-drugs", "kind": "pi"})
    assert pi.reference in drugs.content.decode()
    firearms = client.get("/priorities/", {"criminality": "illegal-firearms", "kind": "pi"})
    assert pi.reference not in firearms.content.decode()


def test_the_picture_query_count_is_constant_with_every_kind(client, cast):
    analyst = cast("dp.analyst")
    client.force_login(analyst)
    # One of each kind from the start: each kind on a page costs one query, not one per row.
    make_pi("DYP", "OFFICIAL", False)
    make_vulnerability("DYP", "OFFICIAL", False)
    make_ocg("DYP", "OFFICIAL", False)
    client.get("/priorities/")
    with CaptureQueriesContext(connection) as few:
        client.get("/priorities/")
    model = published_model()
    for _ in range(5):
        for item in (
            make_pi("DYP", "OFFICIAL", False),
            make_vulnerability("DYP", "OFFICIAL", False),
        ):
            services.assess(actor=analyst, item=item, chosen=highest(model), rationale={})
    with CaptureQueriesContext(connection) as many:
        response = client.get("/priorities/")
    text = response.content.decode()
    assert text.count("/pis/PI-DYP-") == 6
    assert text.count("/vulnerabilities/VUL-DYP-") == 6
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "url", ["/pis/", "/vulnerabilities/", "/api/v1/pis", "/api/v1/vulnerabilities"]
)
def test_register_lists_query_count_is_constant(client, cast, url):
    client.force_login(cast("dp.analyst"))
    make_pi("DYP", "OFFICIAL", False)
    make_vulnerability("DYP", "OFFICIAL", False)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(6):
        make_pi("DYP", "OFFICIAL", False)
        make_vulnerability("DYP", "OFFICIAL", False)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)


def test_history_shows_who_changed_what_and_the_trend(client, cast):
    analyst = cast("dp.analyst")
    model = published_model()
    pi = make_pi("DYP", "OFFICIAL", False)
    services.assess(actor=analyst, item=pi, chosen=lowest(model), rationale={})
    raised = {**lowest(model), "harm_physical": 3}
    services.assess(actor=analyst, item=pi, chosen=raised, rationale={}, summary="Now armed")
    record = history.for_item(pi)
    newest, first = record.entries
    assert first.first
    assert not first.changed
    assert [name for name, _before, _after in newest.changed] == ["Physical harm"]
    assert len(record.dots) == 2
    assert record.dots[1]["y"] < record.dots[0]["y"]
    client.force_login(analyst)
    url = f"/assessments/pi/{pi.reference}/"
    page = client.get(url).content.decode()
    assert "Physical harm" in page
    assert "Now armed" in page
    assert "<polyline" in page
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        services.assess(
            actor=analyst, item=pi, chosen=raised, rationale={}, summary=f"Confirmed, review {n}"
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_rescoring_covers_every_kind(cast):
    analyst, admin = cast("dp.analyst"), cast("admin")
    model = published_model()
    items = [
        make_ocg("DYP", "OFFICIAL", False),
        make_pi("DYP", "OFFICIAL", False),
        make_vulnerability("DYP", "OFFICIAL", False),
    ]
    for item in items:
        services.assess(actor=analyst, item=item, chosen=highest(model), rationale={})
    draft = services.draft_next_version(actor=admin, model=model)
    draft.risk_bands = [
        {"band": "1", "min": 100000},
        {"band": "2", "min": 1},
        {"band": "3", "min": 0},
    ]
    draft.save()
    services.publish_model(actor=admin, model=draft)
    seen = []
    assert (
        services.rescore_all(actor=admin, model=draft, progress=lambda d, t: seen.append((d, t)))
        == 3
    )
    for item in items:
        item.refresh_from_db()
        assert item.band == "2A"
        assert item.band_rank == draft.band_rank("2A")
        assert item.review_due_on == item.assessed_on + dt.timedelta(days=draft.review_days)
        latest = Assessment.objects.filter(**{services.subject_field(item): item}).first()
        assert latest.model == draft
        assert latest.rescored_from is not None
    assert seen[-1] == (3, 3)


def test_archiving_from_the_page_needs_a_reason_and_leaves_the_active_picture(client, cast):
    analyst = cast("dp.analyst")
    vulnerability = make_vulnerability("DYP", "OFFICIAL", False)
    client.force_login(analyst)
    url = f"/vulnerabilities/{vulnerability.reference}/archive/"
    short = client.post(url, {"reason": "gone"})
    assert short.status_code == 200
    assert "govuk-error-summary" in short.content.decode()
    vulnerability.refresh_from_db()
    assert vulnerability.status == "active"
    done = client.post(url, {"reason": "Flats demolished in March"}, follow=True)
    assert done.redirect_chain == [(f"/vulnerabilities/{vulnerability.reference}/", 302)]
    vulnerability.refresh_from_db()
    assert vulnerability.status == "archived"
    assert vulnerability.reference not in client.get("/priorities/").content.decode()
    assert vulnerability.reference in client.get("/priorities/?status=archived").content.decode()
    # Someone who may see it but not change it gets 404 on the archive page.
    client.force_login(cast("tarian.sio"))
    assert (
        client.get(f"/pis/{make_pi('DYP', 'OFFICIAL', False).reference}/archive/").status_code
        == 404
    )


def test_designate_and_record_through_the_pages(client, cast):
    client.force_login(cast("dp.analyst"))
    ocg = make_ocg("DYP", "OFFICIAL", False)
    nominal = ocg.members.get().nominal
    form = client.get(f"/pis/new/?nominal={nominal.reference}").content.decode()
    assert nominal.reference in form
    missing = client.post(
        "/pis/new/", {"nominal": "NOM-DYP-999999", "summary": "x", "classification": "OFFICIAL"}
    )
    assert "No person you can see has that reference." in missing.content.decode()
    made = client.post(
        "/pis/new/",
        {
            "nominal": nominal.reference,
            "ocgs": ocg.reference.lower(),
            "summary": "Principal supplier",
            "classification": "OFFICIAL",
        },
    )
    pi = PriorityIndividual.objects.get()
    assert made["Location"] == f"/pis/{pi.reference}/"
    detail = client.get(made["Location"]).content.decode()
    assert nominal.full_name in detail
    assert ocg.reference in detail
    assert pi.reference in client.get(f"/ocgs/{ocg.reference}/").content.decode()
    recorded = client.post(
        "/vulnerabilities/new/",
        {
            "kind": "community",
            "name": "Students targeted as money mules",
            "ocgs": ocg.reference,
            "force_areas": ["DYP", "SWP"],
            "classification": "OFFICIAL",
        },
    )
    vulnerability = Vulnerability.objects.get()
    assert recorded["Location"] == f"/vulnerabilities/{vulnerability.reference}/"
    assert sorted(f.code for f in vulnerability.force_areas.all()) == ["DYP", "SWP"]


def test_a_shared_pi_does_not_carry_the_person_or_groups_with_it(client, cast):
    """A PI shared with Wiltshire: they see the PI, but not the person's record or the OCG,
    which were not shared, in the API or on the page."""
    analyst = cast("dp.analyst")
    ocg = make_ocg("DYP", "OFFICIAL", False)
    nominal = ocg.members.get().nominal
    pi = threats.designate_priority_individual(
        actor=analyst, nominal_reference=nominal.reference, ocgs=[ocg.reference]
    )
    client.force_login(analyst)
    mine = client.get(f"/api/v1/pis/{pi.reference}").json()
    assert (mine["nominal"], mine["ocgs"]) == (nominal.reference, [ocg.reference])
    share_record(
        actor=analyst, obj=pi, purpose="Cross-border supply", to_organisation=organisation("WIL")
    )
    client.force_login(cast("wilts.analyst"))
    reason = {"HTTP_X_ACCESS_REASON": "Cross-border supply into Swindon"}
    theirs = client.get(f"/api/v1/pis/{pi.reference}", **reason).json()
    assert (theirs["reference"], theirs["nominal"], theirs["ocgs"]) == (pi.reference, None, [])
    listed = client.get("/api/v1/pis").json()
    assert [p["reference"] for p in listed["items"]] == [pi.reference]
    assert listed["items"][0]["ocgs"] == []
