"""`gwlint check` end to end: every fixture, exit codes, the JSON contract, and bad input.

Most run the CLI in-process (`gwlint.testing.CliRunner`: the same arguments, output and exit
codes, without an interpreter start each); those marked "process" run `python -m gwlint`."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from gwlint.cli import app
from gwlint.testing import CliRunner, write_tree

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CLEAN = sorted(p.name for p in FIXTURES.iterdir() if p.name.endswith("-clean"))


def gwlint(*args, cwd=None) -> SimpleNamespace:
    """The CLI in-process (from `cwd` when given), its result shaped as subprocess.run's."""
    here = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, [str(a) for a in args])
    finally:
        os.chdir(here)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


def gwlint_process(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gwlint", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_every_clean_layout_has_a_fixture():
    assert {"alpine-clean", "debian-clean", "docker-clean", "rhel-clean"} <= set(CLEAN)


@pytest.mark.parametrize("name", CLEAN)
def test_clean_fixture_exits_0_with_no_findings(name):
    run = gwlint("check", FIXTURES / name)
    assert (run.returncode, run.stdout, run.stderr) == (0, "All checks passed.\n", "")
    doc = json.loads(gwlint("check", FIXTURES / name, "--format", "json").stdout)
    assert doc["findings"] == [] and doc["summary"]["total"] == 0


def test_socket_mismatch_fixture_text():  # process
    run = gwlint_process("check", cwd=FIXTURES / "debian-socket-mismatch")
    assert run.returncode == 1 and run.stderr == ""
    lines = run.stdout.splitlines()
    assert lines[0].startswith("etc/nginx/sites-available/default:18: GW301 error: fastcgi_pass "
                               "unix:/run/php/php8.1-fpm.sock: no PHP-FPM pool listens")
    assert "    18 |         fastcgi_pass unix:/run/php/php8.1-fpm.sock;" in lines
    assert "    = etc/php/8.2/fpm/pool.d/www.conf:9: pool 'www' listens on unix:/run/php/php8.2-fpm.sock" in lines
    assert lines[-1] == "1 finding (1 error), 1 fixable with --fix."


def test_socket_mismatch_fixture_json_contract():
    run = gwlint("check", "--format", "json", cwd=FIXTURES / "debian-socket-mismatch")
    assert run.returncode == 1
    doc = json.loads(run.stdout)
    assert set(doc) == {"version", "tool", "root", "findings", "errors", "summary"} and doc["errors"] == []
    assert doc["version"] == 1 and set(doc["tool"]) == {"name", "version"}
    assert set(doc["summary"]) == {"total", "error", "warning", "info", "fixable"}
    (finding,) = doc["findings"]
    assert set(finding) == {"code", "name", "severity", "message", "path", "line", "related", "fix"}
    assert (finding["code"], finding["name"], finding["severity"]) == ("GW301", "fastcgi-pass-no-pool", "error")
    assert (finding["path"], finding["line"]) == ("etc/nginx/sites-available/default", 18)
    assert finding["related"] == [{"path": "etc/php/8.2/fpm/pool.d/www.conf", "line": 9,
                                   "label": "pool 'www' listens on unix:/run/php/php8.2-fpm.sock"}]
    fix = finding["fix"]
    assert set(fix) == {"title", "applicability", "edits"} and fix["applicability"] == "safe"
    assert fix["edits"] == [{"path": "etc/nginx/sites-available/default", "start": 18, "end": 18,
                             "lines": ["        fastcgi_pass unix:/run/php/php8.2-fpm.sock;"]}]


def test_demo_fixture_has_the_socket_mismatch():
    run = gwlint("check", "--format", "json", cwd=FIXTURES / "demo")
    assert run.returncode == 1
    found = {(f["code"], f["path"], f["line"]) for f in json.loads(run.stdout)["findings"]}
    assert {("GW301", "etc/nginx/sites-available/wordpress", 30),
            ("GW301", "etc/nginx/sites-available/wordpress", 3)} <= found


def test_default_root_is_the_current_directory():
    run = gwlint("check", cwd=FIXTURES / "debian-socket-mismatch")
    assert run.returncode == 1 and run.stdout.startswith("etc/nginx/sites-available/default:18: GW301")


def test_explicit_files(tmp_path):
    shutil.copytree(FIXTURES / "debian-socket-mismatch", tmp_path / "t", symlinks=True)
    run = gwlint("check", tmp_path / "t", "--nginx", tmp_path / "t/etc/nginx/nginx.conf",
                 "--fpm", tmp_path / "t/etc/php/8.2/fpm/php-fpm.conf")
    assert run.returncode == 1 and "GW301" in run.stdout
    run = gwlint("check", tmp_path / "t", "--nginx", tmp_path / "t/etc/nginx/nginx.conf")
    assert run.returncode == 1 and "GW301" in run.stdout  # --nginx replaces nginx discovery only
    (tmp_path / "t/etc/php/8.2/fpm/pool.d/www.conf").rename(tmp_path / "t/www.conf")
    run = gwlint("check", tmp_path / "t", "--fpm", tmp_path / "t/etc/php/8.2/fpm/php-fpm.conf")
    assert run.returncode == 0  # the named FPM config has no pools: GW301 has nothing to compare with


# usage and bad input: exit 2, one line, no traceback -----------------------------------------

def assert_one_line_error(run, expected: str):
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert run.stderr == f"gwlint: error: {expected}\n"


def bad_tree(tmp_path, data: bytes, rel="etc/nginx/nginx.conf"):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\n"}, tmp_path)
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(data)
    return root


@pytest.mark.parametrize("data, expected", [
    (b"events {}\nhttp {\n    server {\n", 'etc/nginx/nginx.conf:3: "server" block is never closed'),
    (b"events {}\n}\n", 'etc/nginx/nginx.conf:2: unexpected "}"'),
    (b"events {}\nuser www-data\n", 'etc/nginx/nginx.conf:2: unexpected end of file, expecting ";"'),
    (b'events {}\nerror_log "/var/log/nginx/error.log;\n', "etc/nginx/nginx.conf:2: unterminated quoted string"),
    (b"events {}\nuser nginx;\nhttp", 'etc/nginx/nginx.conf:3: unexpected end of file, expecting ";"'),
    # bytes that are not UTF-8 are read as nginx reads them: the error is the missing ";"
    (b"events {}\nuser caf\xc3", 'etc/nginx/nginx.conf:2: unexpected end of file, expecting ";"'),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", "etc/nginx/nginx.conf:1: binary file (NUL byte), not a config"),
])
def test_broken_nginx_file_is_one_line_exit_2(tmp_path, data, expected):
    run = gwlint("check", bad_tree(tmp_path, data))
    assert run.returncode == 2 and run.stdout == "" and "Traceback" not in run.stderr
    assert run.stderr.startswith(f"gwlint: error: {expected}") and run.stderr.count("\n") == 1


def test_broken_pool_file_is_one_line_exit_2(tmp_path):
    root = write_tree({"etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
                       "etc/php/8.2/fpm/pool.d/www.conf": "[www]\nlisten /run/php.sock\n"}, tmp_path)
    assert_one_line_error(gwlint("check", root),
                          "etc/php/8.2/fpm/pool.d/www.conf:2: expected 'key = value', got 'listen /run/php.sock'")


def test_binary_php_ini_is_one_line_exit_2(tmp_path):
    root = write_tree({"etc/php/8.2/fpm/php-fpm.conf": "[global]\n"}, tmp_path)
    (root / "etc/php/8.2/fpm/php.ini").write_bytes(b"[PHP]\nx = \x00\x01")
    assert_one_line_error(gwlint("check", root), "etc/php/8.2/fpm/php.ini:2: binary file (NUL byte), not a config")


def test_missing_root_and_file_root(tmp_path):
    assert_one_line_error(gwlint("check", tmp_path / "nope"), f"{tmp_path / 'nope'}: no such file or directory")
    (tmp_path / "f").write_text("x")
    run = gwlint("check", tmp_path / "f")
    assert run.returncode == 2 and "not a directory" in run.stderr


def test_unreadable_file_is_one_line_exit_2(tmp_path, monkeypatch):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\n"}, tmp_path)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("gwlint.load.fsroot.open", denied, raising=False)  # works as root too
    result = CliRunner().invoke(app, ["check", str(root)])
    assert result.exit_code == 2
    assert result.output == "gwlint: error: etc/nginx/nginx.conf: cannot read: Permission denied\n"


def test_directory_where_a_file_is_expected(tmp_path):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\nhttp { include /etc/nginx/dir; }\n"}, tmp_path)
    (root / "etc/nginx/dir").mkdir()
    run = gwlint("check", root)
    assert run.returncode == 2 and "etc/nginx/dir: is a directory" in run.stderr


def test_usage_errors_exit_2(tmp_path):  # process
    assert gwlint_process("check", tmp_path, "--format", "xml").returncode == 2
    assert gwlint_process("check", tmp_path, "--no-such-option").returncode == 2
    assert gwlint_process("frobnicate").returncode == 2


def test_empty_tree_is_clean(tmp_path):
    assert gwlint("check", tmp_path).returncode == 0


def test_internal_error_is_one_line_exit_3(tmp_path, monkeypatch):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\n"}, tmp_path)

    def boom(ws, rules=None, config=None):
        raise KeyError("surprise")

    monkeypatch.setattr("gwlint.engine.runner.run", boom)
    result = CliRunner().invoke(app, ["check", str(root)])
    assert result.exit_code == 3
    assert result.output.startswith("gwlint: internal error: KeyError: 'surprise' (GWLINT_DEBUG=1")
    assert "Traceback" not in result.output and result.output.count("\n") == 1
    monkeypatch.setenv("GWLINT_DEBUG", "1")
    result = CliRunner().invoke(app, ["check", str(root)])
    assert result.exit_code == 3 and "Traceback" in result.output


def test_version():  # process
    run = gwlint_process("--version")
    assert run.returncode == 0 and run.stdout.startswith("gwlint ")


def test_a_file_named_outside_the_root_is_refused(tmp_path):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\n"}, tmp_path / "root")
    (tmp_path / "elsewhere.conf").write_text("events {}\n")
    run = gwlint("check", root, "--nginx", tmp_path / "elsewhere.conf")
    assert run.returncode == 2 and "refusing to read a file outside the linted root" in run.stderr


def test_fix_with_json_reports_what_remains(tmp_path):
    shutil.copytree(FIXTURES / "debian-socket-mismatch", tmp_path / "t", symlinks=True)
    run = gwlint("check", tmp_path / "t", "--fix", "--format", "json")
    assert run.returncode == 0 and json.loads(run.stdout)["findings"] == []
    assert run.stderr.startswith("fixed etc/nginx/sites-available/default:18: GW301")
