"""Guidance for LROs, stage by stage of a 4P plan: read by everyone who works on plans, edited by
administrators and the national function (`Act.EDIT_GUIDANCE`), shown in the reader's language
(the Welsh text when the page is in Welsh and it is written, else the English)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from concord.core import audit, policy
from concord.core.choices import RoleCode
from concord.core.models import AuditAction
from concord.plans.choices import Stage, Strand
from concord.plans.models import Guidance

# The national function: the tasking leads and chief officers of an organisation with national
# reach (the NCA's national tasking).
NATIONAL_ROLES = frozenset({RoleCode.TASKING_CHAIR, RoleCode.CHIEF_OFFICER})


@policy.rule(policy.Act.EDIT_GUIDANCE)
def may_edit_guidance(user: Any, obj: Any = None) -> bool:
    """Administrators, and the national function (tasking chairs and chief officers of an
    organisation with national reach)."""
    if not user.is_active:
        return False
    roles = set(user.role_codes)
    if RoleCode.ADMINISTRATOR in roles or user.is_superuser:
        return True
    return bool(roles & NATIONAL_ROLES and user.acting_organisation().national_reach)


@dataclass(frozen=True)
class Shown:
    """One piece of guidance as a reader sees it."""

    pk: int
    stage: str
    strand: str
    title: str
    body: SafeString


_BULLET = re.compile(r"^\s*[-*]\s+")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _bold(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", str(escape(text)))


def render_body(text: str) -> SafeString:
    """Markdown-lite, safely: paragraphs split by blank lines, lines starting "- " as a list,
    **bold**. Everything is escaped first; no link, image or HTML passes through."""
    html: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{_bold(_BULLET.sub('', line))}</li>" for line in lines)
            html.append(f'<ul class="govuk-list govuk-list--bullet">{items}</ul>')
        else:
            joined = _bold(" ".join(s.strip() for s in lines))
            html.append(f'<p class="govuk-body">{joined}</p>')
    return mark_safe("".join(html))  # noqa: S308  # every piece of text is escaped above


def shown(language: str | None = None) -> dict[str, list[Shown]]:
    """All guidance by stage, in the reader's language (one query)."""
    language = language or get_language() or "en"
    found: dict[str, list[Shown]] = {value: [] for value in Stage.values}
    for row in Guidance.objects.all():
        title, body = row.in_language(language)
        found[row.stage].append(Shown(row.pk, row.stage, row.strand, title, render_body(body)))
    return found


@transaction.atomic
def save_guidance(
    *,
    actor: Any,
    stage: str,
    title: str,
    body: str,
    title_cy: str = "",
    body_cy: str = "",
    strand: str = "",
    rank: int = 0,
    guidance: Guidance | None = None,
) -> Guidance:
    """Write or change one piece of guidance."""
    policy.require(
        actor,
        policy.Act.EDIT_GUIDANCE,
        None,
        _("Only administrators and the national function edit guidance."),
    )
    errors: dict[str, str] = {}
    if stage not in Stage.values:
        errors["stage"] = _("Choose a stage of the plan.")
    if strand and strand not in Strand.values:
        errors["strand"] = _("Choose Pursue, Prevent, Protect or Prepare.")
    if strand and stage != Stage.OBJECTIVES:
        errors["strand"] = _("Only objectives' guidance is given by strand.")
    if len(title.strip()) < 3:
        errors["title"] = _("Give the guidance a title.")
    if len(body.strip()) < 10:
        errors["body"] = _("Write the guidance.")
    if errors:
        raise ValidationError(errors)
    target = guidance or Guidance()
    before = audit.snapshot(target) if guidance is not None else {}
    target.stage, target.strand, target.rank = stage, strand, rank
    target.title, target.title_cy = title.strip(), title_cy.strip()
    target.body, target.body_cy = body.strip(), body_cy.strip()
    target.updated_by = actor
    target.full_clean()
    target.save()
    audit.record(
        AuditAction.UPDATE if guidance is not None else AuditAction.CREATE,
        actor=actor,
        obj=target,
        changes=audit.diff(before, audit.snapshot(target)),
    )
    return target
