"""Shared fixtures: the named cast and signed-in clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from concord.organisations.models import User
from tests.factories import persona


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
