"""Run rules over a workspace: stamp each finding with its rule, apply config and suppressions, sort."""

from gwlint.engine.finding import Finding, capped
from gwlint.engine.registry import Rule, load_rules
from gwlint.model.workspace import Workspace


def known_codes(rules: list[Rule]) -> list[str]:
    """Every code a finding can carry: the rules' and the tool's own (GW9xx)."""
    from gwlint.engine.toolcodes import TOOL_CODES

    return sorted({r.code for r in rules} | {t.code for t in TOOL_CODES})


def run(ws: Workspace, rules: list[Rule] | None = None, config=None) -> list[Finding]:
    """Findings of the loading stage and of every selected rule, deterministic and sorted.

    `config` (a gwlint.engine.config.Config) selects rules, sets severities and drops per-file ignores;
    inline `gwlint: disable` suppressions apply always.
    """
    from gwlint.engine import suppress
    from gwlint.engine.config import Config

    config = config or Config()
    every = rules if rules is not None else load_rules()
    ws.rule_options = {key: config.options_for(rule) for rule in every if rule.options is not None
                       for key in (rule.name, rule.code)}
    findings = list(ws.problems)
    for rule in every:
        if not config.selects(rule.code):
            continue
        for finding in rule.check(ws):
            finding.code, finding.name, finding.severity = rule.code, rule.name, capped(rule.severity, finding.at_most)
            findings.append(finding)
    findings = [f for f in findings if config.selects(f.code) and not config.ignored_in(f.code, f.path)]
    findings = suppress.apply(findings, ws, known_codes(every), config.selects)
    findings = [f for f in findings if config.selects(f.code) and not config.ignored_in(f.code, f.path)]
    for f in findings:
        f.severity = config.severity_of(f.code, f.severity)
    unique = {(f.path, f.line, f.code, f.message): f for f in findings}
    return sorted(unique.values(), key=Finding.sort_key)
