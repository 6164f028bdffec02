"""Typed readers for environment variables that stop start-up with a clear message on bad values."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    """Reads settings from a mapping (os.environ by default), naming the variable in every error."""

    def __init__(self, source: Mapping[str, str] | None = None) -> None:
        self.source = os.environ if source is None else source

    def _raw(self, name: str) -> str | None:
        value = self.source.get(name)
        return None if value is None else value.strip()

    def fail(self, name: str, expected: str, got: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"Setting {name} must be {expected}; got {got!r}.")

    def get_str(self, name: str, default: str | None = None) -> str:
        value = self._raw(name)
        if value is None or value == "":
            if default is None:
                raise ImproperlyConfigured(f"Setting {name} is required and is not set.")
            return default
        return value

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise self.fail(name, "one of true/false, yes/no, on/off, 1/0", value)

    def get_int(
        self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
    ) -> int:
        value = self._raw(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise self.fail(name, "a whole number", value) from None
        if minimum is not None and number < minimum:
            raise self.fail(name, f"at least {minimum}", value)
        if maximum is not None and number > maximum:
            raise self.fail(name, f"at most {maximum}", value)
        return number

    def get_list(self, name: str, default: list[str]) -> list[str]:
        value = self._raw(name)
        if value is None or value == "":
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def get_choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self._raw(name)
        if value is None or value == "":
            return default
        if value not in choices:
            raise self.fail(name, "one of " + ", ".join(choices), value)
        return value

    def get_database(self, name: str, default_sqlite: Path) -> dict[str, Any]:
        """Parse DATABASE_URL (postgres:// or sqlite:///); unset means an SQLite file."""
        import dj_database_url

        value = self._raw(name)
        if not value:
            return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite)}
        scheme = value.split(":", 1)[0].lower()
        if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
            raise self.fail(name, "a postgres://… or sqlite:///… URL", _redact(value))
        try:
            config: dict[str, Any] = dict(dj_database_url.parse(value))
        except ValueError as exc:
            raise self.fail(name, f"a valid database URL ({exc})", _redact(value)) from None
        if scheme != "sqlite" and not config.get("NAME"):
            raise self.fail(name, "a URL that names the database", _redact(value))
        return config


def _redact(url: str) -> str:
    """Hide a password in a database URL before it goes into an error message."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
    return url
