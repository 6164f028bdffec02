"""The audit trail speaks a fixed vocabulary: AuditAction, and nothing else."""

from __future__ import annotations

import ast
import pathlib

import pytest

from concord.core import audit
from concord.core.models import AuditAction, AuditEntry

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "concord"


@pytest.mark.parametrize("action", ["view", "viewed", "issue_token", "", None, 7])
def test_record_refuses_anything_but_a_member_naming_it(db: None, action: object) -> None:
    with pytest.raises(ValueError, match="is not an audit action") as refused:
        audit.record(action, object_type="threats.ocg")  # type: ignore[arg-type]
    assert repr(action) in str(refused.value)
    assert not AuditEntry.objects.exists()


def test_build_refuses_too() -> None:
    with pytest.raises(ValueError, match="'frobnicated' is not an audit action"):
        audit.build("frobnicated")  # type: ignore[arg-type]


def test_every_member_is_accepted_and_stored_as_its_value(db: None) -> None:
    for action in AuditAction:
        entry = audit.record(action, object_type="threats.ocg")
        assert AuditEntry.objects.get(pk=entry.pk).action == action.value
    assert audit.verify().ok


def test_listing_is_in_the_vocabulary() -> None:
    assert AuditAction.LIST == "list"
    assert AuditAction("list").label


def test_every_call_in_the_code_names_a_member() -> None:
    """No call site hands audit.record/build a plain string or an unknown name."""
    members = set(AuditAction.__members__)
    found: list[str] = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            if ast.unparse(node.func) not in ("audit.record", "audit.build"):
                continue
            first = node.args[0]
            for name in ast.walk(first):
                if isinstance(name, ast.Constant) and isinstance(name.value, str):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} {name.value!r}")
                if (
                    isinstance(name, ast.Attribute)
                    and ast.unparse(name.value) == "AuditAction"
                    and name.attr not in members
                ):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} {name.attr}")
    assert found == []
