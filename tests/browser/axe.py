"""axe-core in the browser (issue 18): the engine is axe.min.js as shipped by the
axe-playwright-python wheel pinned in uv.lock (axe-core 4.12.1, MPL-2.0), read from the
installed package, so nothing is fetched at run time."""

from __future__ import annotations

import importlib.resources
import re
from typing import Any

from playwright.sync_api import Page

# WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

SOURCE = importlib.resources.files("axe_playwright_python").joinpath("axe.min.js").read_text()
VERSION = re.search(r"axe v([\d.]+)", SOURCE[:200]).group(1)  # type: ignore[union-attr]  # the banner is always there

RUN = """tags => axe.run(document, {runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"]}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact,
    help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: "
    + n.failureSummary.split("\\n").slice(1, 2).join(""))})))"""


def violations(page: Page) -> list[dict[str, Any]]:
    """The WCAG A and AA violations axe finds on the page as it stands."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(SOURCE)
    found: list[dict[str, Any]] = page.evaluate(RUN, WCAG_TAGS)
    return found


def report(where: str, found: list[dict[str, Any]]) -> list[str]:
    """One line per violation, naming the page, the rule and where it was found."""
    return [f"{where}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}" for v in found]
