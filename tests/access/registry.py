"""Sensitive record types, registered for the access matrix: how to make one, where it shows.

A new record type joins the matrix by adding a RecordType here; every persona and surface is
then checked for it. The matrix test also fails if a ProtectedRecord subclass is not registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from concord.deconfliction.models import Operation
from concord.intelligence.models import IntelReport
from concord.ownership.models import TaskingRequest
from concord.threats import services as threat_services
from concord.threats.models import Entity, Nominal, Ocg, PriorityIndividual, Vulnerability
from tests.factories import organisation, persona


@dataclass(frozen=True)
class RecordType:
    model: type
    # make(owner_code, classification, sensitive) -> record
    make: Callable[[str, str, bool], Any]
    # Text that identifies the record wherever it is listed.
    label: Callable[[Any], str]
    page: Callable[[Any], str] | None = None
    api: Callable[[Any], str] | None = None
    # Lists and searches: URLs whose content must never include the label for outsiders.
    listings: Callable[[Any], list[str]] = field(default=lambda obj: [])
    # API lists whose "count" must not change when the record is made.
    counted: list[str] = field(default_factory=list)


def _mapper(owner_code: str) -> Any:
    """A person of the owning organisation who may map records there."""
    return persona("dp.analyst") if owner_code == "DYP" else persona("gmp.sio")


def make_ocg(owner_code: str, classification: str, sensitive: bool) -> Ocg:
    actor = _mapper(owner_code)
    if classification == "SECRET":
        actor.vetting_level = "SC"
        actor.save()
        from concord.core import policy

        policy.forget(actor)
    return threat_services.map_ocg(
        actor=actor,
        details=threat_services.OcgDetails(
            name="Zephyrine Quarry Crew",
            criminality=["illegal-drugs"],
            force_areas=[owner_code],
            classification=classification,
            sensitive=sensitive,
            members=[
                threat_services.MemberDetails(
                    nominal=threat_services.NominalDetails(forenames="Quentin", surname="Xylander"),
                    role="principal",
                )
            ],
        ),
    )


def make_nominal(owner_code: str, classification: str, sensitive: bool) -> Nominal:
    actor = _mapper(owner_code)
    if classification == "SECRET":
        actor.vetting_level = "SC"
        actor.save()
    return threat_services.create_nominal(
        actor=actor,
        owner=organisation(owner_code),
        classification=classification,
        sensitive=sensitive,
        details=threat_services.NominalDetails(forenames="Quentin", surname="Xylander"),
    )


def make_entity(owner_code: str, classification: str, sensitive: bool) -> Entity:
    ocg = make_ocg(owner_code, classification, sensitive)
    nominal = ocg.members.get().nominal
    return threat_services.add_entity(
        actor=_mapper(owner_code),
        kind="phone",
        value="07700 900999",
        link_type="uses",
        nominal=nominal,
    )


def make_pi(owner_code: str, classification: str, sensitive: bool) -> PriorityIndividual:
    ocg = make_ocg(owner_code, classification, sensitive)
    return threat_services.designate_priority_individual(
        actor=_mapper(owner_code),
        nominal_reference=ocg.members.get().nominal.reference,
        ocgs=[ocg.reference],
        summary="Controls supply of class A drugs across the region",
        classification=classification,
        sensitive=sensitive,
    )


def make_vulnerability(owner_code: str, classification: str, sensitive: bool) -> Vulnerability:
    actor = _mapper(owner_code)
    if classification == "SECRET":
        actor.vetting_level = "SC"
        actor.save()
        from concord.core import policy

        policy.forget(actor)
    return threat_services.record_vulnerability(
        actor=actor,
        details=threat_services.VulnerabilityDetails(
            kind="place",
            name="Zephyrine Court cuckooed flats",
            force_areas=[owner_code],
            classification=classification,
            sensitive=sensitive,
        ),
    )


def make_tasking(owner_code: str, classification: str, sensitive: bool) -> Any:
    """A tasking request from the owner to its region's ROCU."""
    import datetime as dt

    from concord.ownership import tasking

    actor = _mapper(owner_code)
    if classification == "SECRET":
        actor.vetting_level = "SC"
        actor.save()
        from concord.core import policy

        policy.forget(actor)
    rocu = "TARIAN" if owner_code == "DYP" else "NWROCU"
    made = tasking.request_tasking(
        actor=actor,
        to_organisation=organisation(rocu),
        capability="Zephyrine covert surveillance",
        asked="Two weeks of mobile surveillance",
        reason="Supply route into the region",
        respond_by=dt.date.today() + dt.timedelta(days=7),
        classification=classification,
        sensitive=sensitive,
    )
    # The receiving ROCU sees the request through a share (tests/ownership checks that); here
    # the matrix checks the record's own marking, so the share is taken away.
    from django.utils import timezone

    from concord.core.models import Share

    Share.objects.filter(object_id=made.pk, to_organisation__code=rocu).update(
        revoked_at=timezone.now()
    )
    return made


def make_report(owner_code: str, classification: str, sensitive: bool) -> Any:
    """A released intelligence report (P-coded, so no conditions stand before its content)."""
    import datetime as dt

    from concord.intelligence import services as intelligence

    actor = _mapper(owner_code)
    if classification == "SECRET":
        actor.vetting_level = "SC"
        actor.save()
        from concord.core import policy

        policy.forget(actor)
    report = intelligence.record_report(
        actor=actor,
        title="Zephyrine supply route",
        text="Cash couriers use the M4 services on Fridays.",
        information_date=dt.date.today(),
        grading=intelligence.Grading("1", "B", "P"),
        classification=classification,
        sensitive=sensitive,
    )
    report.status = "released"
    report.save(update_fields=["status"])
    return report


def make_operation(owner_code: str, classification: str, sensitive: bool) -> Any:
    """A deconfliction operation, registered as its owner registers one."""
    import datetime as dt

    from django.utils import timezone

    from concord.deconfliction import services as deconfliction

    actor = _mapper(owner_code)
    if classification == "SECRET":
        actor.vetting_level = "SC"
        actor.save()
        from concord.core import policy

        policy.forget(actor)
    return deconfliction.register_operation(
        actor=actor,
        details=deconfliction.OperationDetails(
            name="Operation Zephyrine Wharf",
            contact_name="Zephyrine duty desk",
            starts=timezone.localdate() - dt.timedelta(days=1),
            classification=classification,
            sensitive=sensitive,
        ),
    )


RECORD_TYPES: dict[str, RecordType] = {
    "ocg": RecordType(
        model=Ocg,
        make=make_ocg,
        label=lambda o: o.reference,
        page=lambda o: f"/ocgs/{o.reference}/",
        api=lambda o: f"/api/v1/ocgs/{o.reference}",
        listings=lambda o: [
            "/ocgs/",
            "/ocgs/?q=Zephyrine",
            "/search/?q=Zephyrine",
            "/search/?q=Zephyrine&kind=ocg",
            "/api/v1/search?q=Zephyrine",
            "/ocgs/?export=csv",
            "/ocgs/?export=xlsx",
            "/api/v1/ocgs?limit=1000",
            "/priorities/",
            "/priorities/?export=csv",
            "/priorities/?export=xlsx",
        ],
        counted=["/api/v1/ocgs"],
    ),
    "entity": RecordType(
        model=Entity,
        make=make_entity,
        label=lambda e: e.canonical,
        listings=lambda e: [
            "/search/?q=07700+900999",
            "/search/?q=0044+7700+900999",
            "/search/?q=07700+900999&kind=identifier",
            "/api/v1/search?q=07700+900999",
        ],
    ),
    "nominal": RecordType(
        model=Nominal,
        make=make_nominal,
        label=lambda n: n.reference,
        page=lambda n: f"/nominals/{n.reference}/",
        listings=lambda n: [
            "/search/?q=Xylander",
            "/search/?q=Quentin+Xylander",
            "/search/?q=Xylander&kind=nominal",
            "/api/v1/search?q=Xylander",
        ],
    ),
    "pi": RecordType(
        model=PriorityIndividual,
        make=make_pi,
        label=lambda p: p.reference,
        page=lambda p: f"/pis/{p.reference}/",
        api=lambda p: f"/api/v1/pis/{p.reference}",
        listings=lambda p: [
            "/pis/",
            "/pis/?q=Xylander",
            "/search/?q=Xylander",
            "/api/v1/search?q=Xylander&kind=pi",
            "/pis/?export=csv",
            "/pis/?export=xlsx",
            "/api/v1/pis?limit=1000",
            "/priorities/",
            "/priorities/?kind=pi",
            "/priorities/?export=csv",
            f"/assessments/pi/{p.reference}/",
        ],
        counted=["/api/v1/pis"],
    ),
    "vulnerability": RecordType(
        model=Vulnerability,
        make=make_vulnerability,
        label=lambda v: v.reference,
        page=lambda v: f"/vulnerabilities/{v.reference}/",
        api=lambda v: f"/api/v1/vulnerabilities/{v.reference}",
        listings=lambda v: [
            "/vulnerabilities/",
            "/vulnerabilities/?q=Zephyrine",
            "/search/?q=Zephyrine",
            "/api/v1/search?q=Zephyrine",
            "/vulnerabilities/?export=csv",
            "/api/v1/vulnerabilities?limit=1000",
            "/priorities/",
            "/priorities/?export=csv",
        ],
        counted=["/api/v1/vulnerabilities"],
    ),
    "tasking": RecordType(
        model=TaskingRequest,
        make=make_tasking,
        label=lambda t: t.reference,
        page=lambda t: f"/tasking/{t.reference}/",
        api=lambda t: f"/api/v1/tasking/{t.reference}",
        listings=lambda t: [
            "/tasking/",
            "/search/?q=Zephyrine",
            "/search/?q=Zephyrine&kind=tasking",
            "/api/v1/search?q=Zephyrine",
            "/tasking/?export=csv",
            "/tasking/?export=xlsx",
            "/api/v1/tasking?limit=1000",
        ],
        counted=["/api/v1/tasking"],
    ),
    "report": RecordType(
        model=IntelReport,
        make=make_report,
        label=lambda r: r.reference,
        page=lambda r: f"/intelligence/{r.reference}/",
        api=lambda r: f"/api/v1/intelligence/{r.reference}",
        listings=lambda r: [
            "/intelligence/",
            "/search/?q=Zephyrine",
            "/search/?q=Zephyrine&kind=report",
            "/api/v1/search?q=Zephyrine",
            "/intelligence/?export=csv",
            "/intelligence/?export=xlsx",
            "/api/v1/intelligence?limit=1000",
            f"/intelligence/{r.reference}/stix.json",
            f"/intelligence/{r.reference}/ftm.json",
        ],
        counted=["/api/v1/intelligence"],
    ),
    "operation": RecordType(
        model=Operation,
        make=make_operation,
        label=lambda o: o.name,
        page=lambda o: f"/deconfliction/{o.pk}/",
        api=lambda o: f"/api/v1/deconfliction/operations/{o.pk}",
        listings=lambda o: [
            "/deconfliction/",
            "/deconfliction/?export=csv",
            "/deconfliction/?export=xlsx",
            "/api/v1/deconfliction/operations?limit=1000",
        ],
        counted=["/api/v1/deconfliction/operations"],
    ),
}
