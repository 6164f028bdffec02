"""Operations of the cast, registered through the services, for the deconfliction tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from concord.deconfliction import services
from concord.deconfliction.choices import DeploymentKind, SubjectKind
from tests.factories import persona


def operation(username: str, name: str = "Operation Quillfeather", **overrides: Any) -> Any:
    actor = persona(username)
    details = {
        "name": name,
        "contact_name": f"{username} duty desk",
        "contact_phone": "01234 567890",
        "starts": timezone.localdate() - dt.timedelta(days=1),
        **overrides,
    }
    return services.register_operation(actor=actor, details=services.OperationDetails(**details))


def person(op: Any, given: str, surname: str, dob: dt.date | None = None, **more: Any) -> Any:
    return services.register_subject(
        actor=op.created_by,
        operation=op,
        details=services.SubjectDetails(
            kind=SubjectKind.PERSON, given_name=given, surname=surname, dob=dob, **more
        ),
    )


def identifier(op: Any, kind: str, value: str, **more: Any) -> Any:
    return services.register_subject(
        actor=op.created_by,
        operation=op,
        details=services.SubjectDetails(kind=kind, value=value, **more),
    )


def tonight(hour: int = 18, hours: int = 4) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.now().replace(hour=hour, minute=0, second=0, microsecond=0) + dt.timedelta(
        days=1
    )
    return start, start + dt.timedelta(hours=hours)


def deployment(
    op: Any,
    *,
    kind: str = DeploymentKind.SURVEILLANCE,
    postcode: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    radius_m: int = 200,
    when: tuple[dt.datetime, dt.datetime] | None = None,
    urgent: bool = False,
) -> Any:
    starts, ends = when or tonight()
    return services.register_deployment(
        actor=op.created_by,
        operation=op,
        details=services.DeploymentDetails(
            kind=kind,
            postcode=postcode,
            latitude=latitude,
            longitude=longitude,
            radius_m=radius_m,
            starts=starts,
            ends=ends,
            urgent=urgent,
        ),
    )
