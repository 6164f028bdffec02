"""Notify people in Concord and by email (through Django's mail backend), after commit.

A notification is stored as a message code and its parameters, never as a sentence: it is
written in its reader's language each time it is shown (the notifications page, the home page)
and an email in the recipient's profile language when it is sent. The sentences are the
`MESSAGES` below; a parameter is plain (a reference, a person's name, a number, text a person
wrote), a label to translate (`label`: a choice's msgid), a name with its Welsh form (`named`)
or a sentence of its own (`said`).

Subjects and bodies carry references and what happened, never record content: an email may
leave the secure network, so the detail stays behind sign-in at the link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext

from concord.core import restriction
from concord.organisations.models import Notification


@dataclass(frozen=True)
class Message:
    """One kind of notification: its subject and body as msgids (`plural`, when given, is the
    subject's plural form, counted by the parameter `n`)."""

    subject: str
    body: str = ""
    plural: str = ""


# Every kind of notification (and every sentence one carries in `said`), by code. Codes are
# stored: rename one only with a data migration.
MESSAGES: dict[str, Message] = {
    # deconfliction: pointers only (whom to call and a reference), never what was matched
    "deconfliction.hit": Message(
        gettext_noop("Deconfliction hit %(ref)s: contact %(org)s"),
        gettext_noop(
            "What you registered conflicts with work of %(org)s. Contact them before you act; "
            "the hit page says whom to call."
        ),
    ),
    "deconfliction.desk": Message(
        gettext_noop("Deconfliction hit %(ref)s between %(a)s and %(b)s"),
        gettext_noop("Contact both parties and record the resolution."),
    ),
    "deconfliction.urgent": Message(
        gettext_noop("URGENT deconfliction hit %(ref)s between %(a)s and %(b)s"),
        gettext_noop("An urgent event conflict: contact both parties now."),
    ),
    "deconfliction.resolved": Message(
        gettext_noop("Deconfliction hit %(ref)s resolved: %(resolution)s"),
    ),
    # ownership
    "ownership.appointed": Message(gettext_noop("%(ref)s: %(name)s appointed %(role)s")),
    "transfer.requested": Message(
        gettext_noop("%(kind)s requested for %(ref)s"), gettext_noop("Urgency: %(urgency)s.")
    ),
    "transfer.decided": Message(gettext_noop("%(ref)s: %(kind)s %(status)s"), "%(reason)s"),
    "transfer.answered": Message(gettext_noop("%(ref)s: query answered")),
    "transfer.completed": Message(gettext_noop("%(ref)s: %(kind)s completed")),
    "tasking.requested": Message(
        gettext_noop("Tasking request %(ref)s from %(org)s"), gettext_noop("Respond by %(date)s.")
    ),
    "tasking.decided": Message(gettext_noop("Tasking request %(ref)s %(status)s"), "%(reason)s"),
    "tasking.answered": Message(gettext_noop("Tasking request %(ref)s: query answered")),
    "tasking.done": Message(gettext_noop("Tasking request %(ref)s done")),
    "tasking.overdue": Message(gettext_noop("Overdue: tasking request %(ref)s was due %(date)s")),
    # plans
    "plan.changed": Message(gettext_noop("%(ref)s: 4P plan changed by %(name)s"), "%(what)s"),
    "plan.action_for_you": Message(gettext_noop("A %(strand)s action for you on %(ref)s")),
    "plan.disruption_decided": Message(gettext_noop("Disruption of %(ref)s %(status)s")),
    "plan.aim_changed": Message(gettext_noop("The plan's aim or partner context changed.")),
    "plan.objective_added": Message(gettext_noop("%(strand)s objective added.")),
    "plan.action_added": Message(gettext_noop("Action added for %(owner)s.")),
    "plan.action_status": Message(gettext_noop("Action “%(action)s” is now %(status)s.")),
    "plan.reviewed": Message(gettext_noop("The plan was reviewed.")),
    "plan.disruption_claimed": Message(
        gettext_noop("A disruption was claimed and awaits validation.")
    ),
    # plans: mentoring of LROs
    "mentoring.started": Message(gettext_noop("%(mentor)s is now mentoring %(mentee)s")),
    "mentoring.ended": Message(gettext_noop("%(mentor)s's mentoring of %(mentee)s has ended")),
    "mentoring.comment": Message(gettext_noop("%(ref)s: mentoring comment from %(name)s")),
    # meetings
    "meeting.agenda_issued": Message(
        gettext_noop("%(forum)s, %(date)s: agenda issued (version %(v)s)")
    ),
    "meeting.rescore": Message(
        gettext_noop("%(ref)s: re-assessment requested by %(forum)s"), "%(rationale)s"
    ),
    "meeting.action": Message(gettext_noop("Action from %(forum)s: %(action)s")),
    # capabilities
    "capabilities.loan_agreed": Message(
        gettext_noop("Loan agreed: %(capability)s from %(lender)s to %(borrower)s"),
        gettext_noop("%(amount)s a week until %(date)s."),
    ),
    "capabilities.loan_ended": Message(
        gettext_noop("Loan ended: %(capability)s from %(lender)s to %(borrower)s"), "%(reason)s"
    ),
    # intelligence
    "intelligence.awaits_approval": Message(
        gettext_noop("%(ref)s awaits your approval to release")
    ),
    "intelligence.shared": Message(gettext_noop("Intelligence %(ref)s shared with you by %(org)s")),
    "intelligence.feedback": Message(gettext_noop("Feedback on %(ref)s: %(kind)s")),
    "intelligence.received": Message(gettext_noop("Intelligence %(ref)s received from %(org)s")),
    "intelligence.received_many": Message(
        gettext_noop("%(n)d intelligence report received from %(org)s"),
        plural=gettext_noop("%(n)d intelligence reports received from %(org)s"),
    ),
    # referrals
    "referral.decided": Message(gettext_noop("Your referral %(ref)s: %(decision)s")),
    # Written before notifications were stored as codes (organisations/0008): the sentence
    # as it was made, in the language it was made in.
    "legacy": Message("%(subject)s", "%(body)s"),
}


def _plurals_for_extraction() -> None:  # pragma: no cover - never called
    """makemessages extracts a plural only from an ngettext call: this one (never run) puts
    each plural message above into the catalogue with its plural forms."""
    ngettext(
        "%(n)d intelligence report received from %(org)s",
        "%(n)d intelligence reports received from %(org)s",
        1,
    )


# Codes only ever carried inside another notification (`said`), never sent alone.
SENTENCES = frozenset(
    {
        "plan.aim_changed",
        "plan.objective_added",
        "plan.action_added",
        "plan.action_status",
        "plan.reviewed",
        "plan.disruption_claimed",
    }
)


def label(choice: Any, *, lower: bool = False) -> dict[str, Any]:
    """A translatable label as a parameter: a choice (`TransferKind.FULL`) or a lazy string,
    kept as its msgid and translated when shown."""
    text = getattr(choice, "label", choice)
    with translation.override(None):
        msgid = str(text)
    return {"t": msgid, "lower": lower}


def named(obj: Any) -> dict[str, str]:
    """A name with its Welsh form (an organisation, a region, a forum) as a parameter."""
    return {"en": str(getattr(obj, "name", obj)), "cy": str(getattr(obj, "name_cy", "") or "")}


def said(code: str, **params: Any) -> dict[str, Any]:
    """A sentence of the catalogue as a parameter of another (the body of a plan change)."""
    _check(code, params)
    return {"said": code, "params": params}


def _value(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    if "t" in value:
        text = gettext(value["t"]) if value["t"] else ""
        return text.lower() if value.get("lower") else text
    if "said" in value:
        return render(value["said"], value.get("params") or {})[0]
    if "en" in value:
        if value.get("cy") and translation.get_language() == "cy":
            return value["cy"]
        return value["en"]
    return ""


def render(code: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """Subject and body of a notification in the active language."""
    message = MESSAGES.get(code)
    if message is None:
        return str(params.get("subject", code)), str(params.get("body", ""))
    values = {key: _value(value) for key, value in params.items()}
    if message.plural:
        subject = ngettext(message.subject, message.plural, int(values.get("n", 1))) % values
    else:
        subject = _translate(message.subject) % values
    body = _translate(message.body) % values if message.body else ""
    return subject, body


_OWN_WORDS = re.compile(r"%\(\w+\)s")


def _translate(msgid: str) -> str:
    # "%(reason)s" and the like carry a person's own words: nothing to translate.
    return msgid if _OWN_WORDS.fullmatch(msgid) else gettext(msgid)


def _check(code: str, params: Mapping[str, Any]) -> None:
    if code not in MESSAGES or code == "legacy":
        raise ValueError(f"no notification message is coded {code!r}: add it to MESSAGES")
    try:
        with translation.override(settings.LANGUAGE_CODE):
            render(code, params)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"notification {code!r} needs other parameters: {exc}") from None


def notify(
    people: Iterable[Any],
    *,
    code: str,
    params: Mapping[str, Any] | None = None,
    link: str = "",
    about: Any = None,
) -> int:
    """Tell each active person once (the actor is usually left out by the caller). A message
    `about` a record goes only to those who may see it (in Concord and by email alike), and
    stays in their list only while they still may. Each reads it in their own language."""
    from concord.core import policy

    params = dict(params or {})
    if code in SENTENCES:
        raise ValueError(f"{code!r} is carried inside another notification, not sent alone")
    _check(code, params)
    if about is not None and about._meta.label_lower not in Notification.access.generic_models:
        raise ValueError(f"notifications are not about {about._meta.label_lower}: name it first")
    unique = {p.pk: p for p in people if p is not None and p.is_active}
    if about is not None:
        unique = {pk: p for pk, p in unique.items() if policy.visible(p, about)}
    about_type = ContentType.objects.get_for_model(about) if about is not None else None
    made = Notification.objects.bulk_create(
        [
            Notification(
                person=p,
                code=code,
                params=params,
                link=link,
                about_type=about_type,
                about_id=about.pk if about is not None else None,
            )
            for p in unique.values()
        ]
    )
    recipients = [(p.email, p.language or settings.LANGUAGE_CODE) for p in unique.values()]
    recipients = [(address, language) for address, language in recipients if address]
    if recipients:

        def send() -> None:
            for address, language in recipients:
                subject, text = email(code, params, link, language=language)
                send_mail(subject, text, None, [address], fail_silently=True)

        transaction.on_commit(send)
    return len(made)


def email(code: str, params: Mapping[str, Any], link: str, *, language: str) -> tuple[str, str]:
    """The subject and text of a notification's email, in the recipient's language."""
    with translation.override(language):
        subject, body = render(code, params)
    text = f"{body}\n\n{settings.CONCORD_BASE_URL}{link}" if link else body
    return subject[:200], text.strip()


# Up to this many notifications, each one's record is looked up by its key; past it, the
# records the person may see are gathered once (a partner desk with a thousand referrals).
BY_KEY_UP_TO = 200


def visible_notifications(person: Any, *, unread: bool = False) -> QuerySet[Notification]:
    """The person's notifications (or only the unread ones) they may still see. The filter is
    built for the kinds of record these notifications are about (one small query first), not
    for every kind a notification may be about: the header shows the count on every page."""
    pending = Notification.objects.filter(person_id=person.pk)
    if unread:
        pending = pending.filter(read_at__isnull=True)
    types = dict(
        pending.order_by()
        .values_list("about_type_id")
        .annotate(n=Count("pk"))
        .values_list("about_type_id", "n")
    )
    if not types:
        return Notification.objects.none()
    with restriction.generic_types_only(types, by_key=sum(types.values()) <= BY_KEY_UP_TO):
        mine = Notification.objects.visible_to(person)
    return mine.filter(read_at__isnull=True) if unread else mine


def unread(person: Any) -> int:
    return visible_notifications(person, unread=True).count()
