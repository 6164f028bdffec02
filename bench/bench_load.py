"""Load and soak (issue 17): the demo world's working day (bench/locustfile.py) against the
production server on the national world, and against the development server for comparison.

Production: two `concord serve` instances (gunicorn, their default workers and threads) on two
ports, the simulated people spread over both, and one `concord worker`, all on one database.
The settings are production's but for three: two-factor off (`CONCORD_REQUIRE_2FA=false`:
simulated people have no authenticator), no TLS (loopback), and workers never renewed
(`--max-requests 0`), so that their memory at the end of the soak is that of the same
processes that started it. Locust runs headless in a subprocess, paced to a request rate:

1. the load curve: after a warm-up (everyone signs in), the rate steps up
   (CONCORD_BENCH_LOAD_STEPS requests/s, each CONCORD_BENCH_STEP_SECONDS long);
2. the soak, in the same run after a settling minute at its rate: CONCORD_BENCH_SOAK_RATE
   requests/s for CONCORD_BENCH_SOAK_SECONDS, with the web processes' memory (RSS) sampled
   throughout;
3. then the development server (`concord runserver --noreload`) alone, with the same worker,
   for one step at CONCORD_BENCH_DEV_RATE requests/s.

Defaults: steps 10,20,40,60,80 of 60 s, soak 600 s at 50/s, development server 60 s
(CONCORD_BENCH_DEV_SECONDS) at 20/s, CONCORD_BENCH_LOAD_USERS=100 simulated people (enough to
offer the top rate when answers slow to a second), each `concord serve` with its default
workers (CONCORD_BENCH_LOAD_WORKERS to choose). About 20 minutes in all.

For a short smoke run against a small database of your own instead of the national world,
CONCORD_BENCH_LOAD_DATABASE_URL names it (a migrated database with `concord seed_demo`'s
world), for example:

    createdb load_demo && DATABASE_URL=postgres://…/load_demo concord migrate &&
      DATABASE_URL=postgres://…/load_demo CONCORD_DEMO=true concord seed_demo --scale demo
    CONCORD_BENCH_LOAD_DATABASE_URL=postgres://…/load_demo CONCORD_BENCH_STEP_SECONDS=20 \\
      CONCORD_BENCH_SOAK_SECONDS=30 CONCORD_BENCH_LOAD_USERS=30 \\
      python bench/run.py --only load

The scenario writes to the database it runs on, as a working day does (plan and action
updates, audit entries, notifications, access reasons); its API tokens are revoked and its
TAXII peer set inactive at the end. Server, worker and locust logs are kept in var/bench/load/.
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
CONCORD = [sys.executable, "-m", "concord.config.cli"]
P95_TARGET_MS = 150.0
PICTURE_TARGET_MS = 50.0
PICTURE = "/priorities/"
SPAWN_RATE = 4  # sign-ins per second while the users start (each costs a password hash)
SETTLE_SECONDS = 60
SAMPLE_SECONDS = 5.0


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


def _env_list(name: str, default: str) -> list[int]:
    return [int(x) for x in (os.environ.get(name, "") or default).split(",") if x.strip()]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- processes ------------------------------------------------------------------------------


class Processes:
    """The servers and the worker this benchmark starts, each with its log in `home`."""

    def __init__(self, url: str, home: Path) -> None:
        self.home = home
        ours = ("DATABASE_URL", "CONCORD")
        keep = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        self.env = {
            **keep,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "concord.config.settings",
            "CONCORD_SECRET_KEY": "bench-load-" + "k" * 40,
            "CONCORD_DEBUG": "false",
            "CONCORD_REQUIRE_2FA": "false",
            "CONCORD_TASK_BACKEND": "database",
            "CONCORD_FEDERATION_KEY_FILE": str(home / "federation.pem"),
            "CONCORD_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PYTHONPATH": path,
        }
        self.running: list[subprocess.Popen[bytes]] = []

    def python(self, script: str, *args: str) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / script), *args],
            env={**self.env, "CONCORD_LOG_LEVEL": "WARNING"},
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.home / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [*CONCORD, *args], env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        self.running.append(process)
        return process

    def serve(self, name: str, *args: str) -> tuple[str, subprocess.Popen[bytes]]:
        port = _free_port()
        process = self.start(name, *args, f"127.0.0.1:{port}")
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if requests.get(f"{base}/readyz", timeout=5).ok:
                    return base, process
            except requests.RequestException:
                pass
            time.sleep(0.5)
        log = (self.home / f"{name}.log").read_text()
        raise RuntimeError(f"{name} did not start: {log[-2000:]}")

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in list(reversed(self.running)):
            self.stop(process)


# --- memory and CPU -------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command (which may hold spaces): state, ppid, …"""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _children(pid: int) -> list[int]:
    return sorted(
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) and int(fields[1]) == pid
    )


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_s(pid: int) -> float:
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK if len(fields) > 12 else 0.0


def _machine() -> tuple[float, float]:
    """The machine's busy and total CPU seconds since boot (all cores)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks) - idle) / TICK, sum(ticks) / TICK


class Sampler(threading.Thread):
    """Every few seconds, the RSS and CPU time of each web process (a server's master and its
    workers) and of the task worker, and the machine's CPU time."""

    def __init__(self, watched: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.watched = watched
        self.samples: list[dict[str, Any]] = []
        self.done = threading.Event()

    def sample(self) -> dict[str, Any]:
        rss: dict[str, float] = {}
        cpu: dict[str, float] = {}
        for label, pid in self.watched.items():
            for name, one in [(label, pid)] + [
                (f"{label} worker {n}", child) for n, child in enumerate(_children(pid), 1)
            ]:
                rss[name], cpu[name] = _rss_mib(one), _cpu_s(one)
        taken = {"at": time.time(), "rss": rss, "cpu": cpu, "machine": _machine()}
        self.samples.append(taken)
        return taken

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            self.sample()

    def at(self, moment: float) -> dict[str, Any]:
        """The sample nearest a moment."""
        return min(self.samples, key=lambda s: abs(s["at"] - moment))


# --- locust ---------------------------------------------------------------------------------


def _locust(
    home: Path, label: str, hosts: list[str], users: int, phases: list[dict[str, Any]], prep: Any
) -> dict[str, Any]:
    """Run the scenario headless for the phases; return what each request took, by phase."""
    out = home / f"{label}-times.json"
    out.unlink(missing_ok=True)
    plan = {
        **prep,
        "hosts": hosts,
        "users": users,
        "phases": phases,
        "taxii_page": 1000,
        "out": str(out),
    }
    plan_file = home / f"{label}-plan.json"
    plan_file.write_text(json.dumps(plan))
    seconds = sum(p["seconds"] for p in phases)
    env = {**os.environ, "CONCORD_LOAD_PLAN": str(plan_file)}
    with (home / f"{label}-locust.log").open("wb") as log:
        subprocess.run(
            [
                sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
                "--headless", "--host", hosts[0], "--users", str(users),
                "--spawn-rate", str(SPAWN_RATE), "--run-time", f"{seconds}s",
                "--stop-timeout", "30", "--csv", str(home / label), "--only-summary",
                "--loglevel", "WARNING", "--exit-code-on-error", "0",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )  # fmt: skip
    return json.loads(out.read_text())  # type: ignore[no-any-return]


# --- figures --------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _summary(phase: dict[str, Any], only: str | None = None) -> dict[str, Any]:
    times = phase["times"]
    names = [only] if only else list(times)
    values = [t for n in names for t in times.get(n, [])]
    errors = sum(sum(phase["failures"].get(n, {}).values()) for n in names)
    return {
        "count": len(values),
        "rate": len(values) / phase["seconds"],
        "p50": _pct(values, 50),
        "p95": _pct(values, 95),
        "p99": _pct(values, 99),
        "errors": errors,
    }


def _ms(value: float) -> str:
    return "none" if math.isnan(value) else f"{value:,.0f} ms"


def _row(what: str, phase: dict[str, Any], s: dict[str, Any]) -> str:
    share = f" ({s['errors'] / s['count']:.2%})" if s["count"] and s["errors"] else ""
    return (
        f"| {what} | {phase['rate']} | {s['rate']:.1f} | {s['count']:,} | {_ms(s['p50'])} | "
        f"{_ms(s['p95'])} | {_ms(s['p99'])} | {s['errors']:,}{share} |"
    )


def _failures(*phases: dict[str, Any]) -> list[str]:
    counted: dict[str, int] = {}
    for phase in phases:
        for name, messages in phase["failures"].items():
            for message, n in messages.items():
                key = f"`{name}`: {message}"
                counted[key] = counted.get(key, 0) + n
    top = sorted(counted.items(), key=lambda kv: -kv[1])[:8]
    return [f"- {n:,}: {what}" for what, n in top]


def _knee(curve: list[tuple[dict[str, Any], dict[str, Any]]]) -> str:
    """Where p95 first passes the target on the curve, and what the step before gave."""
    over = next((i for i, (_p, s) in enumerate(curve) if s["p95"] > P95_TARGET_MS), None)
    if over is None:
        return (
            f"p95 stayed within {P95_TARGET_MS:.0f} ms at every step, up to "
            f"{curve[-1][1]['rate']:.1f} requests/s achieved ({curve[-1][0]['rate']} offered)."
        )
    phase, got = curve[over]
    text = (
        f"p95 passes {P95_TARGET_MS:.0f} ms at {got['rate']:.1f} requests/s achieved "
        f"({phase['rate']} offered: p95 {_ms(got['p95'])})"
    )
    if over == 0:
        return text + ", the first step."
    before, was = curve[over - 1]
    return (
        text + f"; at {was['rate']:.1f} requests/s achieved ({before['rate']} offered) it "
        f"was {_ms(was['p95'])}."
    )


def _yes(ok: bool) -> str:
    return "yes" if ok else "no"


# --- the benchmark ----------------------------------------------------------------------------


def run(ctx: Any) -> list[str]:
    override = os.environ.get("CONCORD_BENCH_LOAD_DATABASE_URL", "")
    url = override or ctx.national_world()
    steps = _env_list("CONCORD_BENCH_LOAD_STEPS", "10,20,40,60,80")
    step_s = _env_int("CONCORD_BENCH_STEP_SECONDS", 60)
    soak_rate = _env_int("CONCORD_BENCH_SOAK_RATE", 50)
    soak_s = _env_int("CONCORD_BENCH_SOAK_SECONDS", 600)
    dev_rate = _env_int("CONCORD_BENCH_DEV_RATE", 20)
    dev_s = _env_int("CONCORD_BENCH_DEV_SECONDS", step_s)
    users = _env_int("CONCORD_BENCH_LOAD_USERS", 100)
    warm_s = users // SPAWN_RATE + 15  # everyone signed in, and a little more
    settle_s = min(SETTLE_SECONDS, max(10, step_s))
    home = ctx.scratch / "load"
    home.mkdir(parents=True, exist_ok=True)
    procs = Processes(url, home)
    prep = procs.python("load_worker.py", "prepare")
    queue_before = procs.python("load_worker.py", "queue")
    sampler: Sampler | None = None
    try:
        worker = procs.start(
            "worker", "worker", "--queue-name", "default", "--worker-id", "bench-load"
        )
        serve = ["serve", "--max-requests", "0"]
        if workers := os.environ.get("CONCORD_BENCH_LOAD_WORKERS"):
            serve += ["--workers", workers]
        web1, serve1 = procs.serve("serve-1", *serve, "--bind")
        web2, serve2 = procs.serve("serve-2", *serve, "--bind")
        sampler = Sampler({"web 1": serve1.pid, "web 2": serve2.pid, "task worker": worker.pid})
        booted = sampler.sample()
        sampler.start()
        phases = [{"name": "warm-up", "rate": steps[0], "seconds": warm_s}]
        phases += [{"name": f"step {r}/s", "rate": r, "seconds": step_s} for r in steps]
        phases += [{"name": "settle", "rate": soak_rate, "seconds": settle_s}]
        phases += [{"name": "soak", "rate": soak_rate, "seconds": soak_s}]
        print(
            f"  production: {len(steps)} steps of {step_s} s, soak {soak_s} s at {soak_rate}/s, "
            f"{users} users on {web1} and {web2}",
            flush=True,
        )
        prod = _locust(home, "production", [web1, web2], users, phases, prep)
        sampler.done.set()
        sampler.join()
        soak_start = prod["started"] + sum(p["seconds"] for p in phases[:-1])
        mem_start, mem_end = sampler.at(soak_start), sampler.at(soak_start + soak_s)
        procs.stop(serve1)
        procs.stop(serve2)
        dev_users = max(20, 2 * dev_rate)
        dev, dev_process = procs.serve("runserver", "runserver", "--noreload")
        print(f"  development server: {dev_s} s at {dev_rate}/s on {dev}", flush=True)
        dev_phases = [
            {"name": "warm-up", "rate": dev_rate, "seconds": dev_users // SPAWN_RATE + 15},
            {"name": f"step {dev_rate}/s", "rate": dev_rate, "seconds": dev_s},
        ]
        devrun = _locust(home, "development", [dev], dev_users, dev_phases, prep)
        procs.stop(dev_process)
        procs.stop(worker)
        queue_after = procs.python("load_worker.py", "queue")
    finally:
        if sampler is not None:
            sampler.done.set()
        procs.stop_all()
        procs.python("load_worker.py", "cleanup")
    return _section(
        steps=prod["phases"][1 : 1 + len(steps)],
        soak=prod["phases"][-1],
        dev=devrun["phases"][-1],
        booted=booted,
        mem=(mem_start, mem_end),
        queue=(queue_before, queue_after),
        prep=prep,
        users=users,
        override=bool(override),
        broken={**prod.get("broken", {}), **devrun.get("broken", {})},
    )


def _section(
    *,
    steps: list[dict[str, Any]],
    soak: dict[str, Any],
    dev: dict[str, Any],
    booted: dict[str, Any],
    mem: tuple[dict[str, Any], dict[str, Any]],
    queue: tuple[dict[str, int], dict[str, int]],
    prep: dict[str, Any],
    users: int,
    override: bool,
    broken: dict[str, int],
) -> list[str]:
    head = "| phase | offered req/s | achieved req/s | requests | p50 | p95 | p99 | errors |"
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|"
    curve = [(p, _summary(p)) for p in steps]
    overall, picture = _summary(soak), _summary(soak, PICTURE)
    development = _summary(dev)
    same = next(((p, s) for p, s in curve if p["rate"] == dev["rate"]), None)
    for p, s in [*curve, (soak, overall), (dev, development)]:
        print(f"  {p['name']}: {s['rate']:.1f}/s p95 {_ms(s['p95'])} errors {s['errors']}")
    world = "the national world"
    if override:
        world = "not the national world: CONCORD_BENCH_LOAD_DATABASE_URL"
    lines = [
        f"## Load and soak: the working day on the production server ({world}, PostgreSQL)",
        "",
        "### The load curve",
        "",
        head,
        rule,
        *(_row(p["name"], p, s) for p, s in curve),
        "",
        _knee(curve),
        "",
        f"### The soak: {soak['seconds'] // 60:.0f} minutes at {soak['rate']} requests/s"
        if soak["seconds"] >= 60
        else f"### The soak: {soak['seconds']} s at {soak['rate']} requests/s",
        "",
        "| measure | figure | target (issue 17) | meets |",
        "|---|---:|---|---|",
        f"| throughput | {overall['rate']:.1f} req/s ({overall['count']:,} requests) | "
        f"{soak['rate']} req/s offered | |",
        f"| p95, every request | {_ms(overall['p95'])} (p50 {_ms(overall['p50'])}, p99 "
        f"{_ms(overall['p99'])}) | at most {P95_TARGET_MS:.0f} ms | "
        f"{_yes(overall['p95'] <= P95_TARGET_MS)} |",
        f"| p95, the prioritised picture (`{PICTURE}`, {picture['count']:,} requests) | "
        f"{_ms(picture['p95'])} | at most {PICTURE_TARGET_MS:.0f} ms | "
        f"{_yes(picture['p95'] <= PICTURE_TARGET_MS)} |",
        f"| errors | {overall['errors']:,} | none | {_yes(overall['errors'] == 0)} |",
        "",
        "Each kind of request in the soak:",
        "",
        "| request | requests | p50 | p95 | p99 | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in sorted(soak["times"], key=lambda n: -len(soak["times"][n])):
        s = _summary(soak, name)
        lines.append(
            f"| `{name}` | {s['count']:,} | {_ms(s['p50'])} | {_ms(s['p95'])} | "
            f"{_ms(s['p99'])} | {s['errors']:,} |"
        )
    start, end = mem
    labels = sorted(set(start["rss"]) | set(end["rss"]) | set(booted["rss"]))
    seconds = end["at"] - start["at"]
    lines += [
        "",
        "Memory (RSS) and CPU of the web processes (each server's gunicorn master and its "
        "workers) and of the task worker:",
        "",
        "| process | RSS after start | soak start | soak end | change in the soak | "
        "CPU in the soak |",
        "|---|---:|---:|---:|---:|---:|",
    ]

    def used(names: list[str]) -> str:
        cpu = sum(end["cpu"].get(n, 0) - start["cpu"].get(n, 0) for n in names)
        return f"{cpu:,.0f} s ({cpu / seconds:.0%} of a core)" if seconds > 0 else ""

    def rss(sample: dict[str, Any], names: list[str]) -> float:
        return float(sum(sample["rss"].get(n, 0.0) for n in names))

    for label in labels:
        a, b, c = rss(booted, [label]), rss(start, [label]), rss(end, [label])
        lines.append(
            f"| {label} | {a:.0f} MiB | {b:.0f} MiB | {c:.0f} MiB | {c - b:+.0f} MiB | "
            f"{used([label])} |"
        )
    web = [label for label in labels if label.startswith("web")]
    a, b, c = rss(booted, web), rss(start, web), rss(end, web)
    busy = end["machine"][0] - start["machine"][0]
    total = end["machine"][1] - start["machine"][1]
    lines += [
        f"| all web processes | {a:.0f} MiB | {b:.0f} MiB | {c:.0f} MiB | {c - b:+.0f} MiB | "
        f"{used(web)} |",
        "",
        f"Over the soak the machine's {os.cpu_count()} cores were busy "
        f"{busy / total if total else 0:.0%} of the time ({busy:,.0f} CPU seconds in "
        f"{seconds:,.0f} s); what the processes above did not use went to PostgreSQL, "
        "locust and any other work on the machine.",
        "",
        "### The development server at the same load",
        "",
        head,
        rule,
        _row(f"`runserver --noreload`, {dev['name']}", dev, development),
    ]
    if same is not None:
        lines.append(_row(f"`concord serve`, two of them, {same[0]['name']}", same[0], same[1]))
    failures = _failures(*steps, soak, dev)
    ran = sum(queue[1].get(k, 0) - queue[0].get(k, 0) for k in ("SUCCEEDED", "FAILED"))
    failed = queue[1].get("FAILED", 0) - queue[0].get("FAILED", 0)
    waiting = queue[1].get("READY", 0)
    lines += [
        "",
        "What was measured: the demo world's working day as locust users "
        "(bench/locustfile.py), "
        f"{users} simulated people paced together to the offered rate (Poisson arrivals) and "
        "spread over two `concord serve` processes (gunicorn, default workers and threads, "
        "workers not renewed so memory is comparable) with one `concord worker`, all on one "
        f"PostgreSQL database, on this machine ({os.cpu_count()} cores shared by the servers, "
        "the worker, PostgreSQL and locust). Readers (45 in 100 users) list, search and read "
        "intelligence, the register and the prioritised picture; LROs (15) read and update "
        "their plans through the plan page's forms; chairs (10) open meetings, agendas and "
        "minutes; partners (10) update their actions; API clients (15) read `/api/v1/` with "
        "bearer tokens; TAXII peers (5) sync the exchange collection "
        f"({prep['peer']['objects']:,} objects shared with {prep['peer']['organisation']}), "
        "1,000 to a page. Times are locust's, from request to whole response, by the phase "
        "in which each request started; every request is counted, sign-ins and reasons "
        "given included. An error is any answer other than the one that request expects "
        "(a 404, a 5xx, a lost session, a refused form). Achieved below offered means the "
        "servers had fallen behind. The task worker, meanwhile, ran "
        f"{ran:,} tasks ({failed:,} failed; the monitoring detectors the audit entries "
        f"queue), with {waiting:,} waiting when the run ended.",
    ]
    if failures:
        lines += ["", "Errors, by request and answer:", "", *failures]
    if broken:
        lines += [
            "",
            "The scenario itself raised (a fault of bench/locustfile.py, not of the servers; "
            "the task was cut short): "
            + "; ".join(f"{n:,} ({what})" for what, n in sorted(broken.items())),
        ]
    retried: dict[str, int] = {}
    for phase in [*steps, soak, dev]:
        for what, n in phase.get("retried", {}).items():
            retried[what] = retried.get(what, 0) + n
    if retried:
        lines += [
            "",
            "Sent once more (not errors) after the server had closed the kept-alive "
            "connection as the request left (gunicorn closes one idle for 2 s; browsers and "
            "nginx send such a GET again): "
            + "; ".join(f"{n:,} ({what})" for what, n in sorted(retried.items())),
        ]
    return lines
