"""`concord serve`: run Concord under gunicorn, the production application server
(docs/operations.md, "Serving"). SIGHUP reloads it gracefully (new workers start, old ones
finish their requests); SIGTERM stops it gracefully."""

from __future__ import annotations

import os
import shutil
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections


class Command(BaseCommand):
    help = "Serve Concord with gunicorn (settings from CONCORD_BIND, CONCORD_WORKERS, …)."
    # Checks may touch the database; the master must hold no connection its workers inherit.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        serve = settings.SERVE
        parser.add_argument("--bind", default=serve["bind"], help="host:port (CONCORD_BIND)")
        for name, env, what in (
            ("workers", "CONCORD_WORKERS", "worker processes"),
            ("threads", "CONCORD_THREADS", "threads per worker"),
            ("timeout", "CONCORD_TIMEOUT", "seconds before a silent worker is restarted"),
            ("graceful-timeout", "CONCORD_GRACEFUL_TIMEOUT", "seconds to finish on stop"),
            ("max-requests", "CONCORD_MAX_REQUESTS", "requests before a worker is renewed"),
            ("max-requests-jitter", "CONCORD_MAX_REQUESTS_JITTER", "random extra to that"),
        ):
            parser.add_argument(
                f"--{name}",
                type=int,
                default=serve[name.replace("-", "_")],
                help=f"{what} ({env}; default %(default)s)",
            )
        parser.add_argument(
            "--no-access-log", action="store_true", help="No line per request from gunicorn."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from concord.core.serving import ConcordServer, options_for

        chosen = {key: options[key] for key in settings.SERVE}
        for key in ("workers", "threads", "timeout", "graceful_timeout"):
            if chosen[key] < 1:
                raise CommandError(f"--{key.replace('_', '-')} must be at least 1.")
        if chosen["max_requests"] < 0 or chosen["max_requests_jitter"] < 0:
            raise CommandError("--max-requests and its jitter must be 0 or more.")
        connections.close_all()
        metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
        master = os.getpid()
        try:
            ConcordServer(options_for(chosen, access_log=not options["no_access_log"])).run()
        finally:
            # Workers are forked inside run() and leave through here too: only the master
            # removes the directory the `concord` script made for this server.
            owned = os.path.basename(metrics_dir).startswith("concord-metrics-")
            if os.getpid() == master and metrics_dir and owned:
                shutil.rmtree(metrics_dir, ignore_errors=True)
