"""The working day of the demo world's people, as locust users (run by bench/bench_load.py).

Who does what (each kind's share of the users, and so of the requests, is its weight in 100):

- readers (analysts and SIOs, 45): the intelligence list and reports, the search (for a word
  from something they read), the register's OCG list and OCG pages, the prioritised picture;
- LROs (15): their home page (which lists their plans), a plan, and a plan updated through
  the plan page's own forms (an action's progress, or the aim and context saved again);
- chairs (10): their forums, a meeting with its agenda, its minutes, the prioritised picture;
- partners (10): the actions given to them, and an action's progress updated there;
- API clients (15): `/api/v1/` lists and records with a bearer token;
- TAXII peers (5): a sync as `concord sync` makes it (the collections, then the exchange's
  objects after the peer's cursor, 1,000 to a page, until there are no more), each from a
  cursor somewhere in the feed.

Everyone signs in with a demo sign-in (password `concord-demo`; demo mode turns two-factor
off) through the sign-in form. A record is opened only from a link a list or page showed that
person, so a 404 is never expected; a record outside a person's own work asks a reason, which
they give (`/access-reason/`) before reading it; API clients send X-Access-Reason.

Every response is checked: only the statuses (and redirect targets) that page answers to that
request count as success; anything else, a page that lost its session included, is an error.

The request rate is paced, not the users: `CONCORD_LOAD_PLAN` (JSON, written by bench_load)
gives the phases (`rate` requests/s for `seconds`), and each user waits so that the users
together offer that rate, with Poisson arrivals, never catching up in a burst when the
server has been slow. What each request took is kept by the phase in which it started and
written, with the phases' start times, to the plan's `out` file when the run stops.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, events, task
from locust.clients import LocustHttpAdapter
from urllib3.util.retry import Retry

PLAN: dict[str, Any] = json.loads(Path(os.environ["CONCORD_LOAD_PLAN"]).read_text())
TAXII = "application/taxii+json;version=2.1"
REASON = "Load test: reading the record for the working day scenario."
WORDS = ["county", "firearm", "cash", "network", "cannabis", "cocaine", "Operation", "crew"]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REPORT_LINK = re.compile(r'href="(/intelligence/[A-Z0-9-]+/)"[^>]*>([^<]*)<')
OCG_LINK = re.compile(r'href="(/ocgs/[A-Z0-9-]+/)"[^>]*>([^<]*)<')
PLAN_LINK = re.compile(r'href="(/plans/(?:ocg|pi)/[A-Z0-9-]+/)"')
FORUM_LINK = re.compile(r'href="(/meetings/forums/\d+/)"')
MEETING_LINK = re.compile(r'href="(/meetings/\d+/)"')
FORM = re.compile(r"<form\b[^>]*>(.*?)</form>", re.S)
SELECTED = re.compile(r'<option value="(\w+)" selected>')
TEXTAREA = re.compile(r'<textarea name="context-(\w+)"[^>]*>\n?(.*?)</textarea>', re.S)
REVIEW_DAYS = re.compile(r'name="context-review_days" value="(\d+)"')


# --- the phases, and what each request took in which ----------------------------------------

PHASES: list[dict[str, Any]] = PLAN["phases"]
STARTED: list[float] = []  # wall-clock time the run started (first user spawning)
TIMES: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
FAILURES: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
RETRIED: dict[int, Counter[str]] = defaultdict(Counter)
BROKEN: Counter[str] = Counter()  # exceptions the scenario itself raised (its own faults)


def _phase_at(moment: float) -> int:
    """The phase a moment falls in (len(PHASES) after the last)."""
    if not STARTED:
        return 0
    elapsed = moment - STARTED[0]
    for index, end in enumerate(itertools.accumulate(p["seconds"] for p in PHASES)):
        if elapsed < end:
            return index
    return len(PHASES)


def target_rate() -> float:
    index = min(_phase_at(time.time()), len(PHASES) - 1)
    return float(PHASES[index]["rate"])


@events.test_start.add_listener
def _started(**_kwargs: Any) -> None:
    if not STARTED:
        STARTED.append(time.time())


@events.request.add_listener
def _record(
    name: str,
    response_time: float,
    exception: BaseException | None,
    start_time: float | None = None,
    **_kwargs: Any,
) -> None:
    began = start_time if start_time is not None else time.time() - response_time / 1000
    phase = _phase_at(began)
    TIMES[phase][name].append(round(response_time, 2))
    if exception is not None:
        FAILURES[phase][name][str(exception)[:200]] += 1


@events.user_error.add_listener
def _broken(user_instance: Any, exception: BaseException, **_kwargs: Any) -> None:
    BROKEN[f"{type(user_instance).__name__}: {type(exception).__name__}: {exception}"[:200]] += 1


def _write(**_kwargs: Any) -> None:
    out = {
        "started": STARTED[0] if STARTED else None,
        "broken": dict(BROKEN),
        "phases": [
            {
                **phase,
                "times": dict(TIMES.get(index, {})),
                "failures": {n: dict(c) for n, c in FAILURES.get(index, {}).items()},
                "retried": dict(RETRIED.get(index, {})),
            }
            for index, phase in enumerate(PHASES)
        ],
    }
    Path(PLAN["out"]).write_text(json.dumps(out))


events.test_stop.add_listener(_write)
events.quitting.add_listener(_write)


# --- the users ----------------------------------------------------------------------------


class SendAgain(Retry):
    """A GET whose connection the server had closed (gunicorn closes a kept-alive connection
    idle for 2 s, which can cross a request on its way) is sent once more, as browsers and
    nginx do; each is counted and reported. Anything else is never retried."""

    def increment(
        self, method: str | None = None, url: str | None = None, *args: Any, **kwargs: Any
    ) -> Retry:
        error = kwargs.get("error")
        RETRIED[_phase_at(time.time())][f"{method} {type(error).__name__}: {error}"[:200]] += 1
        return super().increment(method, url, *args, **kwargs)


def _send_again() -> SendAgain:
    return SendAgain(
        total=1,
        connect=1,
        read=1,
        redirect=0,
        status=0,
        other=0,
        allowed_methods=frozenset({"GET"}),
        raise_on_redirect=False,
        raise_on_status=False,
    )


_count = itertools.count()


class Person(HttpUser):
    """A paced user on one of the web processes (the users are spread over them in turn)."""

    abstract = True
    usernames: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        number = next(_count)
        hosts = PLAN["hosts"]
        self.client.base_url = hosts[number % len(hosts)]
        self.client.mount(
            "http://", LocustHttpAdapter(pool_manager=None, max_retries=_send_again())
        )
        self.number = number
        self.username = ""
        self.sent = 0
        self.clock = 0.0

    # Pacing: each request this user sent in the task earns a Poisson gap of N/rate seconds.
    def wait_time(self) -> float:
        now = time.time()
        mean = PLAN["users"] / target_rate()
        gap = random.gammavariate(max(self.sent, 1), mean)
        self.sent = 0
        self.clock = max(self.clock + gap, now - mean)  # fell behind: no burst to catch up
        return max(0.0, self.clock - now)

    def on_start(self) -> None:
        self.clock = time.time()
        # Spread the first requests over a gap, so users that spawned together do not
        # arrive together.
        time.sleep(random.uniform(0, PLAN["users"] / target_rate()))

    # -- requests, each checked ------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        name: str,
        *,
        expect: dict[int, str | None] | None = None,
        **kwargs: Any,
    ) -> Any:
        """One request that succeeds only with an expected status and, for a redirect, the
        expected target (`expect` maps each status to a prefix of its Location, or None).
        A person sent to the sign-in page has lost their session: an error, after which
        they sign in again, as a person would."""
        expect = expect or {200: None}
        self.sent += 1
        kwargs.setdefault("allow_redirects", False)
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as r:
            got = r.headers.get("Location", "")
            where = f" to {got}" if got else ""
            wanted = expect.get(r.status_code, "")
            if r.status_code == 0:
                r.failure(f"no answer: {type(r.error).__name__}: {r.error}"[:200])
            elif r.status_code not in expect:
                r.failure(f"{r.status_code}{where} (expected {', '.join(map(str, expect))})")
            elif wanted is not None and not urlsplit(got).path.startswith(wanted):
                r.failure(f"{r.status_code}{where} (expected {r.status_code} to {wanted})")
            else:
                r.success()
        if r.status_code == 302 and self.username and urlsplit(got).path == "/sign-in/":
            self.sign_in(self.username)
        return r

    def sign_in(self, username: str) -> None:
        self.username = username
        page = self.request("GET", "/sign-in/", "/sign-in/")
        self.request(
            "POST",
            "/sign-in/",
            "/sign-in/ [POST]",
            data={
                "csrfmiddlewaretoken": _csrf(page.text),
                "username": username,
                "password": PLAN["password"],
                "next": "",
            },
            expect={302: "/"},
        )

    def page(self, path: str, name: str) -> Any:
        """A page, giving the reason first where the record is outside one's own work (the
        page answers with a redirect to /access-reason/: not an error, the person is asked
        why, says, and reads the record)."""
        r = self.request("GET", path, name, expect={200: None, 302: "/access-reason/"})
        ask = r.headers.get("Location", "") if r.status_code == 302 else ""
        if urlsplit(ask).path == "/access-reason/":
            form = self.request("GET", ask, "/access-reason/")
            self.request(
                "POST",
                ask,
                "/access-reason/ [POST]",
                data={"csrfmiddlewaretoken": _csrf(form.text), "reason": REASON},
                expect={302: urlsplit(path).path},
            )
            r = self.request("GET", path, name)
        return r

    def post_form(self, path: str, name: str, data: dict[str, str], then: str) -> Any:
        return self.request("POST", path, name, data=data, expect={302: then})


def _csrf(text: str) -> str:
    found = CSRF.search(text)
    return found.group(1) if found else ""


def _pick(pool: list[str]) -> str:
    return random.choice(pool)


def _words(titles: list[str]) -> list[str]:
    return [w for t in titles for w in re.findall(r"[A-Za-z]{5,}", html.unescape(t))]


class Reader(Person):
    """An analyst or SIO: searching and reading intelligence and the register."""

    weight = 45

    def on_start(self) -> None:
        self.reports: list[str] = []
        self.ocgs: list[str] = []
        self.titles: list[str] = []
        self.sign_in(PLAN["readers"][self.number % len(PLAN["readers"])])
        super().on_start()

    def _harvest(self, text: str) -> None:
        for pattern, pool in ((REPORT_LINK, self.reports), (OCG_LINK, self.ocgs)):
            for href, title in pattern.findall(text):
                if href not in pool and not href.endswith(("/new/", "/import/")):
                    pool.append(href)
                    if title.strip():
                        self.titles.append(title.strip())
        del self.reports[:-200], self.ocgs[:-200], self.titles[:-200]

    @task(4)
    def intelligence_list(self) -> None:
        page = random.choice(["", "", "?page=2", "?status=released"])
        r = self.page(f"/intelligence/{page}", "/intelligence/")
        self._harvest(r.text)

    @task(6)
    def report(self) -> None:
        if not self.reports:
            return self.intelligence_list()
        self.page(_pick(self.reports), "/intelligence/[reference]/")

    @task(3)
    def search(self) -> None:
        word = random.choice(_words(self.titles) or WORDS)
        r = self.page(f"/search/?q={word}", "/search/?q=")
        self._harvest(r.text)

    @task(2)
    def ocg_list(self) -> None:
        r = self.page("/ocgs/", "/ocgs/")
        self._harvest(r.text)

    @task(3)
    def ocg(self) -> None:
        if not self.ocgs:
            return self.ocg_list()
        self.page(_pick(self.ocgs), "/ocgs/[reference]/")

    @task(2)
    def picture(self) -> None:
        r = self.page("/priorities/", "/priorities/")
        self._harvest(r.text)


class Lro(Person):
    """A lead responsible officer keeping their 4P plans up to date."""

    weight = 15

    def on_start(self) -> None:
        self.plans: list[str] = []
        self.sign_in(PLAN["lros"][self.number % len(PLAN["lros"])])
        super().on_start()

    @task(2)
    def home(self) -> None:
        r = self.page("/", "/")
        self.plans = sorted(set(PLAN_LINK.findall(r.text)))

    @task(4)
    def plan(self) -> None:
        if not self.plans:
            return self.home()
        self.page(_pick(self.plans), "/plans/[kind]/[reference]/")

    @task(3)
    def update_plan(self) -> None:
        if not self.plans:
            return self.home()
        path = _pick(self.plans)
        r = self.page(path, "/plans/[kind]/[reference]/")
        forms = FORM.findall(r.text)
        progress = [f for f in forms if 'name="step" value="progress"' in f]
        context = [f for f in forms if 'name="step" value="context"' in f]
        movable = [f for f in progress if (SELECTED.search(f) or [None, ""])[1] in _TOGGLE]
        if movable and (not context or random.random() < 0.7):
            form = random.choice(movable)
            action = re.search(r'name="progress-action" value="(\d+)"', form)
            status = SELECTED.search(form)
            if action and status:
                data = {
                    "csrfmiddlewaretoken": _csrf(form),
                    "step": "progress",
                    "progress-action": action.group(1),
                    "progress-status": _TOGGLE[status.group(1)],
                    "progress-outcome": "",
                }
                self.post_form(path, "/plans/[kind]/[reference]/ [POST progress]", data, path)
        elif context:
            form = context[0]
            fields = {k: html.unescape(v) for k, v in TEXTAREA.findall(form)}
            days = REVIEW_DAYS.search(form)
            data = {
                "csrfmiddlewaretoken": _csrf(form),
                "step": "context",
                "context-aim": fields.get("aim", ""),
                "context-partner_context": fields.get("partner_context", ""),
                "context-review_days": days.group(1) if days else "28",
            }
            self.post_form(path, "/plans/[kind]/[reference]/ [POST context]", data, path)

    @task(1)
    def actions(self) -> None:
        self.page("/actions/", "/actions/")


_TOGGLE = {"open": "in_progress", "in_progress": "open"}


class Chair(Person):
    """A tasking chair opening their forums' meetings and agendas."""

    weight = 10

    def on_start(self) -> None:
        self.forums: list[str] = []
        self.meetings: list[str] = []
        self.sign_in(PLAN["chairs"][self.number % len(PLAN["chairs"])])
        super().on_start()

    @task(2)
    def forums_list(self) -> None:
        r = self.page("/meetings/", "/meetings/")
        self.forums = sorted(set(FORUM_LINK.findall(r.text)))
        self.meetings = sorted(set(self.meetings) | set(MEETING_LINK.findall(r.text)))

    @task(2)
    def forum(self) -> None:
        if not self.forums:
            return self.forums_list()
        r = self.page(_pick(self.forums), "/meetings/forums/[pk]/")
        self.meetings = sorted(set(self.meetings) | set(MEETING_LINK.findall(r.text)))

    @task(4)
    def meeting(self) -> None:
        if not self.meetings:
            return self.forums_list()
        self.page(_pick(self.meetings), "/meetings/[pk]/")

    @task(1)
    def minutes(self) -> None:
        if not self.meetings:
            return self.forums_list()
        self.page(_pick(self.meetings) + "minutes/", "/meetings/[pk]/minutes/")

    @task(2)
    def picture(self) -> None:
        self.page("/priorities/", "/priorities/")


class Partner(Person):
    """A partner agency's officer updating the actions a plan gave them."""

    weight = 10

    def on_start(self) -> None:
        self.sign_in(PLAN["partners"][self.number % len(PLAN["partners"])])
        super().on_start()

    @task(3)
    def actions(self) -> None:
        self.page("/actions/", "/actions/")

    @task(2)
    def update_action(self) -> None:
        r = self.page("/actions/", "/actions/")
        forms = [f for f in FORM.findall(r.text) if 'name="progress-action"' in f]
        movable = [f for f in forms if (SELECTED.search(f) or [None, ""])[1] in _TOGGLE]
        if not movable:
            return
        form = random.choice(movable)
        action = re.search(r'name="action" value="(\d+)"', form)
        status = SELECTED.search(form)
        if action and status:
            data = {
                "csrfmiddlewaretoken": _csrf(form),
                "action": action.group(1),
                "progress-action": action.group(1),
                "progress-status": _TOGGLE[status.group(1)],
                "progress-outcome": "",
            }
            self.post_form("/actions/", "/actions/ [POST]", data, "/actions/")

    @task(1)
    def home(self) -> None:
        self.page("/", "/")


class ApiClient(Person):
    """Another system reading the register and intelligence through /api/v1/."""

    weight = 15

    def on_start(self) -> None:
        tokens = PLAN["api_tokens"]
        token = tokens[self.number % len(tokens)]["token"]
        self.client.headers["Authorization"] = f"Bearer {token}"
        self.reports: list[str] = []
        self.ocgs: list[str] = []
        super().on_start()

    def _list(self, what: str) -> list[str]:
        offset = random.choice([0, 0, 50])
        r = self.request("GET", f"/api/v1/{what}?limit=50&offset={offset}", f"/api/v1/{what}")
        try:
            return [item["reference"] for item in r.json()["items"]]
        except (ValueError, KeyError, TypeError):
            return []

    @task(2)
    def intelligence(self) -> None:
        self.reports = self._list("intelligence") or self.reports

    @task(3)
    def report(self) -> None:
        if not self.reports:
            return self.intelligence()
        self.request(
            "GET",
            f"/api/v1/intelligence/{_pick(self.reports)}",
            "/api/v1/intelligence/[reference]",
            headers={"X-Access-Reason": REASON},
        )

    @task(2)
    def ocg_list(self) -> None:
        self.ocgs = self._list("ocgs") or self.ocgs

    @task(3)
    def ocg(self) -> None:
        if not self.ocgs:
            return self.ocg_list()
        self.request(
            "GET",
            f"/api/v1/ocgs/{_pick(self.ocgs)}",
            "/api/v1/ocgs/[reference]",
            headers={"X-Access-Reason": REASON},
        )


class TaxiiPeer(Person):
    """A peer instance synchronising the intelligence shared with its organisation, as
    `concord sync` does: the collections, then the exchange's objects after the cursor, 1,000
    to a page, until there are no more. Each sync starts from a cursor spread through the
    feed (as if the peer had last synchronised at that point), so one simulated peer stands
    for many, each behind by a different amount."""

    weight = 5

    def on_start(self) -> None:
        self.client.headers.update(
            {"Authorization": f"Bearer {PLAN['peer']['token']}", "Accept": TAXII}
        )
        self.collection = ""
        self.after = ""
        super().on_start()

    @task
    def sync(self) -> None:
        if not self.collection:
            r = self.request("GET", "/taxii2/api/collections/", "/taxii2/api/collections/")
            try:
                readable = [c["id"] for c in r.json()["collections"] if c.get("can_read")]
            except (ValueError, KeyError, TypeError):
                return
            self.collection = readable[0] if readable else ""
            self.after = random.choice(PLAN["peer"]["cursors"])
            return
        params = {"limit": str(PLAN["taxii_page"])}
        if self.after:
            params["added_after"] = self.after
        r = self.request(
            "GET",
            f"/taxii2/api/collections/{self.collection}/objects/",
            "/taxii2/api/collections/[id]/objects/",
            params=params,
        )
        try:
            more = bool(r.json().get("more"))
        except ValueError:
            more = False
        self.after = r.headers.get("X-TAXII-Date-Added-Last", "") or self.after
        if not more:
            self.collection = ""  # this sync is done; the next starts with the collections
