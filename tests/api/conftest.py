"""Fixtures for testing the API from outside: the OpenAPI document and its operations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

# A value for each path parameter the API has, to reach an operation (not a record).
SAMPLE_PATH_VALUES = {
    "reference": "OCG-NONE-0001",
    "pk": "1",
    "kind": "ocg",
    "code": "DYP",
    "item": "1",
    "hit": "DX-NONE0000",
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def url(self) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PATH_VALUES[m.group(1)], self.path)

    @property
    def parameters(self) -> list[dict[str, Any]]:
        return list(self.spec.get("parameters", []))

    def parameter(self, name: str) -> dict[str, Any] | None:
        return next((p for p in self.parameters if p["name"] == name), None)

    @property
    def has_inputs(self) -> bool:
        return bool(self.parameters) or "requestBody" in self.spec

    @property
    def responses(self) -> dict[str, Any]:
        return {str(code): response for code, response in self.spec["responses"].items()}


def operations_of(document: dict[str, Any]) -> list[Operation]:
    return [
        Operation(method, path, spec)
        for path, methods in document["paths"].items()
        for method, spec in methods.items()
    ]


@pytest.fixture(scope="session")
def openapi() -> dict[str, Any]:
    """The document as the API builds it (no request, so no database)."""
    from concord.config.api import api

    document: dict[str, Any] = api.get_openapi_schema()
    return document


@pytest.fixture(scope="session")
def operations(openapi: dict[str, Any]) -> list[Operation]:
    return operations_of(openapi)
