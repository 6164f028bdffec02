"""`concord serve`: gunicorn running Concord's WSGI application, configured from settings
(`settings.SERVE`, each overridable by a flag), its access log as JSON lines on stdout."""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from concord.core.logging import JsonFormatter

METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


class JsonLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's logger writing the project's JSON lines: one per request (method, path,
    status, duration, bytes, remote address, request id) and gunicorn's own messages."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if os.environ.get("CONCORD_LOG_FORMAT", "json") != "json":
            return
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        status = str(resp.status).split(None, 1)[0]
        request_id = next((v for k, v in resp.headers if k.lower() == "x-request-id"), "")
        self.access_log.info(
            "%s %s %s",
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),
            status,
            extra={
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("PATH_INFO"),
                "status": int(status) if status.isdigit() else status,
                "duration_ms": round(request_time.total_seconds() * 1000, 2),
                "bytes": getattr(resp, "sent", None),
                "remote_addr": environ.get("REMOTE_ADDR"),
                "request_id": request_id,
                "pid": os.getpid(),
            },
        )


def _child_exit(server: Any, worker: Any) -> None:
    """A worker gone: its live gauges are dropped from the metrics (its counts stay)."""
    if os.environ.get(METRICS_DIR_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


class ConcordServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn with Concord's WSGI application and the given options."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from django.core.wsgi import get_wsgi_application
        from django.urls import get_resolver

        application = get_wsgi_application()
        # Import every view now, so a fresh worker's first request is not the slow one.
        get_resolver().url_patterns  # noqa: B018
        return application


def options_for(serve: dict[str, Any], *, access_log: bool = True) -> dict[str, Any]:
    """gunicorn's settings from Concord's (`settings.SERVE`, after any flags)."""
    return {
        "bind": [serve["bind"]],
        "workers": serve["workers"],
        "threads": serve["threads"],
        "worker_class": "gthread",
        "timeout": serve["timeout"],
        "graceful_timeout": serve["graceful_timeout"],
        "max_requests": serve["max_requests"],
        "max_requests_jitter": serve["max_requests_jitter"],
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "logger_class": JsonLogger,
        "proc_name": "concord",
        # Proxy headers are read by Django itself (CONCORD_TRUSTED_PROXIES, CONCORD_HTTPS).
        "forwarded_allow_ips": "127.0.0.1,::1",
        "child_exit": _child_exit,
        "control_socket_disable": True,
    }
