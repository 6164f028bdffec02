"""The people, businesses and assets a report concerns as FollowTheMoney entities: every line
passes the FtM model, links are the FtM interval schemas, only what the reader may see goes,
the download is audited and closed to anyone who may not see the report."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone
from followthemoney import model
from followthemoney.exc import InvalidData

from concord.core.models import AuditAction, AuditEntry
from concord.intelligence import ftm, services
from concord.intelligence.models import IntelReport
from concord.threats import services as threat_services
from concord.threats.models import Entity, EntityLink, Nominal
from tests.factories import UserFactory, organisation

pytestmark = pytest.mark.django_db

CONDITIONS = "Not to be disclosed outside law enforcement; no action without consulting DYP."


def record(actor: Any, grading: services.Grading | None = None) -> IntelReport:
    return services.record_report(
        actor=actor,
        title="Firearms moved through Pembroke Dock",
        text="Two handguns moved by ferry on the 14th in a grey Transit.",
        information_date=timezone.localdate() - dt.timedelta(days=2),
        grading=grading or services.Grading("2", "B", "P"),
    )


def person(actor: Any, forenames: str, surname: str, **details: Any) -> Nominal:
    return threat_services.create_nominal(
        actor=actor,
        details=threat_services.NominalDetails(forenames=forenames, surname=surname, **details),
    )


def add(actor: Any, nominal: Nominal, kind: str, value: str, link: str, **details: str) -> Entity:
    return threat_services.add_entity(
        actor=actor, kind=kind, value=value, link_type=link, nominal=nominal, details=details
    )


def lines(response: Any) -> list[dict[str, Any]]:
    body = response.content.decode()
    assert body.endswith("\n")
    return [json.loads(line) for line in body.splitlines()]


def assert_valid_ftm(entities: list[dict[str, Any]]) -> None:
    """Each line is an FtM entity the model accepts as it stands (nothing unknown, nothing
    that cleaning would change or drop, nothing required missing), and every reference between
    them points to an exported entity of the schema the property expects."""
    by_id = {e["id"]: e for e in entities}
    assert len(by_id) == len(entities), "identifiers repeat"
    for data in entities:
        schema = model.get(data["schema"])
        assert schema is not None, data
        assert not schema.abstract, data
        assert set(data["properties"]) <= set(schema.properties), data
        assert schema.validate(data) is None
        assert all(data["properties"].get(name) for name in schema.required), data
        proxy = model.get_proxy(data, cleaned=False)
        assert proxy.to_dict() == data  # cleaning changes and drops nothing
        for prop in proxy.iterprops():
            if prop.type.name == "entity":
                for ref in proxy.get(prop):
                    target = model.get(by_id[ref]["schema"])
                    assert target is not None
                    assert prop.range is not None
                    assert target.is_a(prop.range), (data["id"], prop.name, ref)


@pytest.fixture
def world(cast):
    """A P-coded DYP report about two people and their businesses, vehicle, phones, email,
    address and bank account."""
    analyst = cast("dp.analyst")
    dai = person(
        analyst,
        "Dai",
        "Morgan",
        date_of_birth=dt.date(1988, 3, 4),
        gender="male",
        nationality="Welsh",
        aliases=["Dai Bach"],
    )
    other = person(analyst, "Rhian", "Price", nationality="Atlantean")
    entities = {
        "company": add(
            analyst,
            dai,
            "business",
            "Morgan Haulage Ltd",
            "director",
            company_number="1234567",
        ),
        "vehicle": add(
            analyst,
            dai,
            "vehicle",
            "ab12 cde",
            "owns",
            make="Ford",
            model="Transit",
            colour="grey",
            vin="WF0XXXTTGXAB12345",
        ),
        "phone": add(analyst, dai, "phone", "029 2018 0123", "uses"),
        "drama_phone": add(analyst, other, "phone", "07700 900123", "uses"),
        "email": add(analyst, dai, "email", "Dai.Morgan@Example.com", "uses"),
        "address": add(
            analyst,
            dai,
            "address",
            "12 Quay Street, Pembroke Dock, SA72 6JZ",
            "lives_at",
            line1="12 Quay Street",
            town="Pembroke Dock",
            postcode="sa72 6jz",
        ),
        "account": add(analyst, dai, "account", "1234 5678", "owns", sort_code="20-00-00"),
    }
    # Rhian works for Dai's company.
    EntityLink.objects.create(entity=entities["company"], nominal=other, link_type="employed")
    report = record(analyst)
    report.nominals.set([dai, other])
    report.entities.set(entities.values())
    return analyst, report, dai, other, entities


def test_the_export_is_valid_ftm_with_people_assets_and_links(client, world):
    analyst, report, dai, other, entities = world
    client.force_login(analyst)
    response = client.get(f"/intelligence/{report.reference}/ftm.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json+ftm"
    assert response["Content-Disposition"] == f'attachment; filename="{report.reference}.ftm.json"'
    exported = lines(response)
    assert_valid_ftm(exported)
    by_id = {e["id"]: e for e in exported}
    assert len(exported) == 2 + 7 + 8  # people, entities, links

    def props(record: Any) -> dict[str, list[str]]:
        key = ftm.nominal_id(record) if isinstance(record, Nominal) else ftm.entity_id(record)
        return by_id[key]["properties"]

    address_id = ftm.entity_id(entities["address"])
    assert by_id[ftm.nominal_id(dai)]["schema"] == "Person"
    assert props(dai) == {
        "name": ["Dai Morgan"],
        "firstName": ["Dai"],
        "lastName": ["Morgan"],
        "alias": ["Dai Bach"],
        "birthDate": ["1988-03-04"],
        "gender": ["male"],
        "nationality": ["gb-wls"],
        "phone": ["+442920180123"],
        "email": ["Dai.Morgan@example.com"],
        "addressEntity": [address_id],
    }
    # A nationality FtM has no country for is kept as recorded, not dropped or guessed.
    assert "nationality" not in props(other)
    assert props(other)["notes"] == ["Nationality as recorded: Atlantean"]
    # A drama-range number FtM does not accept as a phone stays on its account, in the notes.
    assert "phone" not in props(other)
    drama = props(entities["drama_phone"])
    assert drama["username"] == ["+447700900123"]
    assert drama["notes"] == ["Phone as recorded: +447700900123"]

    assert by_id[ftm.entity_id(entities["company"])]["schema"] == "Company"
    assert props(entities["company"])["registrationNumber"] == ["01234567"]
    assert props(entities["company"])["jurisdiction"] == ["gb"]
    vehicle = props(entities["vehicle"])
    assert (vehicle["registrationNumber"], vehicle["model"]) == (["AB12CDE"], ["Ford Transit"])
    assert vehicle["description"] == ["Colour: grey. VIN: WF0XXXTTGXAB12345"]
    address = props(entities["address"])
    assert by_id[address_id]["schema"] == "Address"
    assert (address["postalCode"], address["city"]) == (["SA72 6JZ"], ["Pembroke Dock"])
    account = props(entities["account"])
    assert by_id[ftm.entity_id(entities["account"])]["schema"] == "BankAccount"
    assert (account["accountNumber"], account["description"]) == (
        ["12345678"],
        ["UK sort code 20-00-00"],
    )
    assert props(entities["phone"])["phone"] == ["+442920180123"]

    links = {
        (e["schema"], *(e["properties"].get(p, [""])[0] for p in ends))
        for e in exported
        for ends in (
            ("owner", "asset"),
            ("director", "organization"),
            ("employee", "employer"),
            ("subject", "object"),
        )
        if all(p in e["properties"] for p in ends)
    }
    d, r = ftm.nominal_id(dai), ftm.nominal_id(other)
    e = {name: ftm.entity_id(entity) for name, entity in entities.items()}
    assert links == {
        ("Directorship", d, e["company"]),
        ("Ownership", d, e["vehicle"]),
        ("Ownership", d, e["account"]),
        ("UnknownLink", d, e["phone"]),
        ("UnknownLink", d, e["email"]),
        ("UnknownLink", d, e["address"]),
        ("UnknownLink", r, e["drama_phone"]),
        ("Employment", r, e["company"]),
    }
    # The same report exported again gives the same entities.
    again = lines(client.get(f"/intelligence/{report.reference}/ftm.json"))
    assert again == exported


def test_the_download_is_audited(client, world):
    analyst, report, *_ = world
    client.force_login(analyst)
    downloads = AuditEntry.objects.filter(
        action=AuditAction.DOWNLOAD, object_type="intelligence.intelreport"
    )
    assert not downloads.exists()
    assert client.get(f"/intelligence/{report.reference}/ftm.json").status_code == 200
    entry = downloads.get()
    assert (entry.object_id, entry.actor_id, entry.detail) == (
        str(report.pk),
        analyst.pk,
        {"format": "ftm"},
    )


def test_what_the_reader_may_not_see_is_left_out(client, cast, world):
    analyst, report, dai, _other, entities = world
    gmp = cast("gmp.sio")
    hidden = person(gmp, "Zebedee", "Quillfeather")
    hidden_phone = add(gmp, hidden, "phone", "029 2018 0999", "uses")
    # A link from the hidden person to a phone the reader does see.
    EntityLink.objects.create(entity=entities["phone"], nominal=hidden, link_type="uses")
    report.nominals.add(hidden)
    report.entities.add(hidden_phone)
    assert not Nominal.objects.visible_to(analyst).filter(pk=hidden.pk).exists()
    assert not Entity.objects.visible_to(analyst).filter(pk=hidden_phone.pk).exists()
    client.force_login(analyst)
    response = client.get(f"/intelligence/{report.reference}/ftm.json")
    exported = lines(response)
    assert_valid_ftm(exported)
    text = response.content.decode()
    for secret in ("Quillfeather", "+442920180999", ftm.nominal_id(hidden)):
        assert secret not in text
    assert ftm.entity_id(hidden_phone) not in text
    assert ftm.nominal_id(dai) in text
    assert len(exported) == 2 + 7 + 8  # as without them: their link to the phone is left out
    # Someone who may see them gets them (the report shared with GMP for the purpose).
    services.release(actor=analyst, report=report)
    services.disseminate(
        actor=analyst, report=report, to=[organisation("GMP")], purpose="Cross-border firearms"
    )
    client.force_login(gmp)
    theirs = client.get(
        f"/intelligence/{report.reference}/ftm.json",
        headers={"X-Access-Reason": "Cross-border firearms supply into Manchester"},
    )
    assert theirs.status_code == 200
    ids = {e["id"] for e in lines(theirs)}
    assert {ftm.nominal_id(hidden), ftm.entity_id(hidden_phone)} <= ids
    assert ftm.nominal_id(dai) not in ids  # DYP's people are DYP's


def test_a_person_who_may_not_see_the_report_gets_404(client, cast, world):
    _analyst, report, *_ = world
    outsider = cast("gmp.sio")
    client.force_login(outsider)
    response = client.get(f"/intelligence/{report.reference}/ftm.json")
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.DOWNLOAD, actor_id=outsider.pk).exists()


def test_a_c_coded_report_waits_for_its_conditions(client, cast, world):
    analyst, _report, dai, *_ = world
    approver = UserFactory(username="dp.sro", organisation=organisation("DYP"), roles=["sro"])
    report = record(analyst, services.Grading("2", "B", "C", CONDITIONS))
    report.nominals.set([dai])
    services.release(actor=analyst, report=report)
    services.approve_release(actor=approver, report=report)
    services.disseminate(
        actor=analyst, report=report, to=[organisation("WIL")], purpose="Cross-border supply"
    )
    wilts = cast("wilts.analyst")
    client.force_login(wilts)
    reason = {"X-Access-Reason": "Cross-border firearms supply into Wiltshire"}
    url = f"/intelligence/{report.reference}/ftm.json"
    closed = client.get(url, headers=reason)
    assert (closed.status_code, closed["Location"]) == (302, f"/intelligence/{report.reference}/")
    services.accept_conditions(actor=wilts, report=report)
    opened = client.get(url, headers=reason)
    assert opened.status_code == 200
    assert opened["Content-Type"] == "application/json+ftm"


def test_the_report_page_offers_the_download(client, world):
    analyst, report, *_ = world
    client.force_login(analyst)
    page = client.get(f"/intelligence/{report.reference}/").content.decode()
    assert f'href="/intelligence/{report.reference}/ftm.json"' in page
    assert "Download as FollowTheMoney" in page


def test_the_mapping_refuses_what_ftm_does_not_define(world):
    _analyst, _report, dai, *_ = world
    proxy = ftm.person(dai)
    with pytest.raises(InvalidData):
        ftm._put(proxy, "shoeSize", "10")
    nameless = model.make_entity("Person")
    nameless.id = "concord-nominal-NOM-X"
    with pytest.raises(InvalidData):
        ftm.check(nameless)
    # Links are exported only between what is passed: a person alone has no intervals.
    assert [p.schema.name for p in ftm.export([dai], [], EntityLink.objects.all())] == ["Person"]
