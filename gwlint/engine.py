"""Run rules over a workspace: stamp each finding with its rule, sort, deduplicate."""

from gwlint.finding import Finding
from gwlint.model import Workspace
from gwlint.registry import Rule, load_rules


def run(ws: Workspace, rules: list[Rule] | None = None) -> list[Finding]:
    """Findings of the loading stage and of every rule, deterministic and sorted."""
    findings = list(ws.problems)
    for rule in rules if rules is not None else load_rules():
        for finding in rule.check(ws):
            finding.code, finding.name, finding.severity = rule.code, rule.name, rule.severity
            findings.append(finding)
    unique = {(f.path, f.line, f.code, f.message): f for f in findings}
    return sorted(unique.values(), key=Finding.sort_key)
