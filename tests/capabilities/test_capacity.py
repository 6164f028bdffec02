"""Units, posts, funding streams and needs: who sees them, who keeps them, and bad input refused
by name with nothing changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from concord.capabilities import demand, services
from concord.capabilities.choices import CatalogueStatus, DemandSource, FundingKind
from concord.capabilities.models import (
    BandNeed,
    Capability,
    Catalogue,
    Demand,
    FundingStream,
    Post,
    PostFunding,
    Unit,
)
from concord.core.models import AuditEntry
from tests.access.registry import make_ocg
from tests.factories import organisation

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def post_details(**overrides):
    values = {
        "reference": "TSU-001",
        "role": "Technical surveillance officer",
        "fte": "1",
        "hours": "40",
        "vetting": "DV",
        "starts": dt.date(2025, 4, 1),
        "ends": dt.date(2027, 3, 31),
        "training_pct": "5",
        "leave_pct": "12",
    }
    values.update(overrides)
    return services.PostDetails(**values)


def grant(actor, org, code="tsu-grant", ends=dt.date(2027, 3, 31), **kw):
    return services.save_stream(
        actor=actor,
        organisation=org,
        details=services.StreamDetails(
            code=code,
            name="Home Office ROCU uplift",
            kind=FundingKind.HOME_OFFICE_GRANT,
            starts=dt.date(2024, 4, 1),
            ends=ends,
        ),
        years={2024: "250000", 2025: "250000", 2026: "240000"},
        **kw,
    )


@pytest.fixture
def tarian(cast):
    chair = cast("tarian.chair")
    org = organisation("TARIAN")
    tsu = services.save_unit(
        actor=chair,
        organisation=org,
        capability=services.capability("technical-surveillance"),
        name="Tarian technical support unit",
    )
    stream = grant(chair, org)
    return chair, org, tsu, stream


class TestCatalogue:
    def test_the_shipped_catalogue_is_published_with_the_rocu_capabilities(self):
        current = Catalogue.objects.get(status=CatalogueStatus.PUBLISHED)
        codes = set(current.capabilities.values_list("code", flat=True))
        assert {
            "regional-intelligence",
            "asset-recovery",
            "gain",
            "digital-forensics",
            "undercover",
            "specialist-surveillance",
            "technical-surveillance",
            "rocta",
            "economic-crime",
        } <= codes
        surveillance = current.capabilities.get(code="specialist-surveillance")
        assert surveillance.unit == "teams"
        assert surveillance.team_size == 8
        assert "pursue" in surveillance.strands
        assert BandNeed.objects.filter(band="1A", capability=surveillance).exists()

    def test_an_unknown_capability_is_refused_by_name(self):
        with pytest.raises(ValidationError) as error:
            services.capability("XYZ")
        assert "capability" in error.value.message_dict
        assert "XYZ" in error.value.message_dict["capability"][0]

    def test_publishing_a_version_moves_units_across_by_code(self, tarian, cast):
        _chair, _org, tsu, _stream = tarian
        admin = cast("admin")
        draft = Catalogue.objects.create(version=2)
        for old in Capability.objects.current():
            code = "technical-deployment" if old.code == "technical-surveillance" else old.code
            Capability.objects.create(
                catalogue=draft, code=code, name=old.name, level=old.level, unit=old.unit
            )
        with pytest.raises(ValidationError) as error:
            services.publish_catalogue(actor=admin, catalogue=draft)
        assert "technical-surveillance" in str(error.value)
        draft.refresh_from_db()
        assert draft.status == CatalogueStatus.DRAFT
        services.publish_catalogue(
            actor=admin,
            catalogue=draft,
            renamed={"technical-surveillance": "technical-deployment"},
        )
        tsu.refresh_from_db()
        assert tsu.capability.catalogue == draft
        assert tsu.capability.code == "technical-deployment"
        assert Catalogue.objects.get(version=1).status == CatalogueStatus.RETIRED

    def test_only_a_national_administrator_publishes(self, cast):
        draft = Catalogue.objects.create(version=2)
        with pytest.raises(PermissionDenied):
            services.publish_catalogue(actor=cast("tarian.chair"), catalogue=draft)


class TestPosts:
    def test_a_post_brings_its_hours_less_abstraction_while_it_exists(self, tarian):
        chair, _org, tsu, stream = tarian
        post = services.save_post(
            actor=chair, unit=tsu, details=post_details(), funding=[(stream, "1")]
        )
        assert post.available_hours(TODAY) == Decimal("33.2")  # 40 x (1 - 0.17)
        assert post.available_hours(dt.date(2027, 4, 1)) == 0
        assert post.fixed_term
        entry = AuditEntry.objects.filter(object_type="capabilities.post").get()
        assert entry.changes["funding"][1] == {"tsu-grant": "1"}

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"hours": "-5"}, "hours"),
            ({"hours": "NaN"}, "hours"),
            ({"hours": "many"}, "hours"),
            ({"fte": "1.5"}, "fte"),
            ({"vetting": "TOP"}, "vetting"),
            ({"ends": dt.date(2024, 1, 1)}, "ends"),
            ({"training_pct": "60", "leave_pct": "45"}, "leave_pct"),
            ({"role": "x" * 121}, "role"),
            ({"starts": None}, "starts"),
        ],
    )
    def test_bad_details_are_refused_by_field_and_change_nothing(self, tarian, overrides, field):
        chair, _org, tsu, stream = tarian
        before = AuditEntry.objects.count()
        with pytest.raises(ValidationError) as error:
            services.save_post(
                actor=chair, unit=tsu, details=post_details(**overrides), funding=[(stream, "1")]
            )
        assert field in error.value.message_dict
        assert not Post.objects.exists()
        assert not PostFunding.objects.exists()
        assert AuditEntry.objects.count() == before

    def test_a_post_funded_130_percent_is_refused(self, tarian):
        chair, org, tsu, stream = tarian
        other = grant(chair, org, code="force-contributions-top-up")
        with pytest.raises(ValidationError) as error:
            services.save_post(
                actor=chair,
                unit=tsu,
                details=post_details(),
                funding=[(stream, "0.8"), (other, "0.5")],
            )
        assert "130%" in error.value.message_dict["funding"][0]
        assert not Post.objects.exists()

    def test_a_share_of_another_organisations_stream_is_refused(self, tarian, cast):
        chair, _org, tsu, _stream = tarian
        theirs = grant(cast("nwrocu.chair"), organisation("NWROCU"), code="nw-grant")
        with pytest.raises(ValidationError) as error:
            services.save_post(
                actor=chair, unit=tsu, details=post_details(), funding=[(theirs, "1")]
            )
        assert "funding[0].stream" in error.value.message_dict

    def test_only_the_organisations_business_leads_keep_its_posts(self, tarian, cast):
        _chair, _org, tsu, _stream = tarian
        for username in ("tarian.sio", "nwrocu.chair", "dp.lro", "bf.partner"):
            with pytest.raises(PermissionDenied):
                services.save_post(actor=cast(username), unit=tsu, details=post_details())
        assert not Post.objects.exists()


class TestFunding:
    def test_force_contributions_share_by_their_weights(self, cast):
        chair = cast("tarian.chair")
        stream = services.save_stream(
            actor=chair,
            organisation=organisation("TARIAN"),
            details=services.StreamDetails(
                code="contributions",
                name="Force contributions",
                kind=FundingKind.FORCE_CONTRIBUTIONS,
                starts=dt.date(2020, 4, 1),
                basis="population",
            ),
            contributions={
                organisation("DYP"): "515000",
                organisation("GWE"): "600000",
                organisation("SWP"): "1330000",
            },
        )
        shares = services.contribution_shares(stream)
        assert sum(shares.values()) == pytest.approx(Decimal(1))
        assert shares[organisation("SWP").pk] > shares[organisation("GWE").pk]

    @pytest.mark.parametrize(
        ("years", "field"),
        [
            ({2026: "-1"}, "years[2026]"),
            ({2031: "1000"}, "years[2031]"),
            ({1999: "5"}, "years[1999]"),
        ],
    )
    def test_bad_amounts_are_refused_by_year(self, cast, years, field):
        with pytest.raises(ValidationError) as error:
            services.save_stream(
                actor=cast("tarian.chair"),
                organisation=organisation("TARIAN"),
                details=services.StreamDetails(
                    code="g",
                    name="Grant",
                    kind=FundingKind.OTHER_GRANT,
                    starts=dt.date(2024, 4, 1),
                    ends=dt.date(2028, 3, 31),
                ),
                years=years,
            )
        assert field in error.value.message_dict
        assert not FundingStream.objects.exists()

    def test_a_grant_does_not_take_force_weights(self, cast):
        with pytest.raises(ValidationError) as error:
            services.save_stream(
                actor=cast("tarian.chair"),
                organisation=organisation("TARIAN"),
                details=services.StreamDetails(
                    code="g", name="Grant", kind=FundingKind.OTHER_GRANT, starts=TODAY
                ),
                contributions={organisation("DYP"): "1"},
            )
        assert "contributions[DYP]" in error.value.message_dict


class TestWhoSees:
    """Capacity and funding are OFFICIAL-SENSITIVE: a force sees its own and its ROCU's, a ROCU
    its region's, the NCA the nation's; partners and other regions nothing."""

    def test_scope_by_organisation(self, tarian, cast):
        chair, _org, tsu, stream = tarian
        services.save_post(actor=chair, unit=tsu, details=post_details(), funding=[(stream, "1")])
        nw = services.save_unit(
            actor=cast("nwrocu.chair"),
            organisation=organisation("NWROCU"),
            capability=services.capability("digital-forensics"),
            name="NW digital forensics",
        )
        expected = {
            "tarian.chair": {tsu.pk},
            "dp.analyst": {tsu.pk},  # Dyfed-Powys sees its ROCU's
            "gmp.sio": {nw.pk},
            "nwrocu.chair": {nw.pk},
            "nca.tasking": {tsu.pk, nw.pk},
            "bf.partner": set(),
            "wilts.analyst": set(),
        }
        for username, units in expected.items():
            person = cast(username)
            assert set(Unit.objects.visible_to(person).values_list("pk", flat=True)) == units
            sees_tarian = tsu.pk in units
            assert Post.objects.visible_to(person).exists() == sees_tarian, username
            assert FundingStream.objects.visible_to(person).filter(pk=stream.pk).exists() == (
                sees_tarian
            )
            assert PostFunding.objects.visible_to(person).exists() == sees_tarian

    def test_lapsed_vetting_sees_none(self, tarian, cast):
        person = cast("tarian.sio", vetting_expires=TODAY - dt.timedelta(days=400))
        assert not Unit.objects.visible_to(person).exists()


class TestDemand:
    def test_a_need_is_seen_only_with_its_item(self, cast):
        from concord.ownership import tasking as tasking_services

        ocg = make_ocg("DYP", "SECRET", False)
        sio = cast("dp.sio")
        sio.vetting_level = "SC"
        sio.save(update_fields=["vetting_level"])
        request = tasking_services.request_tasking(
            actor=sio,
            to_organisation=organisation("TARIAN"),
            capability="Technical surveillance",
            asked="Covert deployment on the principal's vehicle",
            reason="Firearms supply into Llanelli",
            respond_by=TODAY + dt.timedelta(days=30),
            ocg=ocg,
            classification="SECRET",
        )
        tarian_sio = cast("tarian.sio")
        need = demand.record_demand(
            actor=tarian_sio,
            item=ocg,
            capability=services.capability("technical-surveillance"),
            amount="1",
            starts=TODAY,
            ends=TODAY + dt.timedelta(weeks=6),
            source=DemandSource.TASKING,
            tasking=request,
        )
        assert Demand.objects.visible_to(tarian_sio).filter(pk=need.pk).exists()
        assert not Demand.objects.visible_to(cast("dp.lro")).exists()  # NPPV3, SECRET
        assert not Demand.objects.visible_to(cast("nwrocu.chair")).exists()

    def test_a_need_names_what_asked_for_it(self, cast):
        ocg = make_ocg("DYP", "OFFICIAL", False)
        with pytest.raises(ValidationError) as error:
            demand.record_demand(
                actor=cast("dp.sio"),
                item=ocg,
                capability=services.capability("digital-forensics"),
                amount="10",
                starts=TODAY,
                ends=TODAY,
                source=DemandSource.ACTION,
            )
        assert "source" in error.value.message_dict
        assert not Demand.objects.exists()
