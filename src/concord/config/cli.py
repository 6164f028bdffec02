"""The `concord` console script: Django's management commands with Concord's settings."""

from __future__ import annotations

import os
import sys
import tempfile


def main() -> None:
    """Run a management command, e.g. `concord migrate` or `concord seed_demo`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.config.settings")
    if sys.argv[1:2] == ["serve"] and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Before anything imports prometheus_client: the web workers then share their metrics
        # through this directory (removed again by `serve` when it stops).
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="concord-metrics-")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A bad setting stops start-up with one clear line, not a traceback.
        print(f"concord: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
