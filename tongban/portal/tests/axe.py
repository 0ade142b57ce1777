"""axe-core (installed from npm, ``package.json`` devDependencies) run inside a
Playwright page.

Our CSP refuses scripts without the response's nonce, so ``page.add_script_tag``
would be blocked; the source is evaluated instead (Playwright's ``evaluate`` runs in
the page through the DevTools protocol, which CSP does not govern)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
# WCAG 2.1 A and AA (GB/T 37668-2019, China's web accessibility standard, follows WCAG
# 2.0 AA) plus axe's best practices (landmarks, one h1, heading order).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@cache
def axe_source() -> str:
    if not AXE_PATH.exists():
        raise FileNotFoundError(f"{AXE_PATH} is missing: run `npm ci` (make setup-test).")
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations(page, *, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """The violations axe finds on ``page`` as it is now, those of ``impacts`` only,
    each with its rule id, impact, help text and the selectors of the offending
    nodes."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                               resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                          nodes: v.nodes.map(n => n.target.join(" "))}));
        }""",
        TAGS,
    )
    return [v for v in result if v["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    """A readable failure message: one line per rule with the first offending nodes."""
    return "\n".join(
        f"{v['impact']}: {v['id']} — {v['help']} — {', '.join(v['nodes'][:5])}" for v in violations
    )
