"""Factories and the named cast of personas shared by every test."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from concord.core.seeding import DEMO_PASSWORD
from concord.organisations.choices import OrganisationKind, PartnerType
from concord.organisations.models import Organisation, Role, Team, User
from concord.organisations.seed import DEMO_ORGANISATIONS, PERSONAS

PASSWORD = DEMO_PASSWORD


def organisation(code: str) -> Organisation:
    """A reference organisation by code; the demo's local authorities are created on demand."""
    for demo_code, name, name_cy, region in DEMO_ORGANISATIONS:
        if code == demo_code:
            org, _ = Organisation.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "name_cy": name_cy,
                    "kind": OrganisationKind.PARTNER,
                    "partner_type": PartnerType.LOCAL_AUTHORITY,
                    "region": Organisation.objects.get(
                        code="GMP" if region == "north-west" else "DYP"
                    ).region,
                },
            )
            return org
    return Organisation.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    organisation = factory.LazyFunction(lambda: organisation("DYP"))
    vetting_level = "NPPV3"
    vetting_expires = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.roles.set(Role.objects.filter(code__in=extracted))


def persona(username: str, **overrides: object) -> User:
    """One of the demo cast (dp.lro, tarian.chair, bf.partner…), as seed_demo makes them."""
    for name, first, last, code, roles, vetting, title, team in PERSONAS:
        if name == username:
            user = UserFactory(
                username=name,
                first_name=first,
                last_name=last,
                organisation=organisation(code),
                roles=roles,
                vetting_level=vetting,
                job_title=title,
                is_superuser=name == "admin",
                is_staff=name == "admin",
                **overrides,
            )
            if team:
                team_obj, _ = Team.objects.get_or_create(organisation=user.organisation, name=team)
                user.teams.add(team_obj)
            return user
    raise KeyError(username)
