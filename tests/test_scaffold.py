"""`make new-rule` (scripts/new_rule.py): the scaffold is a rule the registry and meta-tests accept."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import gwlint.rules
from gwlint.engine.registry import DOC_SECTIONS, load_rules

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "new_rule.py"


def _script():
    spec = importlib.util.spec_from_file_location("new_rule", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scaffolded_rule_is_discovered_documented_and_its_test_passes(tmp_path, monkeypatch):
    rules_dir, tests_dir = tmp_path / "rules", tmp_path / "tests"
    rules_dir.mkdir()
    tests_dir.mkdir()
    rule_file, test_file = _script().scaffold("example-scaffolded-rule", "GW399", "info",
                                              rules_dir=rules_dir, tests_dir=tests_dir)
    assert (rule_file.name, test_file.name) == ("example_scaffolded_rule.py", "test_rule_example_scaffolded_rule.py")
    monkeypatch.setattr(gwlint.rules, "__path__", [*gwlint.rules.__path__, str(rules_dir)])
    monkeypatch.delitem(sys.modules, "gwlint.rules.example_scaffolded_rule", raising=False)
    try:
        (rule,) = [r for r in load_rules() if r.code == "GW399"]  # validated as every rule is
        assert (rule.name, rule.severity.value, rule.fixable) == ("example-scaffolded-rule", "info", False)
        positions = [rule.doc.find(section) for section in DOC_SECTIONS]
        assert -1 not in positions and positions == sorted(positions)
        spec = importlib.util.spec_from_file_location("scaffolded_test", test_file)
        generated = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(generated)
        generated.test_flags_what_it_should_and_nothing_else(tmp_path / "tree")
    finally:
        sys.modules.pop("gwlint.rules.example_scaffolded_rule", None)


def test_taken_code_or_name_and_bad_input_are_refused(tmp_path):
    script = _script()
    with pytest.raises(ValueError, match=r"GW301 or new-name is taken by fastcgi_pass_no_pool\.py"):
        script.scaffold("new-name", "GW301", rules_dir=REPO / "rules", tests_dir=tmp_path)
    with pytest.raises(ValueError, match="is taken"):
        script.scaffold("fastcgi-pass-no-pool", "GW398", rules_dir=REPO / "rules", tests_dir=tmp_path)
    with pytest.raises(ValueError, match="not kebab-case"):
        script.scaffold("Bad_Name", "GW398", rules_dir=tmp_path, tests_dir=tmp_path)
    with pytest.raises(ValueError, match="not GWnnn"):
        script.scaffold("good-name", "GW9999", rules_dir=tmp_path, tests_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_command_line_exit_codes(tmp_path):
    args = [sys.executable, str(SCRIPT), "example-cli-rule", "GW398", "--rules-dir", str(tmp_path),
            "--tests-dir", str(tmp_path)]
    first = subprocess.run(args, capture_output=True, text=True)
    assert first.returncode == 0 and first.stdout.split() == [str(tmp_path / "example_cli_rule.py"),
                                                              str(tmp_path / "test_rule_example_cli_rule.py")]
    again = subprocess.run(args, capture_output=True, text=True)
    assert again.returncode == 2 and again.stderr.startswith("new-rule: ") and again.stderr.count("\n") == 1
