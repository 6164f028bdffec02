"""Under Welsh, no generated text is English: every kind of notification the code can create
(on the notifications page, in the header count and by email) and the scoring model's
guidance (the assess and scoring-models pages).

Each is rendered under en and under cy, and no phrase of three or more English words of the
en rendering may appear in the cy one. Names, references, numbers and a person's own words
are excepted (they are the same in both languages); a notification is rendered in its
reader's language, whoever made it and in whatever language they worked.
"""

from __future__ import annotations

import ast
import itertools
import pathlib
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

import concord
from concord.deconfliction.choices import Resolution
from concord.intelligence.choices import FeedbackKind
from concord.organisations.models import Notification
from concord.organisations.notifications import (
    MESSAGES,
    SENTENCES,
    email,
    label,
    named,
    notify,
    render,
    said,
)
from concord.ownership.choices import (
    AppointmentRole,
    TaskingStatus,
    TransferKind,
    TransferStatus,
    Urgency,
)
from concord.plans.choices import ActionStatus, DisruptionStatus, Strand
from concord.referrals.choices import Decision
from tests.access.registry import make_ocg
from tests.factories import organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A page served in Welsh leaves Welsh active in this thread (LocaleMiddleware and the
    profile's language activate, nothing deactivates): later tests expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


SRC = pathlib.Path(concord.__file__).parent

REF = "OCG-DYP-000123"
TASKING = "TSK-NCA-000007"
REPORT = "INT-DYP-000042"
NAME = "Carys Morgan"
FORUM = {"en": "Tarian tasking and coordination group", "cy": ""}  # a forum with no Welsh name
CAPABILITY = {"en": "Technical surveillance", "cy": "Gwyliadwriaeth dechnegol"}
OWN_WORDS = "Warehouse raid brought forward after the surveillance log"  # a person's own words
EXCEPTED = [REF, TASKING, REPORT, NAME, FORUM["en"], OWN_WORDS, "DYP", "NCA"]


GMP = {"en": "Greater Manchester Police", "cy": "Heddlu Manceinion Fwyaf"}
NWROCU = {
    "en": "North West ROCU",
    "cy": "Uned Troseddau Cyfundrefnol Ranbarthol y Gogledd Orllewin",
}


def samples() -> dict[str, list[dict[str, Any]]]:
    """Parameters for every kind of notification, over every label each can carry."""
    dyp = named(organisation("DYP"))
    sentences = [
        said("plan.aim_changed"),
        *(said("plan.objective_added", strand=label(s)) for s in Strand),
        said("plan.action_added", owner=NAME),
        said("plan.action_added", owner=dyp),
        *(
            said("plan.action_status", action=OWN_WORDS, status=label(s, lower=True))
            for s in ActionStatus
        ),
        said("plan.reviewed"),
        said("plan.disruption_claimed"),
    ]
    return {
        "ownership.appointed": [
            {"ref": REF, "name": NAME, "role": label(r)} for r in AppointmentRole
        ],
        "transfer.requested": [
            {"kind": label(k), "ref": REF, "urgency": label(u)}
            for k, u in itertools.product(TransferKind, Urgency)
        ],
        "transfer.decided": [
            {"ref": REF, "kind": label(k), "status": label(s, lower=True), "reason": OWN_WORDS}
            for k, s in itertools.product(TransferKind, TransferStatus)
        ],
        "transfer.answered": [{"ref": REF}],
        "transfer.completed": [{"ref": REF, "kind": label(k)} for k in TransferKind],
        "tasking.requested": [{"ref": TASKING, "org": "NCA", "date": "2026-12-09"}],
        "tasking.decided": [
            {"ref": TASKING, "status": label(s, lower=True), "reason": OWN_WORDS}
            for s in TaskingStatus
        ],
        "tasking.answered": [{"ref": TASKING}],
        "tasking.done": [{"ref": TASKING}],
        "tasking.overdue": [{"ref": TASKING, "date": "2026-12-09"}],
        "plan.changed": [{"ref": REF, "name": NAME, "what": what} for what in sentences],
        "plan.action_for_you": [{"strand": label(s), "ref": REF} for s in Strand],
        "plan.disruption_decided": [
            {"ref": REF, "status": label(s, lower=True)} for s in DisruptionStatus
        ],
        "mentoring.started": [{"mentor": NAME, "mentee": NAME}],
        "mentoring.ended": [{"mentor": NAME, "mentee": NAME}],
        "mentoring.comment": [{"ref": REF, "name": NAME}],
        "meeting.agenda_issued": [{"forum": FORUM, "date": "09/12/2026", "v": 2}],
        "meeting.rescore": [{"ref": REF, "forum": FORUM, "rationale": OWN_WORDS}],
        "meeting.action": [{"forum": FORUM, "action": OWN_WORDS}],
        "capabilities.loan_agreed": [
            {
                "capability": CAPABILITY,
                "lender": "SWROCU",
                "borrower": "DYP",
                "amount": 1,
                "date": "17/01/2027",
            }
        ],
        "capabilities.loan_ended": [
            {
                "capability": CAPABILITY,
                "lender": "SWROCU",
                "borrower": "DYP",
                "reason": OWN_WORDS,
            }
        ],
        "deconfliction.hit": [{"ref": "DX-K7QW2M9P", "org": GMP}],
        "deconfliction.desk": [{"ref": "DX-K7QW2M9P", "a": GMP, "b": NWROCU}],
        "deconfliction.urgent": [{"ref": "DX-K7QW2M9P", "a": GMP, "b": NWROCU}],
        "deconfliction.resolved": [
            {"ref": "DX-K7QW2M9P", "resolution": label(r, lower=True)} for r in Resolution
        ],
        "intelligence.awaits_approval": [{"ref": REPORT}],
        "intelligence.shared": [{"ref": REPORT, "org": "DYP"}],
        "intelligence.feedback": [
            {"ref": REPORT, "kind": label(k, lower=True)} for k in FeedbackKind
        ],
        "intelligence.received": [{"ref": REPORT, "org": dyp}],
        "intelligence.received_many": [{"n": n, "org": dyp} for n in (2, 3, 8, 11, 40)],
        "referral.decided": [
            {"ref": "BF-FP-0001", "decision": label(d, lower=True)} for d in Decision
        ],
    }


# --- how English is found -------------------------------------------------------------------

WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")


def phrases(text: str, excepted: list[str]) -> set[str]:
    """Every run of three words in each line of `text`, names and references taken out first
    (so the words around them join), acronyms, band letters and numbers not counted."""
    for name in sorted(excepted, key=len, reverse=True):
        text = text.replace(name, " ")
    found = set()
    for line in text.splitlines():
        words = [w.lower() for w in WORD.findall(line) if not w.isupper()]
        found.update(" ".join(words[i : i + 3]) for i in range(len(words) - 2))
    return found


def english_in(english: str, welsh: str, excepted: list[str] = EXCEPTED) -> set[str]:
    assert welsh.strip(), "nothing was rendered in Welsh"
    return phrases(english, excepted) & phrases(welsh, excepted)


class _Text(HTMLParser):
    """The text of a page's main content, one line per element's text (code, such as a
    formula's dimension codes, is not language)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.depth = 0
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth += 1
        if tag in ("script", "style", "code"):
            self.skip += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "alt", "placeholder") and value and self.depth:
                self.lines.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.depth -= 1
        if tag in ("script", "style", "code"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip and data.strip():
            self.lines.append(" ".join(data.split()))


def main_text(response: Any) -> str:
    assert response.status_code == 200
    parser = _Text()
    parser.feed(response.content.decode())
    return "\n".join(parser.lines)


def test_the_check_finds_english_left_in_welsh() -> None:
    """The check itself: an untranslated sentence is caught, names and numbers are not."""
    assert english_in("Tasking request TSK-NCA-000007 done", "Tasking request TSK-NCA-000007 done")
    assert english_in("The plan was reviewed.", "The plan was reviewed.") == {
        "the plan was",
        "plan was reviewed",
    }
    assert not english_in("Carys Morgan appointed 4 times", "penodwyd Carys Morgan 4 gwaith")


# --- every kind of notification ------------------------------------------------------------


def notify_calls() -> set[str]:
    """The message codes every notify(...) and said(...) in the code can pass."""
    codes: set[str] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func).rsplit(".", 1)[-1]
            expressions = []
            if name == "notify":
                expressions = [k.value for k in node.keywords if k.arg == "code"]
            elif name == "said" and node.args:
                expressions = [node.args[0]]
            for expression in expressions:
                codes.update(
                    c.value
                    for c in ast.walk(expression)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                )
    return codes


def test_every_code_the_code_sends_is_in_the_catalogue_and_sampled_here() -> None:
    sent = notify_calls()
    assert sent, "no notify(code=...) calls found"
    assert sent <= set(MESSAGES), sent - set(MESSAGES)
    table = samples()
    assert set(table) == set(MESSAGES) - SENTENCES - {"legacy"}
    carried = {p["what"]["said"] for p in table["plan.changed"]}
    assert carried == SENTENCES


@pytest.mark.parametrize("code", sorted(set(MESSAGES) - SENTENCES - {"legacy"}))
def test_each_kind_of_notification_reads_in_welsh(code: str) -> None:
    for params in samples()[code]:
        with translation.override("en-gb"):
            english = "\n".join(render(code, params))
        with translation.override("cy"):
            welsh = "\n".join(render(code, params))
        assert not english_in(english, welsh), (code, params, welsh)
        # And its email, sent in the recipient's profile language.
        english_mail = "\n".join(email(code, params, "/notifications/", language="en-gb"))
        welsh_mail = "\n".join(email(code, params, "/notifications/", language="cy"))
        assert not english_in(english_mail, welsh_mail), (code, params, welsh_mail)


def first_of_each_kind() -> list[tuple[str, dict[str, Any]]]:
    return [(code, params[0]) for code, params in samples().items()]


def test_the_notifications_page_is_in_its_readers_language(
    client, cast, django_assert_max_num_queries
):
    reader = cast("dp.lro")
    with translation.override("en-gb"):  # made by someone working in English
        for code, params in first_of_each_kind():
            assert notify([reader], code=code, params=params, link="/") == 1
    client.force_login(reader)
    english = main_text(client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en-GB"))
    Notification.objects.update(read_at=None)
    reader.language = "cy"
    reader.save(update_fields=["language"])
    # The header counts them in the reader's language too.
    home = client.get("/profile/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    header = home.split("</header>")[0]
    assert f"{len(first_of_each_kind())}<span" in header.replace(" ", "")
    assert "heb eu darllen" in header or "heb ei ddarllen" in header  # unread
    with django_assert_max_num_queries(15):
        response = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en-GB")
    welsh = main_text(response)
    assert "Tasking request" in english
    assert not english_in(english, welsh), welsh


def test_emails_go_in_each_recipients_language(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    welsh_reader = cast("dp.lro", language="cy")
    english_reader = cast("dp.sio", language="en-gb")
    undecided = cast("dp.analyst")
    with django_capture_on_commit_callbacks(execute=True), translation.override("cy"):
        # Made by someone working in Welsh: each still reads it in their own language.
        for code, params in first_of_each_kind():
            notify([welsh_reader, english_reader, undecided], code=code, params=params, link="/")
    by_address: dict[str, list[str]] = {}
    for message in mailoutbox:
        [to] = message.to
        by_address.setdefault(to, []).append(f"{message.subject}\n{message.body}")
    kinds = len(first_of_each_kind())
    assert all(len(mails) == kinds for mails in by_address.values())
    english_mails = by_address[english_reader.email]
    assert by_address[undecided.email] == english_mails  # no choice: the default, English
    for english, welsh in zip(english_mails, by_address[welsh_reader.email], strict=True):
        assert not english_in(english, welsh), welsh


def test_a_notification_made_by_a_service_reads_in_welsh(cast, client):
    """End to end: the NCA (working in English) tasks Tarian; its chair reads it in Welsh."""
    import datetime as dt

    from django.utils import timezone

    from concord.ownership import tasking

    nca, chair = cast("nca.tasking"), cast("tarian.chair", language="cy")
    with translation.override("en-gb"):
        request = tasking.request_tasking(
            actor=nca,
            to_organisation=organisation("TARIAN"),
            capability="Regional asset recovery team",
            asked="Two weeks of mobile surveillance on the principal",
            reason="Supply route into the region, firearms linked",
            respond_by=timezone.localdate() + dt.timedelta(days=5),
        )
    client.force_login(chair)
    page = main_text(client.get("/notifications/"))
    assert f"Cais tasgio {request.reference} gan NCA" in page
    assert "Ymatebwch erbyn" in page
    assert "Tasking request" not in page


def test_notifications_from_before_codes_keep_their_words(cast):
    """Rows the data migration kept ("legacy") show the sentence they were made with."""
    reader = cast("dp.lro")
    old = Notification.objects.create(
        person=reader,
        code="legacy",
        params={"subject": "OCG-DYP-000001: query answered", "body": "From before"},
    )
    with translation.override("cy"):
        assert (old.subject, old.body) == ("OCG-DYP-000001: query answered", "From before")


# --- scoring-model guidance ----------------------------------------------------------------


def guidance_pages() -> tuple[list[str], list[str]]:
    """The pages that show a model's guidance, and the names on them."""
    ocg = make_ocg("DYP", "OFFICIAL", False)
    return ["/scoring/models/", f"/ocgs/{ocg.reference}/assess/"], [ocg.name, ocg.reference]


def test_the_scoring_guidance_reads_in_welsh(client, cast):
    lro = cast("dp.lro")
    client.force_login(lro)
    pages, names = guidance_pages()
    excepted = [*EXCEPTED, *names, "MoRiLE-style", "MoRiLE", "OCGM", "PHIA"]
    for path in pages:
        lro.language = "en-gb"
        lro.save(update_fields=["language"])
        english = main_text(client.get(path))
        lro.language = "cy"
        lro.save(update_fields=["language"])
        welsh = main_text(client.get(path))
        assert "Violence, exploitation, injury or death" in english
        assert "Trais, camfanteisio, anaf neu farwolaeth" in welsh
        left = english_in(english, welsh, excepted)
        assert not left, (path, sorted(left))


def test_a_model_without_welsh_shows_its_english(cast):
    """An administrator's model that supplies no Welsh shows its own English, not nothing."""
    from concord.scoring.models import Dimension, ScoringModel

    model = ScoringModel.objects.get(name="MoRiLE-style", version=1)
    dimension = Dimension.objects.get(model=model, code="scope")
    dimension.guidance_cy = ""
    with translation.override("cy"):
        assert dimension.display_guidance == dimension.guidance
        assert model.display_description.startswith("Y model arddull MoRiLE")
        level = dimension.levels.get(order=0)
        assert (level.display_label, level.display_guidance) == ("Lleol", "Un gymdogaeth neu dref.")
    with translation.override("en-gb"):
        assert level.display_label == "Local"


def test_a_new_version_keeps_its_welsh(cast):
    from concord.scoring.models import ScoringModel
    from concord.scoring.services import draft_next_version

    model = ScoringModel.objects.get(name="MoRiLE-style", version=1)
    draft = draft_next_version(actor=cast("admin"), model=model)
    assert draft.description_cy == model.description_cy
    scope = draft.dimensions.get(code="scope")
    assert scope.guidance_cy == "Pa mor bell y mae gweithgarwch y grŵp yn cyrraedd."
    assert scope.levels.get(order=0).guidance_cy == "Un gymdogaeth neu dref."
