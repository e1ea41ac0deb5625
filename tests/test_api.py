"""gwlint.api: lint() and fix() are the run the CLI makes (same config, severities, diff)."""

import contextlib
import io
import json
import shutil

import pytest
from conftest import FIXTURES
from conftest import gwlint as run
from readme_snippets import snippet

from gwlint import api, testing
from gwlint.errors import InputError

SITE = "etc/nginx/sites-available/default"


@pytest.fixture
def deploy(tmp_path, monkeypatch):
    """fixtures/debian-socket-mismatch as ./deploy (one GW301 at sites-available/default:18)."""
    shutil.copytree(FIXTURES / "debian-socket-mismatch", tmp_path / "deploy", symlinks=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "deploy"


def test_readme_example_runs(deploy):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(snippet("python-api"), "README.md", "exec"), {})
    text = out.getvalue()
    assert f"{SITE}:18: GW301 warning: fastcgi_pass unix:/run/php/php8.1-fpm.sock" in text
    assert "exit code 1" in text
    assert "+        fastcgi_pass unix:/run/php/php8.2-fpm.sock;" in text and "1 fixed, 0 remain" in text
    assert "php8.1" in (deploy / SITE).read_text()  # write=False: nothing written


def test_lint_reads_the_config_the_cli_reads(deploy, monkeypatch):
    (deploy / ".gwlint.toml").write_text('[severity]\nGW301 = "info"\n')
    result = api.lint(deploy)
    assert [(f.path, f.line, f.code, f.severity.value) for f in result.findings] == [(SITE, 18, "GW301", "info")]
    monkeypatch.chdir(deploy)  # the CLI shows paths from the current directory
    cli = json.loads(run("check", ".", "--format", "json").stdout)["findings"]
    assert [(f["path"], f["line"], f["code"], f["severity"], f["message"]) for f in cli] == \
        [(f.path, f.line, f.code, f.severity.value, f.message) for f in result.findings]
    assert api.lint(deploy, {"ignore": ["GW301"]}).findings == []  # an explicit config replaces the file
    assert api.lint(deploy, {"fail-on": "warning"}).exit_code == 1  # GW301 is an error again
    assert api.lint(deploy, {"severity": {"GW301": "warning"}, "fail-on": "error"}).exit_code == 0


def test_fix_diff_is_the_cli_diff_and_write_applies_it(deploy, monkeypatch):
    fixed = api.fix(deploy)
    monkeypatch.chdir(deploy)  # the CLI shows paths from the current directory
    assert fixed.diff == run("check", ".", "--diff").stdout != ""
    assert "php8.1" in (deploy / SITE).read_text()
    written = api.fix(deploy, write=True)
    assert written.findings == [] and written.exit_code == 0 and [f.code for f in written.fixes.applied] == ["GW301"]
    assert "fastcgi_pass unix:/run/php/php8.2-fpm.sock;" in (deploy / SITE).read_text()
    assert api.lint(deploy).findings == []


def test_nginx_texts_are_not_kept_once_parsed_yet_source_lines_and_fixes_read_them(deploy, monkeypatch):
    result = api.lint(deploy)
    kept = {result.workspace.root.rel(p) for p in result.workspace.root._texts}  # (~14 MB on 10,000 sites)
    assert "etc/nginx/nginx.conf" not in kept
    monkeypatch.chdir(deploy)
    assert "    18 |         fastcgi_pass unix:/run/php/php8.1-fpm.sock;\n" in run("check", ".").stdout
    assert "\n+        fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n" in api.fix(deploy).diff


def test_files_narrow_the_report(deploy):
    assert api.lint(deploy, files=["etc/php/8.2/fpm/pool.d/www.conf"]).findings != []  # related location
    assert api.lint(deploy, files=["etc/nginx/nginx.conf"]).findings == []


def test_bad_config_is_one_line_input_error(deploy):
    with pytest.raises(InputError, match=r"^fail-onn: unknown key; did you mean 'fail-on'\?$"):
        api.lint(deploy, {"fail-onn": "error"})
    (deploy / ".gwlint.toml").write_text("select = [\"GW3011\"]\n")
    with pytest.raises(InputError, match="unknown rule code 'GW3011'; did you mean 'GW301'"):
        api.lint(deploy)


def test_testing_lint_goes_through_the_api_config(deploy):
    r = testing.lint_tree(deploy, config={"severity": {"GW301": "info"}})
    assert [(f.code, f.severity.value) for f in r.findings] == [("GW301", "info")]
    assert r.fixed_line(SITE, 18) == "        fastcgi_pass unix:/run/php/php8.2-fpm.sock;"
    assert r.relint().findings == [] and r.config.severity == {"GW301": "info"}


def test_the_cli_and_doctor_run_through_api_run(deploy, monkeypatch):
    """One orchestration: `check` (each tree ROOT holds, --diff) and `doctor` lint through api.Run."""
    linted = []
    original = api.Run.lint

    def spy(self, ws):
        linted.append(self.prefix)
        return original(self, ws)

    monkeypatch.setattr(api.Run, "lint", spy)
    shutil.copytree(deploy, deploy.parent / "repo" / "hosts" / "web1", symlinks=True)
    shutil.copytree(deploy, deploy.parent / "repo" / "hosts" / "web2", symlinks=True)
    found = json.loads(run("check", "repo", "--format", "json").stdout)["findings"]
    assert sorted(linted) == ["hosts/web1", "hosts/web2"]
    assert [(f["path"], f["code"]) for f in found] == [(f"repo/hosts/{h}/{SITE}", "GW301") for h in ("web1", "web2")]
    linted.clear()
    assert run("check", "deploy", "--diff").exit_code == 1 and len(linted) > 1 and set(linted) == {""}  # fix loop
    linted.clear()
    assert run("doctor", "deploy", "--no-live").exit_code in (0, 1) and linted == [""]
