"""What every API operation shares: bounded limit/offset pages, the error bodies the API sends
and the responses each operation declares, so that the OpenAPI document says what the API does.

Every list endpoint pages with `Pagination`; every operation declares its responses with
`answers(...)`, which adds 401 (every operation needs a token or a session) and the body of
each error it names. `config/api.py` turns exceptions into these bodies."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Path, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import BaseModel, StringConstraints

from concord.core.access import MIN_REASON, REASON_HEADER

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# Deeper than any list will be; a bound keeps the SQL OFFSET within a 64-bit integer.
MAX_OFFSET = 10_000_000
# The largest id a database's 64-bit primary key holds.
MAX_ID = 2**63 - 1

# Path parameters, bounded as the columns they look up are.
Reference = Annotated[
    str, Path(max_length=24, description="The record's reference; case does not matter.")
]
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="The record's id.")]


def text(min_length: int = 0, max_length: int | None = None) -> StringConstraints:
    """A text field's bounds, counted as the services count them: without the whitespace
    around it (which is dropped). Use as `Annotated[str, text(10)]`."""
    return StringConstraints(
        strip_whitespace=True, min_length=min_length or None, max_length=max_length
    )


class Pagination(LimitOffsetPagination):
    """Limit/offset pages with both bounded; out of range is a 422 naming the field."""

    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many items to return."
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


class Problem(Schema):
    """What went wrong, in one sentence."""

    detail: str


class ValidationIssue(Schema):
    """One problem with the request as pydantic found it, located by source and field."""

    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class ValidationProblem(Schema):
    """Bad input, nothing changed: every message by field ("__all__" for the request as a
    whole); `detail` repeats the problems the request's shape had, located by source."""

    errors: dict[str, list[str]]
    detail: list[ValidationIssue] | None = None


# What each status code means here, written into the OpenAPI document (config/api.py).
MEANINGS = {
    400: "The request body is not JSON.",
    401: (
        "No valid credentials: send `Authorization: Bearer <token>` (the response carries "
        "`WWW-Authenticate: Bearer`), or use a signed-in browser session."
    ),
    403: "A browser session's write without its CSRF token (a bearer token needs none).",
    404: (
        "Not there, or not yours to see or do: a record you may not see answers as if it did "
        "not exist."
    ),
    422: "Bad input, nothing changed: every message by field.",
    428: (
        "The record is outside your own work: repeat the request with a reason of at least "
        f"{MIN_REASON} characters in the {REASON_HEADER} header."
    ),
}
BODIES: dict[int, type[Schema]] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    422: ValidationProblem,
    428: Problem,
}
# A write can also meet a body that is not JSON (400) and a session without CSRF (403).
WRITE = (400, 403)


def answers(ok: Any, *errors: int | Sequence[int], status: int = 200) -> dict[int, Any]:
    """An operation's responses: `ok` under `status`, 401, and the body of each error named
    (codes, or tuples of codes such as WRITE)."""
    codes: set[int] = {401}
    for error in errors:
        codes.update([error] if isinstance(error, int) else error)
    unknown = codes - BODIES.keys()
    if unknown:
        raise ValueError(f"No error body for {sorted(unknown)}")
    return {status: ok, **{code: BODIES[code] for code in sorted(codes)}}


def links(status: int, field: str, parameter: str, **to: str) -> dict[str, Any]:
    """OpenAPI links (for an operation's `openapi_extra`): what its answer under `status` lets a
    client do next, each operation (by operationId) taking `parameter` from the answer's `field`.
    Clients, and the stateful fuzzing in tests/api, follow them from a record to what acts on
    it."""
    return {
        "responses": {
            status: {
                "links": {
                    name: {
                        "operationId": operation,
                        "parameters": {parameter: f"$response.body#/{field}"},
                    }
                    for name, operation in to.items()
                }
            }
        }
    }


def field_errors(issues: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """Pydantic's problems by field, as the API's other validation errors are: the location
    without its source (query, path, body) and, for a body, without the parameter's name."""
    errors: dict[str, list[str]] = {}
    for issue in issues:
        loc = [str(part) for part in issue.get("loc", ())]
        parts = loc[2:] if loc[:1] == ["body"] else loc[1:]
        errors.setdefault(".".join(parts) or "__all__", []).append(str(issue.get("msg", "")))
    return errors


REASON_PARAMETER = {
    "in": "header",
    "name": REASON_HEADER,
    "required": False,
    "description": (
        f"Why you open a record outside your own work ({MIN_REASON} characters or more); "
        "without it such a record answers 428. It is recorded with the view."
    ),
    "schema": {"type": "string"},
}


def describe(document: dict[str, Any]) -> dict[str, Any]:
    """Say in the OpenAPI document what each error means, that a 401 carries
    WWW-Authenticate, and that what may answer 428 reads X-Access-Reason."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            codes = {int(code) for code in operation.get("responses", {})}
            if 428 in codes and REASON_PARAMETER not in operation.get("parameters", []):
                operation.setdefault("parameters", []).append(dict(REASON_PARAMETER))
            for code, response in operation.get("responses", {}).items():
                meaning = MEANINGS.get(int(code))
                if meaning is None:
                    continue
                response["description"] = meaning
                if int(code) == 401:
                    response["headers"] = {
                        "WWW-Authenticate": {
                            "description": "The scheme to authenticate with.",
                            "schema": {"type": "string", "enum": ["Bearer"]},
                        }
                    }
    return document


def _with_nul(value: Any, at: tuple[str, ...]) -> Iterator[str]:
    """The fields (dotted, as in field_errors) whose text holds a NUL character."""
    if isinstance(value, str):
        if "\x00" in value:
            yield ".".join(at) or "__all__"
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _with_nul(getattr(value, name), (*at, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _with_nul(key, at)
            yield from _with_nul(item, (*at, str(key)))
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from _with_nul(item, (*at, str(index)))


def refuse_nul(view: Callable[..., Any]) -> Callable[..., Any]:
    """An operation decorator (`api.add_decorator(refuse_nul)`: after authentication and
    validation): no text the API takes may hold a NUL character, which PostgreSQL cannot store
    or compare (a 500 otherwise), so it is a 422 naming the field. A query or body schema's
    fields are named on their own, as field_errors names them."""

    @functools.wraps(view)
    def checked(request: Any, *args: Any, **kwargs: Any) -> Any:
        fields: dict[str, list[str]] = {}
        for name, value in kwargs.items():
            at = () if isinstance(value, BaseModel) else (name,)
            for field in _with_nul(value, at):
                fields.setdefault(field, [_("Text cannot hold a NUL character.")])
        if fields:
            raise ValidationError(fields)
        return view(request, *args, **kwargs)

    return checked
