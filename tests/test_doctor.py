"""`gwlint doctor` offline: a config tree plus logs copied from a server (no live state)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import gwlint as in_process

from gwlint.doctor.run import parse_since

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SOCK82 = "/run/php/php8.2-fpm.sock"


def doctor(*args) -> SimpleNamespace:
    """`gwlint doctor` in-process, shaped as subprocess.run's result (returncode, stdout, stderr)."""
    run = in_process("doctor", *map(str, args))
    assert run.exception is None or isinstance(run.exception, SystemExit), repr(run.exception)
    assert "Traceback" not in run.stderr and run.exit_code != 3, run.stderr
    return SimpleNamespace(returncode=run.exit_code, stdout=run.stdout, stderr=run.stderr)


def as_json(*args):
    run = doctor(*args, "--format", "json", "--no-live")
    return run.returncode, json.loads(run.stdout)


def nginx_line(time, level, message, uri="/index.php", upstream=f"fastcgi://unix:{SOCK82}:", server="_"):
    return (f"2026/11/27 {time} [{level}] 2101#2101: *7 {message}, client: 203.0.113.9, server: {server}, "
            f'request: "GET {uri} HTTP/1.1", upstream: "{upstream}", host: "example.com"\n')


def connect(time, sock, errno, text, uri="/index.php"):
    level = "error" if errno == 111 else "crit"
    return nginx_line(time, level, f"connect() to unix:{sock} failed ({errno}: {text}) while connecting to upstream",
                      uri, f"fastcgi://unix:{sock}:")


def tree(tmp_path, fixture="debian-clean"):
    root = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, root, symlinks=True)
    return root


def test_static_cause_socket_mismatch(tmp_path):
    root = tree(tmp_path, "debian-socket-mismatch")
    sock = "/run/php/php8.1-fpm.sock"
    log = tmp_path / "error.log"
    log.write_text(connect("14:02:11", sock, 2, "No such file or directory")
                   + "2026/11/27 14:02:12 [notice] 2100#2100: signal process started\n"
                   + connect("14:02:13", sock, 2, "No such file or directory", uri="/")
                   + connect("14:31:40", sock, 2, "No such file or directory", uri="/wp-login.php"))
    code, doc = as_json(root, "--log", log)
    assert code == 1 and doc["version"] == 1 and doc["unexplained"] == []
    [d] = doc["diagnoses"]
    assert (d["code"], d["severity"], d["line"]) == ("GW301", "error", 18)
    assert d["path"] == "etc/nginx/sites-available/default"
    assert {"path": "etc/php/8.2/fpm/pool.d/www.conf", "line": 9,
            "label": "pool 'www' listens on unix:/run/php/php8.2-fpm.sock"} in d["related"]
    assert d["log"] == {"file": str(log), "lines": [1, 3, 4], "count": 3, "first": "2026-11-27T14:02:11",
                        "last": "2026-11-27T14:31:40", "files": [{"file": str(log), "lines": [1, 3, 4]}]}
    assert d["status"] == 502 and "GW301" in d["next_step"] and d["where"] == "server _, location ~ \\.php$"
    assert set(doc) == {"version", "tool", "root", "diagnoses", "unexplained", "live", "summary"}
    assert doc["summary"]["explained_lines"] == 3 and doc["summary"]["lines_read"] == 4
    text = doctor(root, "--log", log, "--no-live").stdout
    assert text.startswith("3 x 502 on example.com /index.php (and 2 other URIs), 2026-11-27 14:02:11-14:31:40: "
                           "connect() failed (2: No such file or directory)\n    cause: GW301 fastcgi-pass-no-pool: ")
    assert "    at etc/nginx/sites-available/default:18 [GW301 error]\n" in text
    assert f"    log: {log} lines 1, 3, 4\n" in text


def test_socket_named_through_a_variable_is_the_set_line(tmp_path):
    root = tree(tmp_path, "debian-set-variable-socket")
    log = tmp_path / "error.log"
    log.write_text(connect("14:02:11", "/run/php-fpm/www.sock", 2, "No such file or directory"))
    code, doc = as_json(root, "--log", log)
    [d] = doc["diagnoses"]
    assert (code, d["code"], d["path"], d["line"], d["status"]) == (1, "GW301", "etc/nginx/sites-available/default",
                                                                    12, 502)
    assert doc["unexplained"] == []


def test_php_fpm_stopped_with_config_right(tmp_path):
    root = tree(tmp_path)
    (tmp_path / "error.log").write_text("".join(connect(f"14:0{i}:00", SOCK82, 2, "No such file or directory")
                                                for i in range(3, 6)))
    (tmp_path / "fpm.log").write_text("[27-Nov-2026 13:00:00] NOTICE: fpm is running, pid 4242\n"
                                      "[27-Nov-2026 13:00:00] NOTICE: ready to handle connections\n"
                                      "[27-Nov-2026 14:01:59] NOTICE: Terminating ...\n"
                                      "[27-Nov-2026 14:01:59] NOTICE: exiting, bye-bye!\n")
    code, doc = as_json(root, "--log", tmp_path / "error.log", "--log", tmp_path / "fpm.log")
    [d] = doc["diagnoses"]
    assert code == 1 and d["code"] is None
    assert (d["path"], d["line"]) == ("etc/php/8.2/fpm/pool.d/www.conf", 9)
    assert "php-fpm was not running" in d["cause"] and "stopped at 14:01:59" in d["cause"]
    assert d["evidence"][0]["line"] == 4 and "start php-fpm" in d["next_step"]


def test_socket_missing_without_fpm_log_is_still_the_pools_socket(tmp_path):
    root = tree(tmp_path)
    (tmp_path / "error.log").write_text(connect("14:03:00", SOCK82, 2, "No such file or directory"))
    _, doc = as_json(root, "--log", tmp_path / "error.log")
    [d] = doc["diagnoses"]
    assert (d["path"], d["line"], d["code"]) == ("etc/php/8.2/fpm/pool.d/www.conf", 9, None)
    assert "the socket did not exist" in d["cause"]


def test_max_children_reached_explains_504s(tmp_path):
    root = tree(tmp_path)
    timeout = "upstream timed out (110: Connection timed out) while reading response header from upstream"
    (tmp_path / "error.log").write_text(nginx_line("14:10:30", "error", timeout, "/slow.php")
                                        + nginx_line("14:10:31", "error", timeout, "/slow.php"))
    (tmp_path / "fpm.log").write_text("[27-Nov-2026 14:09:31] WARNING: [pool www] server reached "
                                      "pm.max_children setting (5), consider raising it\n")
    code, doc = as_json(root, "--log", tmp_path / "error.log", "--log", tmp_path / "fpm.log")
    [d] = doc["diagnoses"]
    assert (code, d["status"], d["path"], d["line"]) == (1, 504, "etc/php/8.2/fpm/pool.d/www.conf", 18)
    assert "reached pm.max_children (5)" in d["cause"] and d["log"]["count"] == 2


def test_max_children_long_before_is_no_evidence(tmp_path):
    root = tree(tmp_path)
    timeout = "upstream timed out (110: Connection timed out) while reading response header from upstream"
    (tmp_path / "error.log").write_text(nginx_line("14:10:30", "error", timeout, "/slow.php"))
    (tmp_path / "fpm.log").write_text("[27-Nov-2026 09:00:00] WARNING: [pool www] server reached "
                                      "pm.max_children setting (5), consider raising it\n")
    _, doc = as_json(root, "--log", tmp_path / "error.log", "--log", tmp_path / "fpm.log")
    assert [u["line"] for u in doc["unexplained"]] == [1]
    # the old warning is still a cause of its own (it made requests wait at 09:00)
    assert [d["line"] for d in doc["diagnoses"]] == [18]
    assert doc["diagnoses"][0]["log"]["first"] == "2026-11-27T09:00:00"


def test_worker_killed_by_terminate_timeout(tmp_path):
    root = tree(tmp_path)
    pool = root / "etc/php/8.2/fpm/pool.d/www.conf"
    pool.write_text(pool.read_text() + "request_terminate_timeout = 20s\nphp_admin_value[max_execution_time] = 20\n")
    reset = "recv() failed (104: Connection reset by peer) while reading response header from upstream"
    (tmp_path / "error.log").write_text(nginx_line("14:20:21", "error", reset, "/report.php"))
    (tmp_path / "fpm.log").write_text(
        "[27-Nov-2026 14:20:21] WARNING: [pool www] child 3111, script '/var/www/html/report.php' (request: "
        "\"GET /report.php\") execution timed out (20.004471 sec), terminating\n"
        "[27-Nov-2026 14:20:21] WARNING: [pool www] child 3111 exited on signal 15 (SIGTERM) after 60.1 seconds "
        "from start\n")
    _, doc = as_json(root, "--log", tmp_path / "error.log", "--log", tmp_path / "fpm.log")
    d = doc["diagnoses"][0]
    assert "request_terminate_timeout 20s" in d["cause"] and d["line"] == len(pool.read_text().splitlines()) - 1


def test_permission_denied_without_finding_or_live_state_is_unexplained(tmp_path):
    root = tree(tmp_path)
    (tmp_path / "error.log").write_text(connect("14:03:00", SOCK82, 13, "Permission denied")
                                        + "garbage line\n")
    code, doc = as_json(root, "--log", tmp_path / "error.log")
    assert code == 0 and doc["diagnoses"] == []
    assert [(u["line"], u["text"][:19]) for u in doc["unexplained"]] == [(1, "2026/11/27 14:03:00")]
    assert doc["summary"]["skipped_lines"] == 1
    assert "1 upstream line(s) not explained" in doctor(root, "--log", tmp_path / "error.log", "--no-live").stdout


def test_primary_script_unknown_without_script_filename(tmp_path):
    root = tree(tmp_path)
    site = root / "etc/nginx/sites-available/default"
    site.write_text(site.read_text().replace("include snippets/fastcgi-php.conf;", "include fastcgi_params;"))
    (root / "etc/nginx/fastcgi_params").write_text("fastcgi_param  QUERY_STRING       $query_string;\n")
    line = nginx_line("14:00:00", "error", 'FastCGI sent in stderr: "Primary script unknown" while reading response '
                      "header from upstream")
    (tmp_path / "error.log").write_text(line)
    _, doc = as_json(root, "--log", tmp_path / "error.log")
    [d] = doc["diagnoses"]
    assert (d["status"], d["path"], d["line"], d["code"]) == (404, "etc/nginx/sites-available/default", 18, "GW380")
    assert "SCRIPT_FILENAME" in d["cause"]
    # without the rule (ignored in the config), the doctor still says which param is missing
    (root / ".gwlint.toml").write_text('ignore = ["GW380"]\n')
    _, doc = as_json(root, "--log", tmp_path / "error.log")
    [d] = doc["diagnoses"]
    assert (d["code"], d["line"]) == (None, 18) and "fastcgi.conf" in d["next_step"]


def test_logs_named_by_the_config_with_rotations(tmp_path):
    root = tree(tmp_path, "debian-socket-mismatch")
    logs = root / "var/log/nginx"
    logs.mkdir(parents=True)
    sock = "/run/php/php8.1-fpm.sock"
    import gzip

    with gzip.open(logs / "error.log.2.gz", "wt") as fh:
        fh.write(connect("13:00:00", sock, 2, "No such file or directory"))
    (logs / "error.log.1").write_text(connect("13:30:00", sock, 2, "No such file or directory"))
    (logs / "error.log").write_text(connect("14:00:00", sock, 2, "No such file or directory"))
    _, doc = as_json(root)
    [d] = doc["diagnoses"]
    assert d["code"] == "GW301" and d["log"]["count"] == 3
    assert [f["file"] for f in d["log"]["files"]] == ["var/log/nginx/error.log.2.gz", "var/log/nginx/error.log.1",
                                                       "var/log/nginx/error.log"]
    assert "var/log/php8.2-fpm.log: named in the config, not found" in doc["summary"]["notes"]
    _, doc = as_json(root, "--since", "2026-11-27 13:15")
    assert doc["diagnoses"][0]["log"]["count"] == 2


def test_nothing_to_read_exits_0(tmp_path):
    root = tree(tmp_path)
    run = doctor(root, "--no-live")
    assert run.returncode == 0 and "0 cause(s)" in run.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("--log", "missing.log"), "gwlint: error: missing.log: no such log file"),
    (("--since", "yesterday-ish"), "gwlint: error: --since 'yesterday-ish'"),
])
def test_bad_input_exits_2(tmp_path, args, message):
    run = doctor(tree(tmp_path), *args)
    assert run.returncode == 2 and run.stderr.startswith(message), run.stderr


def test_parse_since():
    from datetime import datetime

    now = datetime(2026, 11, 27, 15, 0, 0)
    assert parse_since("30m", now) == datetime(2026, 11, 27, 14, 30)
    assert parse_since("14:02", now) == datetime(2026, 11, 27, 14, 2)
    assert parse_since("2026-11-26T08:00", now) == datetime(2026, 11, 26, 8, 0)


def test_cli_import_does_not_load_the_doctor():
    code = "import sys, gwlint.cli; print([m for m in sys.modules if m.startswith('gwlint.doctor')])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr
