"""Loaded by pytest before Django (`-p tests.environment`): the suite's environment."""

import os

# Tests run with production settings (DEBUG off) and a throwaway key.
os.environ.setdefault("CONCORD_SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnop")
os.environ.setdefault("CONCORD_LOG_LEVEL", "WARNING")
# Two-factor is required in production; the suite turns it on where it tests it.
os.environ.setdefault("CONCORD_REQUIRE_2FA", "false")
# Tasks run inline where they are enqueued; tests/core/test_worker.py runs real workers.
os.environ.setdefault("CONCORD_TASK_BACKEND", "immediate")
