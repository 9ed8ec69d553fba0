"""axe-core in the browser tests: ``assert_accessible(page)`` fails on any violation.

axe-core is not in git (decision 0021): ``tests/e2e/axe/package.json`` pins it and the
Makefile's ``test-e2e`` installs it with ``npm ci`` into ``tests/e2e/axe/node_modules``. When
it is missing the accessibility tests skip, except with ``CI=true``, where they fail.

The script is injected into every frame of the page (so the embed's chat frame is checked
from the page around it) and run with the rules tagged WCAG 2.0/2.1 A and AA and axe's best
practices, among them every piece of content inside a landmark (``region``), one main
landmark (``landmark-one-main``) and only roles an element allows (``aria-allowed-role``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE_SCRIPT = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA, and axe's best practices, which hold the rules issue 10
# named besides ``listitem``: ``region``, ``landmark-one-main``, ``aria-allowed-role``.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
        iframes: true,
    });
    return results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.map((node) => ({
            // A target is a list of selectors: one per frame, a list itself in a shadow root.
            target: node.target.map((part) => [].concat(part).join(" >>> ")).join(" >>> "),
            summary: node.failureSummary,
        })),
    }));
}"""


def axe_source() -> str:
    """The script's text, or a skip (a failure with CI=true) when it was not installed."""
    if AXE_SCRIPT.is_file():
        return AXE_SCRIPT.read_text(encoding="utf-8")
    message = (
        f"axe-core is not installed ({AXE_SCRIPT} is missing): run `make test-e2e`, or "
        "`npm ci --ignore-scripts` in tests/e2e/axe (decision 0021)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; with CI=true the accessibility checks are mandatory")
    pytest.skip(message)


def violations(page) -> list[dict]:
    """Run axe on the page as it is now, its frames included."""
    source = axe_source()
    for frame in page.frames:
        # Evaluated, not added as a <script>: the pages' Content-Security-Policy refuses
        # inline scripts, and the test should see the page under its real policy.
        frame.evaluate(f"() => {{ {source}\n}}")
    return page.evaluate(RUN_AXE, TAGS)


def describe(found: list[dict]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}")
            summary = " ".join((node["summary"] or "").split())
            if summary:
                lines.append(f"        {summary}")
    return "\n".join(lines)


def assert_accessible(page, where: str) -> None:
    found = violations(page)
    assert not found, f"axe-core found {len(found)} violation(s) on {where}:\n{describe(found)}"
