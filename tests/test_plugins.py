"""Rule plugins: rules from installed packages (entry-point group `gwlint.rules`), validated like ours.

tests/plugin_example is a plugin package with the dist-info pip would write; putting its directory
on sys.path installs it as far as importlib.metadata is concerned.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import gwlint as run
from readme_snippets import snippet

from gwlint import api
from gwlint.engine.registry import RuleError, load_rules
from gwlint.testing import write_tree

PLUGIN = Path(__file__).resolve().parent / "plugin_example"
NGINX = """events {}
http {
    client_max_body_size 2G;
    server {
        listen 80;
        client_max_body_size 10m;
    }
}
"""


@pytest.fixture
def plugin(monkeypatch):
    monkeypatch.syspath_prepend(str(PLUGIN))
    yield PLUGIN
    for name in [m for m in sys.modules if m.startswith("gwlint_example_plugin")]:
        del sys.modules[name]


def _tree(tmp_path, extra=None):
    return write_tree({"etc/nginx/nginx.conf": NGINX, **(extra or {})}, tmp_path / "tree")


def test_plugin_rule_is_loaded_listed_and_documented(plugin):
    (rule,) = [r for r in load_rules() if r.code == "EX101"]
    assert (rule.name, rule.plugin, rule.fixable) == ("body-size-above-maximum", "gwlint-example-plugin", False)
    rows = {row["code"]: row for row in json.loads(run("rules", "--format", "json").stdout)}
    assert rows["EX101"]["name"] == "body-size-above-maximum" and "GW301" in rows
    doc = run("rule", "EX101").stdout
    assert doc.startswith("EX101 body-size-above-maximum (warning, no automatic fix, plugin gwlint-example-plugin)")
    assert "## Options" in doc and "`maximum` (int, default 104857600)" in doc


def test_plugin_finding_with_its_options_select_and_suppressions(plugin, tmp_path):
    root = _tree(tmp_path)
    (found,) = [f for f in api.lint(root).findings if f.code == "EX101"]
    assert (found.path, found.line, found.severity.value) == ("etc/nginx/nginx.conf", 3, "warning")
    assert "client_max_body_size 2G is above the maximum 100M" in found.message
    assert [f.code for f in api.lint(root, {"select": ["EX"]}).findings] == ["EX101"]  # prefixes work too
    (root / ".gwlint.toml").write_text('[rules.body-size-above-maximum]\nmaximum = "4G"\n')
    assert "EX101" not in [f.code for f in api.lint(root).findings]
    (root / ".gwlint.toml").write_text('[rules.body-size-above-maximum]\nmaximun = "4G"\n')
    bad = run("check", str(root))
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1
    assert "rules.body-size-above-maximum.maximun: unknown option; did you mean 'maximum'?" in bad.stderr
    (root / ".gwlint.toml").unlink()
    conf = root / "etc/nginx/nginx.conf"
    conf.write_text(NGINX.replace("2G;", "2G;  # gwlint: disable=EX101 -- uploads of disk images"))
    assert "EX101" not in [f.code for f in api.lint(root).findings]


def test_installed_plugin_runs_in_a_fresh_gwlint_process(tmp_path):
    """The real thing: the console script finds the entry point through importlib.metadata."""
    root = _tree(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(PLUGIN), "GWLINT_NO_CACHE": "1"}
    out = subprocess.run([str(Path(sys.executable).parent / "gwlint"), "check", str(root), "--format", "json"],
                         capture_output=True, text=True, env=env)
    assert out.returncode == 1, out.stderr
    assert [(f["code"], f["line"]) for f in json.loads(out.stdout)["findings"]] == [("EX101", 3)]


def _bad_plugin(tmp_path, monkeypatch, code: str, doc: str | None = None) -> Path:
    base = tmp_path / "bad_plugin"
    sections = "\n\n".join(f"## {s}\nx" for s in ("What it does", "Why is this bad?", "Example", "Use instead",
                                                 "Fix", "References"))
    (base / "bad_rules_pkg").mkdir(parents=True)
    (base / "bad_rules_pkg" / "__init__.py").write_text("")
    (base / "bad_rules_pkg" / "rule.py").write_text(
        f'"""{doc or "Summary." + chr(10) + chr(10) + sections}"""\n'
        "from gwlint.engine.finding import Severity\n"
        f'CODE = "{code}"\nNAME = "bad-rule"\nSEVERITY = Severity.INFO\n\n\ndef check(ws):\n    return []\n')
    info = base / "bad_rules_pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: bad-rules-pkg\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[gwlint.rules]\nbad = bad_rules_pkg\n")  # a package of rules
    monkeypatch.syspath_prepend(str(base))
    monkeypatch.delitem(sys.modules, "bad_rules_pkg", raising=False)
    monkeypatch.delitem(sys.modules, "bad_rules_pkg.rule", raising=False)
    return base


def test_a_package_entry_point_loads_its_modules(tmp_path, monkeypatch):
    _bad_plugin(tmp_path, monkeypatch, "ZZ101")
    assert [r.name for r in load_rules() if r.code == "ZZ101"] == ["bad-rule"]


@pytest.mark.parametrize("code, doc, error", [
    ("GW399", None, "'GW399' is not 2-5 capital letters and 3 digits outside GW (GW is reserved"),
    ("GW301", None, "GW is reserved for gwlint's built-in rules"),
    ("ZZ101", "Summary only.", "the docstring needs a summary line, then the sections What it does"),
])
def test_a_plugin_breaking_the_contract_is_refused_with_its_name(tmp_path, monkeypatch, code, doc, error):
    _bad_plugin(tmp_path, monkeypatch, code, doc)
    with pytest.raises(RuleError, match="rule plugin 'bad' \\(bad_rules_pkg, from bad-rules-pkg\\)"):
        load_rules()
    r = run("check", str(_tree(tmp_path)))
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and error in r.stderr
    assert run("rules").exit_code == 2


def test_a_plugin_reusing_a_name_is_refused(tmp_path, monkeypatch):
    _bad_plugin(tmp_path, monkeypatch, "ZZ101")
    (tmp_path / "bad_plugin" / "bad_rules_pkg" / "rule.py").write_text(
        (tmp_path / "bad_plugin" / "bad_rules_pkg" / "rule.py").read_text().replace("bad-rule", "fastcgi-pass-no-pool"))
    with pytest.raises(RuleError, match="fastcgi-pass-no-pool is defined by both"):
        load_rules()


def test_readme_shows_the_example_plugin(plugin):
    assert snippet("plugin-pyproject") in (PLUGIN / "pyproject.toml").read_text()
    module = (PLUGIN / "gwlint_example_plugin" / "body_size_above_maximum.py").read_text()
    assert snippet("plugin-rule") in module
