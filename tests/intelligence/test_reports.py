"""Graded intelligence: 3x5x2 (and legacy 5x5x5 kept as given), sanitisation, four-eyes
release, dissemination, C-code conditions before the content opens, onward sharing, recall,
feedback."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.core import policy
from concord.intelligence import services
from concord.intelligence.models import IntelReport
from tests.factories import UserFactory, organisation

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CONDITIONS = "Not to be disclosed outside law enforcement; no action without consulting DYP."


def record(actor, *, grading=None, **extra) -> IntelReport:
    return services.record_report(
        actor=actor,
        title=extra.pop("title", "Firearms moved through Pembroke Dock"),
        text=extra.pop("text", "Two handguns moved by ferry on the 14th in a grey Transit."),
        information_date=extra.pop("information_date", TODAY - dt.timedelta(days=2)),
        grading=grading or services.Grading("2", "B", "C", CONDITIONS),
        **extra,
    )


@pytest.fixture
def approver(cast):
    return UserFactory(username="dp.sro", organisation=organisation("DYP"), roles=["sro"])


def test_grading_is_3x5x2_in_full_or_legacy_as_given(cast):
    analyst = cast("dp.analyst")
    for grading, field in (
        (services.Grading("4", "B", "P"), "source_evaluation"),
        (services.Grading("1", "F", "P"), "intelligence_assessment"),
        (services.Grading("1", "B", "X"), "handling_code"),
        (services.Grading("1", "B", "C"), "handling_conditions"),
        (services.Grading("1", "B", "P", legacy_grading="B2 4"), "legacy_grading"),
    ):
        with pytest.raises(ValidationError) as bad:
            record(analyst, grading=grading)
        assert field in bad.value.message_dict
    assert not IntelReport.objects.exists()
    legacy = record(analyst, grading=services.Grading(legacy_grading="B2 4"))
    assert legacy.grading == "5x5x5 B2 4"
    assert record(analyst, grading=services.Grading("1", "A", "P")).grading == "1A P"


def test_a_c_coded_report_needs_a_second_person_to_release_it(cast, approver):
    analyst = cast("dp.analyst")
    report = record(analyst)
    services.release(actor=analyst, report=report)
    assert report.status == "awaiting"
    with pytest.raises(ValidationError):
        services.disseminate(
            actor=analyst, report=report, to=[organisation("TARIAN")], purpose="Tasking"
        )
    with pytest.raises(PermissionDenied):
        services.approve_release(actor=cast("dp.lro"), report=report)  # not an approver
    services.approve_release(actor=approver, report=report)
    report.refresh_from_db()
    assert (report.status, report.approved_by) == ("released", approver)
    p_coded = record(analyst, grading=services.Grading("1", "B", "P"))
    assert services.release(actor=analyst, report=p_coded).status == "released"


def test_conditions_open_the_content_and_onward_sharing_is_refused(client, cast, approver):
    analyst, wilts = cast("dp.analyst"), cast("wilts.analyst")
    report = record(analyst)
    services.release(actor=analyst, report=report)
    services.approve_release(actor=approver, report=report)
    services.disseminate(
        actor=analyst, report=report, to=[organisation("WIL")], purpose="Cross-border supply"
    )
    policy.forget(wilts)
    client.force_login(wilts)
    url = f"/intelligence/{report.reference}/"
    headers = {}
    first = client.get(url, **headers)
    if first.status_code == 302:  # shared: a reason first
        client.post(first["Location"], {"reason": "Cross-border firearms supply into Wiltshire"})
        first = client.get(url)
    page = first.content.decode()
    assert CONDITIONS in page
    assert "grey Transit" not in page  # content closed until conditions are accepted
    client.post(url, {"step": "accept"})
    assert "grey Transit" in client.get(url).content.decode()
    with pytest.raises(ValidationError, match="do not allow onward sharing"):
        services.disseminate(actor=wilts, report=report, to=[organisation("GMP")], purpose="Onward")
    services.give_feedback(actor=wilts, report=report, kind="corroborated", note="Seen on ANPR")
    assert report.feedback.get().organisation.code == "WIL"


def test_a_sanitised_version_goes_wider_and_the_original_stays(cast, approver):
    analyst = cast("dp.analyst")
    analyst.vetting_level = "SC"
    analyst.save()
    policy.forget(analyst)
    original = record(analyst, classification="SECRET", grading=services.Grading("1", "A", "P"))
    with pytest.raises(ValidationError):
        services.sanitise(
            actor=analyst,
            report=original,
            text="Different enough text here",
            classification="TOP SECRET",
        )
    version = services.sanitise(
        actor=analyst,
        report=original,
        text="Firearms moved by ferry this month.",
        classification="OFFICIAL",
    )
    assert version.sanitised_from == original
    services.release(actor=analyst, report=original)
    approver.vetting_level = "SC"  # a SECRET report's approver must be able to see it
    approver.save()
    policy.forget(approver)
    services.approve_release(actor=approver, report=original)
    with pytest.raises(ValidationError, match="sanitised version"):
        services.disseminate(
            actor=analyst, report=original, to=[organisation("TARIAN")], purpose="Regional"
        )
    services.release(actor=analyst, report=version)
    services.disseminate(
        actor=analyst, report=version, to=[organisation("TARIAN")], purpose="Regional"
    )
    chair = cast("tarian.chair")
    assert IntelReport.objects.visible_to(chair).filter(pk=version.pk).exists()
    assert not IntelReport.objects.visible_to(chair).filter(pk=original.pk).exists()


def test_recall_removes_it_from_every_recipient(cast):
    analyst = cast("dp.analyst")
    report = record(analyst, grading=services.Grading("1", "B", "P"))
    services.release(actor=analyst, report=report)
    services.disseminate(
        actor=analyst,
        report=report,
        to=[organisation("WIL"), organisation("GMP")],
        purpose="Awareness",
    )
    wilts, gmp = cast("wilts.analyst"), cast("gmp.lro")
    assert IntelReport.objects.visible_to(gmp).filter(pk=report.pk).exists()
    with pytest.raises(PermissionDenied):
        services.recall(actor=wilts, report=report, reason="Not theirs to recall")
    services.recall(actor=analyst, report=report, reason="Source withdrew the information")
    for person in (wilts, gmp):
        policy.forget(person)
        assert not IntelReport.objects.visible_to(person).filter(pk=report.pk).exists()
    assert IntelReport.objects.visible_to(analyst).filter(pk=report.pk).exists()


def test_the_list_keeps_constant_queries(client, cast):
    analyst = cast("dp.analyst")
    client.force_login(analyst)
    record(analyst)
    client.get("/intelligence/")
    with CaptureQueriesContext(connection) as few:
        client.get("/intelligence/")
    for _ in range(5):
        record(analyst)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/intelligence/").content.decode()
    assert page.count("/intelligence/INT-DYP-") == 6
    assert len(many) == len(few)


def test_recording_through_the_page_names_bad_fields(client, cast):
    client.force_login(cast("dp.analyst"))
    bad = client.post(
        "/intelligence/new/",
        {
            "title": "Ferry",
            "text": "Two handguns moved by ferry",
            "information_date": TODAY.isoformat(),
            "source_evaluation": "1",
            "intelligence_assessment": "B",
            "handling_code": "C",
            "classification": "OFFICIAL",
        },
    )
    assert "A C-coded report needs its handling conditions." in bad.content.decode()
    assert not IntelReport.objects.exists()
    good = client.post(
        "/intelligence/new/",
        {
            "title": "Ferry",
            "text": "Two handguns moved by ferry",
            "information_date": TODAY.isoformat(),
            "source_evaluation": "1",
            "intelligence_assessment": "B",
            "handling_code": "P",
            "classification": "OFFICIAL",
        },
    )
    report = IntelReport.objects.get()
    assert good["Location"] == f"/intelligence/{report.reference}/"


def test_the_stix_export_validates_and_carries_marking_grading_and_only_visible_groups(
    client, cast
):
    import json

    from stix2validator import ValidationOptions, validate_string

    from concord.threats import services as threat_services
    from tests.access.registry import make_ocg

    analyst = cast("dp.analyst")
    seen = make_ocg("DYP", "OFFICIAL", False)
    person = seen.members.get().nominal
    for kind, value, details in (
        ("email", "courier@example.invalid", None),
        ("address", "1 Quay Street, Pembroke Dock", {"postcode": "sa72 6jn"}),
        ("business", "Quayside Hire Ltd", None),
        ("vehicle", "CU25 XYZ", None),
    ):
        threat_services.add_entity(
            actor=analyst,
            kind=kind,
            value=value,
            details=details,
            link_type="uses",
            nominal=person,
        )
    report = record(
        analyst, ocgs=[seen.reference], nominals=[person.reference], place="Pembroke Dock"
    )
    assert report.entities.count() == 4  # the person's identifiers come with them
    client.force_login(analyst)
    body = client.get(f"/intelligence/{report.reference}/stix.json")
    assert body["Content-Type"].startswith("application/stix+json")
    text = body.content.decode()
    result = validate_string(text, ValidationOptions(version="2.1", strict=False))
    assert result.is_valid, [str(e) for e in result.errors]
    objects = {o["type"]: o for o in json.loads(text)["objects"]}
    stix_report = objects["report"]
    extension = next(iter(stix_report["extensions"].values()))
    assert (
        extension["source_evaluation"],
        extension["intelligence_assessment"],
        extension["handling_code"],
    ) == ("2", "B", "C")
    statements = [
        o["definition"]["statement"]
        for o in json.loads(text)["objects"]
        if o["type"] == "marking-definition"
    ]
    assert "OFFICIAL" in statements
    assert f"Handling code C: {CONDITIONS}" in statements
    actors = [o for o in json.loads(text)["objects"] if o["type"] == "threat-actor"]
    assert sorted(a["threat_actor_types"][0] for a in actors) == ["crime-syndicate", "criminal"]
    assert objects["email-addr"]["value"] == "courier@example.invalid"
    kinds = sorted(o["type"] for o in json.loads(text)["objects"])
    assert kinds.count("location") == 2  # the place, and the person's address
    assert any(o.get("postal_code") == "SA72 6JN" for o in json.loads(text)["objects"])
    assert any(
        o.get("identity_class") == "organization" and o["name"] == "Quayside Hire Ltd"
        for o in json.loads(text)["objects"]
    )
    # A vehicle has no STIX 2.1 object: it is not forced into one.
    assert "CU25" not in text
    # The same report exported again gives the same identifiers (idempotent federation).
    again = json.loads(client.get(f"/intelligence/{report.reference}/stix.json").content)
    assert {o["id"] for o in again["objects"]} == {o["id"] for o in json.loads(text)["objects"]}
