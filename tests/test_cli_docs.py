"""`gwlint rules`, `gwlint rule`, the README's rules table, --version, python -m, completion, start-up."""

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import gwlint as run

from gwlint import __version__
from gwlint.engine import ruledocs
from gwlint.engine.registry import load_rules
from gwlint.engine.toolcodes import TOOL_CODES

README = Path(__file__).resolve().parent.parent / "README.md"
GWLINT = Path(sys.executable).parent / "gwlint"


def test_readme_rules_table_is_what_gwlint_rules_prints():
    r = run("rules", "--format", "markdown")
    assert r.exit_code == 0
    assert ruledocs.readme_table(README.read_text()) == r.stdout, "run `make readme-rules`"


def test_rules_lists_every_rule_and_tool_code_once():
    rows = json.loads(run("rules", "--format", "json").stdout)
    codes = [row["code"] for row in rows]
    assert codes == sorted({r.code for r in load_rules()} | {t.code for t in TOOL_CODES})
    gw301 = next(row for row in rows if row["code"] == "GW301")
    assert gw301 == {"code": "GW301", "name": "fastcgi-pass-no-pool", "severity": "error", "fixable": True,
                     "summary": load_rules()[[r.code for r in load_rules()].index("GW301")].summary}
    text = run("rules").stdout.splitlines()
    assert text[0].split() == ["Code", "Name", "Severity", "Fixable", "Summary"]
    assert text[1 + codes.index("GW301")].split()[:4] == ["GW301", "fastcgi-pass-no-pool", "error", "yes"]


def test_rule_prints_the_docs_by_code_or_name_and_suggests_on_a_typo():
    r = run("rule", "gw301")
    assert r.exit_code == 0
    assert r.stdout.startswith("GW301 fastcgi-pass-no-pool (error, fixable with --fix)\n\n")
    assert "## Why is this bad?" in r.stdout and "## References" in r.stdout
    assert run("rule", "fastcgi-pass-no-pool").stdout == r.stdout
    assert run("rule", "GW910").stdout.startswith("GW910 unused-suppression (warning)")
    bad = run("rule", "fastcgi-pass-no-pol")
    assert bad.exit_code == 2 and "did you mean fastcgi-pass-no-pool?" in bad.stderr


def test_version_via_the_script_and_python_m():
    for cmd in ([str(GWLINT), "--version"], [sys.executable, "-m", "gwlint", "--version"]):
        out = subprocess.run(cmd, capture_output=True, text=True)
        assert (out.returncode, out.stdout) == (0, f"gwlint {__version__}\n")


def test_shell_completion_completes_commands_and_options():
    def complete(words: str, cword: int) -> list[str]:
        env = {**os.environ, "_GWLINT_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
        return subprocess.run([str(GWLINT)], env=env, capture_output=True, text=True).stdout.split()

    assert complete("gwlint ru", 1) == ["rules", "rule"]
    assert complete("gwlint check --fail", 2) == ["--fail-on"]


def test_cli_import_stays_light_for_pre_commit():
    code = ("import sys, gwlint.cli; heavy = ['crossplane', 'gwlint.model.workspace', 'gwlint.engine.registry', "
            "'jsonschema', 'tomllib', 'gwlint.output.sarif']; print([m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_a_check_run_does_not_import_typing_dataclasses_inspect_weakref_or_pathlib(fixtures_dir):
    """Start-up: together ~30 ms of every run (README, Performance). Plain classes (gwlint.records),
    `TYPE_CHECKING = False` and string paths (pathlib pulls in urllib.parse and ipaddress) keep them
    off the path of `gwlint check`; the compose and map-table readers load only for trees that have
    such files. (An editable install imports pathlib at start-up: dropped first, it must not return.)"""
    code = ("import sys; [sys.modules.pop(m, None) for m in ('pathlib', 'urllib.parse', 'ipaddress')]; "
            "from gwlint.cli import app; code = app(['check', '--no-cache', sys.argv[1]]); "
            "heavy = ['typing', 'dataclasses', 'inspect', 'weakref', 'pathlib', 'urllib.parse', 'ipaddress', "
            "'gwlint.load.compose', 'gwlint.load.mapbody']; "
            "sys.stderr.write(repr((code, [m for m in heavy if m in sys.modules])))")
    out = subprocess.run([sys.executable, "-c", code, str(fixtures_dir / "debian-socket-mismatch")],
                         capture_output=True, text=True)
    assert out.stderr == "(1, [])", out.stderr


def test_a_warm_cache_run_does_not_import_tempfile_or_hashlib(fixtures_dir, tmp_path):
    """tempfile (with random, ~4 ms) is imported only to write a changed cache; hashlib (OpenSSL's
    start-up, ~11 M instructions) never: the cache's blake2b comes from gwlint.digest."""
    import shutil

    tree = shutil.copytree(fixtures_dir / "debian-socket-mismatch", tmp_path / "tree")
    code = ("import sys; from gwlint.cli import app; code = app(['check', sys.argv[1]]); "
            "sys.stderr.write(repr((code, 'tempfile' in sys.modules, 'hashlib' in sys.modules)))")
    env = {k: v for k, v in os.environ.items() if k != "GWLINT_NO_CACHE"}  # (the suite sets it)
    runs = [subprocess.run([sys.executable, "-c", code, str(tree)], capture_output=True, text=True, env=env).stderr
            for _ in range(2)]
    assert runs == ["(1, True, False)", "(1, False, False)"] and (tree / ".gwlint_cache").is_dir()
