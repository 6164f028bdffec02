"""Mapping OCGs, opening them with a reason, sharing, searching; all audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.core.models import AuditEntry
from concord.threats import services
from concord.threats.models import Nominal, Ocg, OcgMember
from tests.access.registry import make_ocg

pytestmark = pytest.mark.django_db


def details(**extra):
    base = {
        "name": "Operation Bramble",
        "criminality": ["illegal-drugs", "illegal-firearms"],
        "force_areas": ["DYP", "SWP"],
    }
    base.update(extra)
    return services.OcgDetails(**base)


def test_mapping_an_ocg_gives_it_a_reference_owner_and_audit_entry(cast):
    analyst = cast("dp.analyst")
    ocg = services.map_ocg(
        actor=analyst,
        details=details(
            members=[
                services.MemberDetails(
                    nominal=services.NominalDetails("Rhodri", "Jenkins"), role="principal"
                ),
                services.MemberDetails(
                    nominal=services.NominalDetails("Siân", "Bowen"), role="peripheral"
                ),
            ]
        ),
    )
    assert ocg.reference == "OCG-DYP-000001"
    assert ocg.owner.code == "DYP"
    assert set(ocg.criminality_types.values_list("code", flat=True)) == {
        "illegal-drugs",
        "illegal-firearms",
    }
    assert OcgMember.objects.filter(ocg=ocg).count() == 2
    assert Nominal.objects.get(surname="Bowen").name_key == "sian bowen"
    entry = AuditEntry.objects.get(action="create", object_type="threats.ocg")
    assert entry.actor_username == "dp.analyst"
    assert entry.owner_code == "DYP"
    assert entry.changes["members"][0] is None
    assert entry.changes["members"][1][0].startswith("NOM-DYP-")
    second = services.map_ocg(actor=analyst, details=details(name="Operation Cinder"))
    assert second.reference == "OCG-DYP-000002"


def test_bad_input_names_the_field_and_maps_nothing(cast):
    analyst = cast("dp.analyst")
    with pytest.raises(ValidationError) as exc:
        services.map_ocg(actor=analyst, details=details(criminality=["gangs"]))
    assert "criminality" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.map_ocg(actor=analyst, details=details(force_areas=["NCA"]))
    assert "force_areas" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.map_ocg(actor=analyst, details=details(classification="TOP SECRET"))
    assert "TOP SECRET" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.map_ocg(actor=analyst, details=details(classification="SECRET"))
    assert "above your own vetting" in str(exc.value)
    assert not Ocg.objects.exists()
    assert not Nominal.objects.exists()


def test_a_bad_member_rolls_back_the_whole_mapping(cast):
    with pytest.raises(ValidationError):
        services.map_ocg(
            actor=cast("dp.analyst"),
            details=details(
                members=[
                    services.MemberDetails(nominal=services.NominalDetails("Ok", "Person")),
                    services.MemberDetails(
                        nominal=services.NominalDetails("Bad", "Role"), role="boss"
                    ),
                ]
            ),
        )
    assert not Ocg.objects.exists()
    assert not Nominal.objects.exists()


def test_partners_and_auditors_cannot_map(cast):
    for name in ("bf.partner", "psd.auditor"):
        with pytest.raises(PermissionDenied):
            services.map_ocg(actor=cast(name), details=details())


def test_archiving_needs_a_reason_and_is_audited(cast):
    analyst = cast("dp.analyst")
    ocg = services.map_ocg(actor=analyst, details=details())
    with pytest.raises(ValidationError):
        services.archive(actor=analyst, item=ocg, reason="done")
    services.archive(actor=analyst, item=ocg, reason="Principals convicted and jailed")
    ocg.refresh_from_db()
    assert ocg.status == "archived"
    change = AuditEntry.objects.filter(action="update", object_id=str(ocg.pk)).latest("id")
    assert change.changes["status"] == ["active", "archived"]


def test_another_region_cannot_change_an_ocg_it_sees(cast):
    ocg = services.map_ocg(actor=cast("dp.analyst"), details=details())
    with pytest.raises(PermissionDenied):
        services.archive(actor=cast("tarian.sio"), item=ocg, reason="Not theirs to archive")


def test_the_owner_opens_an_ocg_without_a_reason_and_the_view_is_audited(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("dp.lro"))
    page = client.get(f"/ocgs/{ocg.reference}/")
    assert page.status_code == 200
    assert "Quentin Xylander" in page.content.decode()
    assert "OFFICIAL" in page.content.decode()
    assert (
        AuditEntry.objects.filter(
            action="view", actor_username="dp.lro", object_id=str(ocg.pk)
        ).count()
        == 1
    )


def test_the_region_is_asked_a_reason_first_and_it_is_audited(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("tarian.sio"))
    first = client.get(f"/ocgs/{ocg.reference}/")
    assert first.status_code == 302
    ask = first["Location"]
    assert ask.startswith("/access-reason/")
    assert not AuditEntry.objects.filter(action="view").exists()
    form = client.get(ask)
    assert "your unit covers the owner" in form.content.decode()
    short = client.post(ask, {"reason": "curious"})
    assert "at least 10 characters" in short.content.decode()
    done = client.post(ask, {"reason": "Linked to Operation Tarian 22/117 supply chain"})
    assert done["Location"] == f"/ocgs/{ocg.reference}/"
    assert client.get(done["Location"]).status_code == 200
    view = AuditEntry.objects.get(action="view", actor_username="tarian.sio")
    assert view.reason == "Linked to Operation Tarian 22/117 supply chain"
    assert AuditEntry.objects.filter(action="reason", actor_username="tarian.sio").exists()


def test_the_api_asks_for_a_reason_header(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("nca.tasking"))
    refused = client.get(f"/api/v1/ocgs/{ocg.reference}")
    assert refused.status_code == 428
    assert "X-Access-Reason" in refused.json()["detail"]
    ok = client.get(
        f"/api/v1/ocgs/{ocg.reference}",
        HTTP_X_ACCESS_REASON="National tasking review of county lines",
    )
    assert ok.status_code == 200
    assert ok.json()["members"][0]["name"] == "Quentin Xylander"


def test_the_reason_page_is_404_for_a_record_one_cannot_see(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("gmp.lro"))
    response = client.get("/access-reason/", {"record": f"threats.ocg:{ocg.pk}", "next": "/"})
    assert response.status_code == 404
    assert ocg.reference not in response.content.decode()


def test_the_owner_shares_through_the_page(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("dp.analyst"))
    response = client.post(
        f"/ocgs/{ocg.reference}/share/",
        {"organisation": "WIL", "purpose": "County lines into Swindon"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="share")
    assert entry.detail["to_organisation"] == "WIL"
    client.force_login(cast("wilts.analyst"))
    assert client.get(f"/ocgs/{ocg.reference}/").status_code == 302  # reason first


def test_someone_who_only_sees_it_cannot_share_it(client, cast):
    ocg = make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("tarian.sio"))
    response = client.post(
        f"/ocgs/{ocg.reference}/share/",
        {"organisation": "WIL", "purpose": "Passing it on"},
        HTTP_X_ACCESS_REASON="x" * 20,
    )
    assert response.status_code == 404


def test_a_search_is_audited_with_its_terms(client, cast):
    make_ocg("DYP", "OFFICIAL", False)
    client.force_login(cast("dp.analyst"))
    page = client.get("/search/", {"q": "xylander"}).content.decode()
    assert "Quentin Xylander" in page
    entry = AuditEntry.objects.filter(action="search").latest("id")
    assert entry.detail["query"] == "xylander"
    assert entry.detail["nominals"] == 1


def test_the_list_page_query_count_does_not_grow_with_rows(client, cast):
    client.force_login(cast("dp.analyst"))
    make_ocg("DYP", "OFFICIAL", False)
    client.get("/ocgs/")
    with CaptureQueriesContext(connection) as few:
        client.get("/ocgs/")
    for _ in range(15):
        make_ocg("DYP", "OFFICIAL", False)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/ocgs/")
    assert response.content.decode().count("/ocgs/OCG-DYP-") == 16
    assert len(many) == len(few)


def test_the_map_form_creates_an_ocg_with_members(client, cast):
    client.force_login(cast("dp.analyst"))
    response = client.post(
        "/ocgs/new/",
        {
            "name": "Operation Heron",
            "criminality": ["fraud"],
            "force_areas": ["DYP"],
            "classification": "OFFICIAL",
            "members-TOTAL_FORMS": "2",
            "members-INITIAL_FORMS": "0",
            "members-0-forenames": "Gethin",
            "members-0-surname": "Lloyd",
            "members-0-role": "principal",
            "members-1-forenames": "",
            "members-1-surname": "",
            "members-1-role": "peripheral",
        },
    )
    assert response.status_code == 302
    ocg = Ocg.objects.get(name="Operation Heron")
    assert [m.nominal.surname for m in ocg.members.all()] == ["Lloyd"]


def test_the_map_form_names_a_missing_field(client, cast):
    client.force_login(cast("dp.analyst"))
    response = client.post(
        "/ocgs/new/",
        {
            "name": "",
            "classification": "OFFICIAL",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Name or operation name" in page
    assert not Ocg.objects.exists()


def test_identifiers_are_kept_as_entered_and_canonical_and_found_by_search(client, cast):
    analyst = cast("dp.analyst")
    ocg = services.map_ocg(
        actor=analyst,
        details=details(
            members=[
                services.MemberDetails(
                    nominal=services.NominalDetails("Rhodri", "Jenkins"),
                    identifiers=[("phone", "07700 900123"), ("vehicle", "ab12 cde")],
                ),
            ]
        ),
    )
    nominal = ocg.members.get().nominal
    phones = {
        e.kind: (e.value, e.canonical)
        for e in [link.entity for link in nominal.entity_links.select_related("entity")]
    }
    assert phones["phone"] == ("07700 900123", "+447700900123")
    assert phones["vehicle"] == ("ab12 cde", "AB12CDE")
    client.force_login(analyst)
    page = client.get("/search/", {"q": "+44 (0)7700 900123"}).content.decode()
    assert "+447700900123" in page
    assert "Rhodri Jenkins" in page


def test_the_same_identifier_twice_is_one_entity_with_two_links(cast):
    analyst = cast("dp.analyst")
    first = services.map_ocg(
        actor=analyst,
        details=details(
            members=[
                services.MemberDetails(
                    nominal=services.NominalDetails("A", "One"),
                    identifiers=[("phone", "07700 900123")],
                )
            ]
        ),
    )
    second = services.map_ocg(
        actor=analyst,
        details=details(
            name="Operation Two",
            members=[
                services.MemberDetails(
                    nominal=services.NominalDetails("B", "Two"),
                    identifiers=[("phone", "+447700900123")],
                )
            ],
        ),
    )
    from concord.threats.models import Entity

    entity = Entity.objects.get()
    assert entity.links.count() == 2
    assert {first.reference, second.reference}


def test_a_bad_identifier_names_the_member_and_maps_nothing(cast):
    with pytest.raises(ValidationError, match="Member 1: 'ZZ' is not a phone number"):
        services.map_ocg(
            actor=cast("dp.analyst"),
            details=details(
                members=[
                    services.MemberDetails(
                        nominal=services.NominalDetails("A", "One"), identifiers=[("phone", "ZZ")]
                    )
                ]
            ),
        )
    assert not Ocg.objects.exists()


def test_members_of_a_sensitive_group_are_sensitive_too(cast):
    ocg = services.map_ocg(
        actor=cast("dp.analyst"),
        details=details(
            sensitive=True,
            members=[services.MemberDetails(nominal=services.NominalDetails("Hidden", "Person"))],
        ),
    )
    assert ocg.members.get().nominal.sensitive
    assert not Nominal.objects.visible_to(cast("tarian.sio")).exists()
