"""The rule contract: every rule module documents itself, has its own tests, and its code once."""

import types
from pathlib import Path

import pytest

from gwlint.engine.finding import Severity
from gwlint.engine.registry import DOC_SECTIONS, RuleError, _validate, load_rules

TESTS = Path(__file__).resolve().parent
RULES = load_rules()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_docstring_has_every_section_in_order(rule):
    positions = [rule.doc.find(section) for section in DOC_SECTIONS]
    assert -1 not in positions, f"{rule.module} lacks {[s for s, p in zip(DOC_SECTIONS, positions, strict=False) if p < 0]}"
    assert positions == sorted(positions), f"{rule.module}: sections out of order"
    assert rule.summary and not rule.summary.startswith("#")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_check_is_typed_workspace_to_findings(rule):
    """`check(ws: Workspace) -> Iterator[Finding]`, so that mypy checks each rule against the model."""
    import typing
    from collections.abc import Iterator

    from gwlint.rule import Finding, Workspace

    assert typing.get_type_hints(rule.check) == {"ws": Workspace, "return": Iterator[Finding]}, rule.module


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_each_rule_module_has_its_test_file(rule):
    assert (TESTS / f"test_rule_{rule.module.rsplit('.', 1)[1]}.py").is_file()


def test_codes_and_names_are_unique_and_sorted():
    assert [r.code for r in RULES] == sorted({r.code for r in RULES})
    assert len({r.name for r in RULES}) == len(RULES)


def module(**attrs) -> types.ModuleType:
    mod = types.ModuleType("gwlint.rules.example")
    mod.__doc__ = "Example.\n\n" + "\n".join(f"{s}\nx\n" for s in DOC_SECTIONS)
    for key, value in {"CODE": "GW399", "NAME": "example-rule", "SEVERITY": Severity.ERROR,
                       "check": lambda ws: [], **attrs}.items():
        setattr(mod, key, value)
    return mod


@pytest.mark.parametrize("attrs, error", [
    ({"CODE": "GW39"}, "is not GWnnn"),
    ({"NAME": "Example_Rule"}, "is not kebab-case"),
    ({"SEVERITY": "error"}, "is not a Severity"),
    ({"__doc__": "Example.\n\n## What it does\nx"}, "the docstring needs a summary line, then the sections"),
    ({"OPTIONS": dict}, "OPTIONS declares no option"),
    ({"OPTIONS": 3}, "OPTIONS is not a class"),
])
def test_a_module_breaking_the_contract_is_refused(attrs, error):
    assert _validate(module()).code == "GW399"
    with pytest.raises(RuleError, match=error):
        _validate(module(**attrs))
