"""The flags ruff and flake8 users expect, the help of every command, and shell completion."""

import json
import os
import re
import subprocess
import sys

import pytest
from conftest import gwlint as run

from gwlint.cli import parser
from gwlint.completion import _subcommands

SITE = "etc/nginx/sites-available/wordpress"


def findings(result) -> list[tuple[str, str, int]]:
    return [(f["code"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]]


@pytest.fixture
def demo(tmp_path, fixtures_dir):
    """fixtures/demo (GW301 x2 in the site, GW201 in the pool), outside the current directory."""
    import shutil

    shutil.copytree(fixtures_dir / "demo", tmp_path / "demo", symlinks=True)
    return tmp_path / "demo"


@pytest.mark.parametrize("args", [["-h"], ["--help"], ["check", "-h"], ["rules", "-h"], ["rule", "-h"],
                                  ["completion", "-h"]])
def test_short_and_long_help(args):
    r = run(*args)
    assert r.exit_code == 0 and r.stdout.startswith("usage: gwlint") and r.stderr == ""


def test_version_short_and_long():
    from gwlint import __version__

    assert run("-V").stdout == run("--version").stdout == f"gwlint {__version__}\n"


def test_select_accumulates_repeated_and_comma_separated_case_insensitive(demo):
    every = findings(run("check", str(demo), "--format", "json"))
    assert sorted(c for c, _, _ in every) == ["GW201", "GW301", "GW301"]
    repeated = run("check", str(demo), "--format", "json", "--select", "gw301", "--select", "GW201")
    comma = run("check", str(demo), "--format", "json", "--select", "gw301,Gw201")
    assert findings(repeated) == findings(comma) == every
    assert [c for c, _, _ in findings(run("check", str(demo), "--format", "json", "--select", "gw2"))] == ["GW201"]


def test_ignore_and_extend_ignore_add_up(demo):
    r = run("check", str(demo), "--format", "json", "--ignore", "gw301", "--extend-ignore", "GW201")
    assert (r.exit_code, findings(r)) == (0, [])


def test_extend_select_adds_to_the_config_selection(demo):
    (demo / ".gwlint.toml").write_text('select = ["GW2"]\n')
    assert [c for c, _, _ in findings(run("check", str(demo), "--format", "json"))] == ["GW201"]
    r = run("check", str(demo), "--format", "json", "--extend-select", "gw301")
    assert sorted(c for c, _, _ in findings(r)) == ["GW201", "GW301", "GW301"]


def test_unknown_code_is_a_usage_error_with_a_suggestion(demo):
    r = run("check", str(demo), "--select", "GW3001")
    assert r.exit_code == 2 and r.stderr == "gwlint: error: --select: unknown rule code 'GW3001'; did you mean 'GW301'?\n"


def test_exclude_drops_findings_in_matching_files_but_the_model_reads_them(demo):
    r = run("check", str(demo), "--format", "json", "--exclude", "etc/php")
    assert [c for c, _, _ in findings(r)] == ["GW301", "GW301"]  # the pools are still read: 'did you mean'
    assert "did you mean 127.0.0.1:9002" in json.loads(r.stdout)["findings"][0]["message"]
    r = run("check", str(demo), "--format", "json", "--exclude", "etc/php/*/fpm/pool.d/*.conf",
            "--extend-exclude", "etc/nginx/sites-*/word*")
    assert (r.exit_code, findings(r)) == (0, [])
    (demo / ".gwlint.toml").write_text('exclude = ["etc/nginx"]\n')
    assert [c for c, _, _ in findings(run("check", str(demo), "--format", "json"))] == ["GW201"]
    r = run("check", str(demo), "--format", "json", "--exclude", "etc/php")  # replaces the file's list
    assert [c for c, _, _ in findings(r)] == ["GW301", "GW301"]


def test_exit_zero_keeps_the_report_but_not_the_failure(demo, tmp_path):
    r = run("check", str(demo), "--exit-zero")
    assert r.exit_code == 0 and "GW301" in r.stdout
    assert run("check", str(tmp_path / "nope"), "--exit-zero").exit_code == 2


def test_quiet_prints_the_findings_and_nothing_else(demo):
    r = run("check", str(demo), "-q", "--output-format", "concise")
    assert r.exit_code == 1 and r.stderr == ""
    assert [line.split(":")[0] for line in r.stdout.splitlines()] == [SITE, SITE, "etc/php/8.2/fpm/pool.d/www.conf"]
    full = run("check", str(demo), "--quiet").stdout
    assert "fixable with --fix" not in full and full.endswith("\n") and not full.endswith("\n\n")
    fixed = run("check", str(demo), "--fix", "-q")
    assert (fixed.exit_code, fixed.stdout, fixed.stderr) == (0, "", "")  # not even "fixed ..." lines


def test_statistics_count_per_code(demo):
    r = run("check", str(demo), "--statistics")
    assert r.exit_code == 1
    assert r.stdout == "2  GW301  [*] fastcgi-pass-no-pool\n1  GW201  [ ] pool-user-without-listen-owner\n"
    doc = json.loads(run("check", str(demo), "--statistics", "--output-format", "json").stdout)
    assert doc == [{"code": "GW301", "name": "fastcgi-pass-no-pool", "count": 2, "fixable": True},
                   {"code": "GW201", "name": "pool-user-without-listen-owner", "count": 1, "fixable": False}]


def test_concise_is_one_line_per_finding_with_the_first_clause(demo):
    r = run("check", str(demo), "--output-format", "concise")
    lines = r.stdout.splitlines()
    assert lines[0] == (f"{SITE}:3: GW301 [*] upstream wp_admin server 127.0.0.1:9001: no PHP-FPM pool "
                        "listens on 127.0.0.1:9001")
    assert lines[-2:] == ["Checked nginx: 5 files, 1 server; php-fpm 8.2: 2 pools, php.ini + 1 conf.d file.",
                          "3 findings (3 error), 2 fixable with --fix (1 more with --unsafe-fixes)."]
    assert len(lines) == 5 and all(len(line) < 200 for line in lines)


def test_text_is_an_alias_of_full(demo):
    assert run("check", str(demo), "--format", "text").stdout == run("check", str(demo)).stdout


@pytest.mark.parametrize("env, flag, coloured", [
    ({}, [], False),                                    # not a terminal
    ({"FORCE_COLOR": "1"}, [], True),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], False),  # NO_COLOR wins in auto
    ({"NO_COLOR": "1"}, ["--color", "always"], True),   # the flag wins over both
    ({"FORCE_COLOR": "1"}, ["--color", "never"], False),
    ({}, ["--color", "always"], True),
])
def test_color_flag_and_environment(demo, monkeypatch, env, flag, coloured):
    for key in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for fmt in ("full", "concise"):
        r = run("check", str(demo), "--output-format", fmt, *flag)
        assert ("\033[" in r.stdout) == coloured


def test_usage_errors_are_one_line_with_a_hint():
    r = run("check", "--fial-on", "x")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == ("gwlint: error: unknown option --fial-on; did you mean --fail-on? "
                        "(`gwlint check --help` lists the options)\n")
    r = run("check", "--fail-on", "fatal")
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "invalid choice: 'fatal'" in r.stderr
    assert run("check", "--fail").exit_code == 2  # no abbreviations: a later option could make them ambiguous
    r = run()
    assert r.exit_code == 2 and r.stdout.startswith("usage: gwlint")


# help: every command renders clean help -------------------------------------------------------

def _helps() -> dict[str, str]:
    out = {"gwlint": run("--help").stdout}
    for name in _subcommands(parser()):
        out[f"gwlint {name}"] = run(name, "--help").stdout
    return out


def test_a_run_builds_only_its_command_and_it_is_the_same_command():
    """`gwlint check ...` builds only `check` (start-up time); help and parsing are unchanged."""
    full = _subcommands(parser())
    for name, command in full.items():
        alone = _subcommands(parser(name))
        assert list(alone) == [name]
        assert alone[name].format_help() == command.format_help()
    assert parser("check").parse_args(["check", "--select", "gw301", "x"]).select == ["GW301"]


def test_every_commands_help_is_clean():
    helps = _helps()
    assert set(helps) >= {"gwlint", "gwlint check", "gwlint rules", "gwlint rule", "gwlint doctor", "gwlint completion"}
    for name, text in helps.items():
        assert text.startswith(f"usage: {name} "), name
        assert not re.search(r"<[a-z]+(\[|>)|\[\[|\]\]|\{[a-z]+,|\s\.(\s|$)|None|list\[|\bPath\b|\bstr\b", text), \
            (name, text)
        assert all(len(line) <= 100 for line in text.splitlines()), name
    check = helps["gwlint check"]
    assert check.splitlines()[0] == "usage: gwlint check [OPTIONS] [ROOT] [FILE]..."
    for shown in ("  --fix  ", "  --diff  ", "  --exit-zero  ", "  -q, --quiet  ", "  --statistics  ",
                  "--select CODES", "--extend-select CODES", "--ignore CODES", "--extend-ignore CODES",
                  "--exclude GLOBS", "--fail-on SEVERITY", "--color WHEN", "-o, --output FILE",
                  "--output-format, --format FORMAT", "--root ROOT", "ROOT | FILE", "--nginx FILE"):
        assert shown in check, shown
    assert helps["gwlint rule"].splitlines()[0] == "usage: gwlint rule CODE"
    assert "\n  check " in helps["gwlint"] and "COMMAND\n" not in helps["gwlint"]


# completion -----------------------------------------------------------------------------------

def complete(line: str) -> list[str]:
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    env = {**os.environ, "_GWLINT_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)}
    return subprocess.run([sys.executable, "-m", "gwlint"], env=env, capture_output=True, text=True).stdout.split()


def test_completion_knows_every_choice_and_rule_codes():
    assert complete("gwlint ch") == ["check"]
    assert complete("gwlint check --fail-on ") == ["error", "warning", "info"]
    assert complete("gwlint check --output-format ") == ["full", "concise", "json", "sarif", "github"]
    assert complete("gwlint check --color ") == ["auto", "always", "never"]
    assert complete("gwlint check --context s") == ["server"]
    assert complete("gwlint rules --format ") == ["text", "markdown", "json"]
    assert complete("gwlint completion ") == ["bash", "zsh", "fish"]
    assert complete("gwlint check --select gw30") == ["GW301", "GW302", "GW303", "GW304", "GW305", "GW306"]
    assert complete("gwlint check --ignore GW101,GW10")[:2] == ["GW101,GW101", "GW101,GW102"]
    assert "GW301" in complete("gwlint rule ") and complete("gwlint rule fastcgi-pass") == ["fastcgi-pass-no-pool"]
    assert complete("gwlint check --nginx ") == []  # a FILE: the shell completes file names
    assert "--extend-select" in complete("gwlint check --ext")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell):
    r = run("completion", shell)
    assert r.exit_code == 0 and "_GWLINT_COMPLETE=complete_" + shell in r.stdout


def test_bash_completion_script_runs_in_bash(tmp_path):
    import shutil

    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    gwlint = tmp_path / "bin" / "gwlint"
    gwlint.parent.mkdir()
    gwlint.write_text(f"#!/bin/sh\nexec {sys.executable} -m gwlint \"$@\"\n")
    gwlint.chmod(0o755)
    script = run("completion", "bash").stdout
    probe = (f'{script}\nCOMP_WORDS=(gwlint check --fail-on w); COMP_CWORD=3; _gwlint_completion; '
             'printf "%s\\n" "${COMPREPLY[@]}"')
    out = subprocess.run([bash, "-c", probe], capture_output=True, text=True,
                         env={**os.environ, "PATH": f"{gwlint.parent}:{os.environ['PATH']}"})
    assert out.stdout == "warning\n", out.stderr
