"""Counter-corruption monitoring: alerts raised from the audit trail, their review, the pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from concord.core import audit
from concord.core.models import AuditAction, AuditEntry
from concord.monitoring import detectors, services
from concord.monitoring.choices import AlertKind, AlertStatus
from concord.monitoring.models import Alert, AlertRule, DeclaredAssociation
from concord.organisations import services as organisation_services
from tests.factories import PASSWORD, UserFactory, organisation

pytestmark = pytest.mark.django_db


def set_rule(kind: str, **values: int) -> None:
    assert AlertRule.objects.filter(kind=kind).update(**values) == 1


def view(person, object_id) -> AuditEntry:
    return audit.record(
        AuditAction.VIEW, actor=person, object_type="threats.ocg", object_id=str(object_id)
    )


def search(person, query: str) -> AuditEntry:
    return audit.record(
        AuditAction.SEARCH, actor=person, object_type="threats.ocg", detail={"query": query}
    )


def alerts(kind: str, person=None):
    found = Alert.objects.open().filter(kind=kind)
    return found.filter(person=person) if person is not None else found


def alert_about(person, kind: str = AlertKind.PROBING) -> Alert:
    return Alert.objects.create(
        kind=kind,
        person=person,
        organisation=person.acting_organisation(),
        explanation=f"{person.username} asked for 10 things that were not found.",
    )


# --- bulk viewing --------------------------------------------------------------------------


@pytest.fixture
def low_bulk_threshold(db: None) -> None:
    set_rule(AlertKind.BULK_VIEWING, threshold=5, window_minutes=10)


def test_it_raises_an_alert_for_bulk_viewing(
    cast, low_bulk_threshold, django_capture_on_commit_callbacks
):
    person = cast("dp.analyst")
    with django_capture_on_commit_callbacks(execute=True):
        entries = [view(person, i) for i in range(5)]
    raised = alerts(AlertKind.BULK_VIEWING)
    assert raised.count() == 1
    alert = raised.get()
    assert alert.person == person
    assert alert.organisation.code == "DYP"
    assert "viewed 5 different records in 10 minutes" in alert.explanation
    assert set(alert.evidence) == {e.pk for e in entries}


def test_viewing_fewer_records_than_the_threshold_raises_nothing(
    cast, low_bulk_threshold, django_capture_on_commit_callbacks
):
    person = cast("dp.analyst")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(4):
            view(person, i)
    assert not Alert.objects.exists()


def test_viewing_the_same_record_again_does_not_count_as_another_record(
    cast, low_bulk_threshold, django_capture_on_commit_callbacks
):
    person = cast("dp.analyst")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(4):
            view(person, i)
        for _ in range(6):
            view(person, 0)
    assert AuditEntry.objects.filter(action=AuditAction.VIEW).count() == 10
    assert not Alert.objects.exists()


def test_a_continuing_burst_raises_one_alert_not_one_per_view(
    cast, low_bulk_threshold, django_capture_on_commit_callbacks
):
    person = cast("dp.analyst")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(9):
            view(person, i)
    assert alerts(AlertKind.BULK_VIEWING).count() == 1


def test_views_are_counted_per_person(cast, low_bulk_threshold, django_capture_on_commit_callbacks):
    analyst, lro = cast("dp.analyst"), cast("dp.lro")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            view(analyst, i)
            view(lro, i + 100)
    assert not Alert.objects.exists()


def test_a_disabled_rule_raises_nothing(
    cast, low_bulk_threshold, django_capture_on_commit_callbacks
):
    set_rule(AlertKind.BULK_VIEWING, enabled=False)
    person = cast("dp.analyst")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(8):
            view(person, i)
    assert not Alert.objects.exists()


# --- searching for a declared association, or oneself ----------------------------------------


def test_searching_for_a_declared_relative_raises_an_alert(
    cast, django_capture_on_commit_callbacks
):
    person = cast("dp.analyst")
    services.declare_association(actor=person, name="Dylan Pritchard", relationship="relative")
    with django_capture_on_commit_callbacks(execute=True):
        search(person, "pritchard dylan")
    alert = alerts(AlertKind.ASSOCIATION_SEARCH, person).get()
    assert "a declared relative" in alert.explanation
    assert "Dylan" not in alert.explanation  # the declared name stays in the register


def test_searching_for_someone_else_raises_nothing(cast, django_capture_on_commit_callbacks):
    person = cast("dp.analyst")
    services.declare_association(actor=person, name="Dylan Pritchard", relationship="relative")
    with django_capture_on_commit_callbacks(execute=True):
        search(person, "dylan morgan")
        search(person, "pritchard")
    assert not alerts(AlertKind.ASSOCIATION_SEARCH).exists()


def test_searching_for_ones_own_name_raises_an_alert(cast, django_capture_on_commit_callbacks):
    person = cast("dp.analyst")  # Ffion Evans
    with django_capture_on_commit_callbacks(execute=True):
        search(person, "EVANS, Ffion")
    alert = alerts(AlertKind.ASSOCIATION_SEARCH, person).get()
    assert "their own name" in alert.explanation


def test_another_persons_declaration_does_not_make_a_search_suspicious(
    cast, django_capture_on_commit_callbacks
):
    declarant, searcher = cast("dp.analyst"), cast("dp.lro")
    services.declare_association(actor=declarant, name="Dylan Pritchard", relationship="friend")
    with django_capture_on_commit_callbacks(execute=True):
        search(searcher, "dylan pritchard")
    assert not alerts(AlertKind.ASSOCIATION_SEARCH).exists()


def test_opening_a_record_that_names_a_declared_associate_raises_an_alert(
    cast, django_capture_on_commit_callbacks
):
    person = cast("dp.analyst")
    services.declare_association(actor=person, name="Dylan Pritchard", relationship="associate")
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(
            AuditAction.VIEW,
            actor=person,
            object_type="threats.nominal",
            object_id="42",
            detail={"subject_names": ["Dylan Pritchard", "Kai Jones"]},
        )
    assert alerts(AlertKind.ASSOCIATION_SEARCH, person).exists()


# --- probing for records one may not see -----------------------------------------------------


def test_repeated_requests_for_records_not_found_raise_a_probing_alert(
    cast, signed_in, django_capture_on_commit_callbacks
):
    person = cast("dp.lro")
    client = signed_in(person)
    # Any page answering 404 to a signed-in person counts (the middleware audits it).
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(9):
            assert client.get(f"/organisations/NOPE{i}/").status_code == 404
    assert AuditEntry.objects.filter(actor_id=person.pk, action=AuditAction.NOT_FOUND).count() == 9
    assert not alerts(AlertKind.PROBING).exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert client.get("/organisations/NOPE9/").status_code == 404
    alert = alerts(AlertKind.PROBING, person).get()
    assert "asked for 10 things that were not found" in alert.explanation
    assert len(alert.evidence) == 10


def test_the_probing_threshold_is_configurable(cast, signed_in, django_capture_on_commit_callbacks):
    set_rule(AlertKind.PROBING, threshold=3)
    client = signed_in(cast("dp.lro"))
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            client.get(f"/organisations/NOPE{i}/")
    assert alerts(AlertKind.PROBING).count() == 1


def test_not_found_requests_when_signed_out_are_not_audited(client, db):
    assert client.get("/organisations/NOPE1/").status_code == 302  # to sign in
    assert client.get("/no-such-page/").status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.NOT_FOUND).exists()


# --- trying to get in after vetting expired --------------------------------------------------


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def test_signing_in_after_vetting_expired_raises_an_alert(
    client, cast, django_capture_on_commit_callbacks
):
    person = cast("wilts.analyst", vetting_expires=yesterday())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/sign-in/", {"username": person.username, "password": PASSWORD})
    assert "Your vetting expired on" in response.content.decode()
    alert = alerts(AlertKind.EXPIRED_VETTING, person).get()
    assert alert.organisation.code == "WIL"
    assert "signing in" in alert.explanation


def test_a_wrong_password_for_someone_whose_vetting_expired_raises_nothing(
    client, cast, django_capture_on_commit_callbacks
):
    person = cast("wilts.analyst", vetting_expires=yesterday())
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/sign-in/", {"username": person.username, "password": "a wrong guess"})
    assert not alerts(AlertKind.EXPIRED_VETTING).exists()


def test_using_an_api_token_after_vetting_expired_raises_an_alert(
    client, cast, django_capture_on_commit_callbacks
):
    person = cast("dp.analyst")
    _, token = organisation_services.issue_api_token(
        actor=person, person=person, name="script", days=30
    )
    person.vetting_expires = yesterday()
    person.save(update_fields=["vetting_expires"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    alert = alerts(AlertKind.EXPIRED_VETTING, person).get()
    assert "an API token" in alert.explanation


# --- working outside one's usual pattern -----------------------------------------------------

ZONE = timezone.get_default_timezone()


def at_hour(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


def history_entry(person, when: dt.datetime, object_id: str) -> AuditEntry:
    # History rows only: this test is about working patterns, not the MAC chain.
    return AuditEntry(
        at=when,
        actor_id=person.pk,
        actor_username=person.username,
        organisation_code=person.organisation.code,
        action=AuditAction.VIEW,
        object_type="threats.ocg",
        object_id=object_id,
        uid=uuid.uuid4().hex,
        mac="x" * 64,
    )


@pytest.fixture
def day_worker(cast):
    """dp.analyst, who has viewed records at ten in the morning on each of the last 20 days."""
    set_rule(AlertKind.OUT_OF_PATTERN, min_history=50)
    person = cast("dp.analyst")
    today = timezone.localdate()
    AuditEntry.objects.bulk_create(
        history_entry(person, at_hour(today - dt.timedelta(days=d), 10, i), f"{d}-{i}")
        for d in range(1, 21)
        for i in range(6)
    )
    return person


def test_access_at_an_hour_the_person_never_works_raises_an_alert(day_worker):
    entry = history_entry(day_worker, at_hour(timezone.localdate(), 3), "late")
    entry.save()
    alert = detectors.out_of_pattern(entry)
    assert alert is not None
    assert alert.kind == AlertKind.OUT_OF_PATTERN
    assert alert.person == day_worker
    assert "worked at 03:00" in alert.explanation
    assert "(120 events)" in alert.explanation
    assert alert.evidence == [entry.pk]


def test_access_at_the_usual_hour_raises_nothing(day_worker):
    entry = history_entry(day_worker, at_hour(timezone.localdate(), 10, 30), "usual")
    entry.save()
    assert detectors.out_of_pattern(entry) is None
    assert not Alert.objects.exists()


def test_a_person_with_too_little_history_is_not_judged(day_worker):
    set_rule(AlertKind.OUT_OF_PATTERN, min_history=500)
    entry = history_entry(day_worker, at_hour(timezone.localdate(), 3), "late")
    entry.save()
    assert detectors.out_of_pattern(entry) is None
    assert not Alert.objects.exists()


# --- reviewing alerts ------------------------------------------------------------------------


def test_an_auditor_reviews_an_alert(cast):
    auditor = cast("psd.auditor")
    alert = alert_about(cast("dp.lro"))
    services.review_alert(
        actor=auditor,
        alert=alert,
        status=AlertStatus.REVIEWED,
        note="Checked with the SIO: tasked.",
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.REVIEWED
    assert alert.reviewed_by == auditor
    assert alert.reviewed_at is not None
    assert alert.review_note == "Checked with the SIO: tasked."
    entry = AuditEntry.objects.get(action=AuditAction.REVIEW)
    assert entry.actor_id == auditor.pk
    assert entry.object_type == "monitoring.alert"
    assert entry.object_id == str(alert.pk)
    assert entry.owner_code == "DYP"
    assert entry.changes["status"] == [AlertStatus.OPEN, AlertStatus.REVIEWED]


def test_a_review_needs_a_note_of_substance(cast):
    auditor = cast("psd.auditor")
    alert = alert_about(cast("dp.lro"))
    with pytest.raises(ValidationError) as refused:
        services.review_alert(actor=auditor, alert=alert, status=AlertStatus.REVIEWED, note="ok")
    assert "note" in refused.value.message_dict
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    assert alert.reviewed_by is None
    assert not AuditEntry.objects.filter(action=AuditAction.REVIEW).exists()


def test_only_auditors_review_alerts(cast):
    alert = alert_about(cast("dp.analyst"))
    with pytest.raises(Http404):
        services.review_alert(
            actor=cast("dp.lro"),
            alert=alert,
            status=AlertStatus.REVIEWED,
            note="Nothing to see here at all.",
        )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_an_auditor_cannot_review_an_alert_about_themself(cast):
    auditor = cast("psd.auditor")
    alert = alert_about(auditor)
    with pytest.raises(ValidationError, match="about yourself"):
        services.review_alert(
            actor=auditor, alert=alert, status=AlertStatus.REVIEWED, note="I was only testing."
        )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_a_force_auditor_cannot_review_another_forces_alert(cast):
    wil_auditor = UserFactory(
        username="wil.auditor", organisation=organisation("WIL"), roles=["auditor"]
    )
    alert = alert_about(cast("dp.lro"))
    with pytest.raises(ValidationError, match="outside what you oversee"):
        services.review_alert(
            actor=wil_auditor,
            alert=alert,
            status=AlertStatus.REFERRED,
            note="Referring this for a look.",
        )


def test_an_auditor_refers_an_alert_from_its_page(cast, signed_in):
    alert = alert_about(cast("dp.lro"))
    client = signed_in(cast("psd.auditor"))
    page = client.get(f"/audit/alerts/{alert.pk}/")
    assert page.status_code == 200
    assert alert.explanation in page.content.decode()
    response = client.post(
        f"/audit/alerts/{alert.pk}/",
        {"status": AlertStatus.REFERRED, "note": "Pattern matches a known concern."},
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.REFERRED
    assert alert not in Alert.objects.open()


# --- the auditors' pages ---------------------------------------------------------------------

AUDITOR_PAGES = ["/audit/", "/audit/alerts/", "/audit/declarations/"]


@pytest.mark.parametrize("path", AUDITOR_PAGES)
def test_auditor_pages_do_not_exist_for_anyone_else(cast, signed_in, path):
    assert signed_in(cast("dp.lro")).get(path).status_code == 404


@pytest.mark.parametrize("path", AUDITOR_PAGES)
def test_auditor_pages_open_for_an_auditor(cast, signed_in, path):
    assert signed_in(cast("psd.auditor")).get(path).status_code == 200


def test_the_alert_list_shows_open_alerts(cast, signed_in):
    alert = alert_about(cast("dp.lro"))
    page = signed_in(cast("psd.auditor")).get("/audit/alerts/").content.decode()
    assert alert.explanation in page


def test_an_auditor_finds_a_persons_entries_and_the_search_is_audited(cast, signed_in):
    lro = cast("dp.lro")
    audit.record(AuditAction.VIEW, actor=lro, object_type="threats.ocg", object_repr="OCG-DYP-7")
    auditor = cast("psd.auditor")
    response = signed_in(auditor).get("/audit/", {"person": "dp.lro"})
    page = response.content.decode()
    assert "OCG-DYP-7" in page
    assert "1 entry" in page
    searched = AuditEntry.objects.get(action=AuditAction.SEARCH, actor_id=auditor.pk)
    assert searched.object_type == "core.auditentry"
    assert searched.detail["filters"] == {"person": "dp.lro"}


def test_opening_the_audit_page_without_a_search_is_not_a_search(cast, signed_in):
    signed_in(cast("psd.auditor")).get("/audit/")
    assert not AuditEntry.objects.filter(action=AuditAction.SEARCH).exists()


def test_the_audit_search_exports_as_csv_and_the_export_is_audited(cast, signed_in):
    lro = cast("dp.lro")
    audit.record(AuditAction.VIEW, actor=lro, object_type="threats.ocg", object_repr="OCG-DYP-7")
    auditor = cast("psd.auditor")
    response = signed_in(auditor).get("/audit/", {"person": "dp.lro", "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Entry", "When (UTC)", "Person"]
    assert [row[2] for row in rows[1:]] == ["dp.lro"]
    assert "OCG-DYP-7" in rows[1]
    exported = AuditEntry.objects.get(action=AuditAction.EXPORT, actor_id=auditor.pk)
    assert exported.object_type == "core.auditentry"
    assert exported.detail == {"filters": {"person": "dp.lro"}, "format": "csv"}


@pytest.fixture
def two_forces_activity(cast):
    """One entry by a Wiltshire analyst and one by a Dyfed-Powys LRO."""
    for username, marker in (("wilts.analyst", "WIL-MARKER"), ("dp.lro", "DYP-MARKER")):
        audit.record(
            AuditAction.VIEW, actor=cast(username), object_type="threats.ocg", object_repr=marker
        )


def test_a_force_auditor_sees_only_their_forces_entries(two_forces_activity, signed_in):
    auditor = UserFactory(
        username="wil.auditor", organisation=organisation("WIL"), roles=["auditor"]
    )
    client = signed_in(auditor)
    assert "WIL-MARKER" in client.get("/audit/", {"person": "wilts.analyst"}).content.decode()
    page = client.get("/audit/", {"person": "dp.lro"}).content.decode()
    assert "DYP-MARKER" not in page
    assert "No audit entry matches." in page


def test_a_national_auditor_sees_every_forces_entries(two_forces_activity, cast, signed_in):
    client = signed_in(cast("psd.auditor"))
    page = client.get("/audit/", {"action": AuditAction.VIEW}).content.decode()
    assert "WIL-MARKER" in page
    assert "DYP-MARKER" in page


def test_a_force_auditor_sees_only_their_forces_alerts(cast, signed_in):
    auditor = UserFactory(
        username="wil.auditor", organisation=organisation("WIL"), roles=["auditor"]
    )
    ours = alert_about(cast("wilts.analyst"))
    theirs = alert_about(cast("dp.lro"))
    client = signed_in(auditor)
    page = client.get("/audit/alerts/").content.decode()
    assert ours.explanation in page
    assert theirs.explanation not in page
    assert client.get(f"/audit/alerts/{theirs.pk}/").status_code == 404


# --- declarations ----------------------------------------------------------------------------


def declare(client, **data):
    return client.post(
        "/declarations/",
        {"name": "Dylan Pritchard", "relationship": "relative", "date_of_birth": "", **data},
    )


def test_a_member_of_staff_declares_an_association(cast, signed_in):
    analyst = cast("dp.analyst")
    client = signed_in(analyst)
    response = declare(client)
    assert response.status_code == 302
    declared = DeclaredAssociation.objects.get()
    assert declared.person == analyst
    assert declared.normalised_name == "dylan pritchard"
    created = AuditEntry.objects.get(action=AuditAction.CREATE)
    assert created.object_type == "monitoring.declaredassociation"
    assert "Pritchard" not in created.object_repr  # the trail is widely searched


def test_the_declarant_sees_a_count_but_never_the_declared_name(cast, signed_in):
    client = signed_in(cast("dp.analyst"))
    page = client.get(declare(client)["Location"]).content.decode()
    assert "You have made 1 declaration." in page
    assert "Pritchard" not in page


def test_the_register_shows_declared_names_to_an_auditor(cast, signed_in):
    declare(signed_in(cast("dp.analyst")))
    page = signed_in(cast("psd.auditor")).get("/audit/declarations/").content.decode()
    assert "Dylan Pritchard" in page
    assert "dp.analyst (DYP)" in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "ab"}, "Enter the person&#x27;s full name."),
        ({"relationship": "cousin"}, "Select a valid choice."),
    ],
)
def test_a_declaration_with_bad_input_shows_an_error_and_records_nothing(
    cast, signed_in, data, error
):
    response = declare(signed_in(cast("dp.analyst")), **data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not DeclaredAssociation.objects.exists()


@pytest.mark.parametrize("kind", [AlertKind.BULK_VIEWING, AlertKind.ASSOCIATION_SEARCH])
def test_an_auditor_opens_every_kind_of_alert_whatever_its_evidence(
    cast, signed_in, django_capture_on_commit_callbacks, kind
):
    """The evidence of bulk-viewing and declared-association alerts has no path (a view, a
    search): the page showed 500 for them (issue 12, defect 1)."""
    person = cast("dp.analyst")
    set_rule(AlertKind.BULK_VIEWING, threshold=3, window_minutes=10)
    services.declare_association(actor=person, name="Dylan Pritchard", relationship="relative")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            view(person, i)
        search(person, "pritchard dylan")
    alert = alerts(kind, person).get()
    response = signed_in(cast("psd.auditor")).get(f"/audit/alerts/{alert.pk}/")
    assert response.status_code == 200
    assert alert.get_kind_display() in response.content.decode()
