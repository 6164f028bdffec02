"""The `concord` console script: Django's management commands with Concord's settings."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a management command, e.g. `concord migrate` or `concord seed_demo`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.config.settings")
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
