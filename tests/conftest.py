"""Shared fixtures: the named cast and signed-in clients."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from concord.organisations.models import User
from tests.factories import persona


@pytest.fixture(autouse=True)
def _english_between_tests() -> Iterator[None]:
    """A page served in Welsh leaves Welsh active in the test's thread: every test starts and
    ends in the default language, so no test reads another's."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache (alert rules, working patterns)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def cast(db: None) -> Callable[[str], User]:
    """Make a persona by username: cast("dp.lro")."""
    return persona


@pytest.fixture
def signed_in(client: Client) -> Callable[[User], Client]:
    """A test client signed in as the given person."""

    def sign_in(user: User) -> Client:
        client.force_login(user)
        return client

    return sign_in


def pytest_configure(config: pytest.Config) -> None:
    """Hash test passwords fast: production's PBKDF2 costs half a second per persona."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


REFERENCE_MIGRATIONS = [
    importlib.import_module(f"concord.{name}").Migration
    for name in (
        "organisations.migrations.0002_reference_data",
        "organisations.migrations.0003_organisation_national_reach",
        "threats.migrations.0002_criminality_types",
        "scoring.migrations.0002_default_model",
        "monitoring.migrations.0002_default_rules",
        "plans.migrations.0002_impact_levels",
        "scoring.migrations.0006_default_model_in_welsh",
        "capabilities.migrations.0002_default_catalogue",
        "referrals.migrations.0002_reference_data",
        "organisations.migrations.0011_watch_desk_role",
        "monitoring.migrations.0004_deconfliction_fishing",
    )
]

# Set by a transactional test that is not a browser test (a migration test): when it ends the
# runner empties every table, and a test this worker runs after it would find no reference
# data (with xdist, "transactional tests last" holds only per batch of work).
FLUSHED = {"reference": False}


def load_reference_data() -> None:
    """Run the data migrations' own loaders (organisations, criminality, scoring model, alert
    rules, impact levels, capability catalogue)."""
    from django.apps import apps
    from django.db.migrations import RunPython

    for migration in REFERENCE_MIGRATIONS:
        for operation in migration.operations:
            if isinstance(operation, RunPython):
                operation.code(apps, None)


@pytest.fixture(autouse=True)
def _reference_data_after_a_flush(request: pytest.FixtureRequest, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    """Put the reference data back for a database test that follows a flush (see FLUSHED)."""
    if not FLUSHED["reference"]:
        return
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "cast")
    )
    if not uses_db:
        return
    from concord.organisations.models import Organisation

    with django_db_blocker.unblock():
        if not Organisation.objects.exists():
            load_reference_data()


@pytest.fixture
def committed_world(transactional_db: None) -> Iterator[None]:
    """For tests that commit for real (browser tests, racing connections): the runner empties
    every table after each one, so put the reference data back first (the data migrations' own
    loaders), and take the append-only audit triggers off at the end only so the runner can
    empty those tables too. pytest-django runs these tests after the rest."""
    from concord.core import audit
    from concord.organisations.models import Organisation

    if not Organisation.objects.exists():
        load_reference_data()
    audit.install_triggers()
    yield
    audit.drop_triggers()
