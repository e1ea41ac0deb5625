"""GW223 against the real `php-fpm -t`: every case is linted and validated by php-fpm itself."""

import re
import subprocess
from pathlib import Path

import pytest
from servers import PHP_FPM, require

from gwlint.model.effective import fpm_int, fpm_time
from gwlint.testing import lint

CONF = "etc/php/8.2/fpm/php-fpm.conf"

STATIC = "pm = static\npm.max_children = 5\n"
DYNAMIC = "pm = dynamic\npm.max_children = 5\npm.min_spare_servers = 1\npm.max_spare_servers = 3\n"
# label, pool lines, [global] lines, message php-fpm prints (None: php-fpm starts)
CASES = [
    ("static ok", STATIC, "", None),
    ("dynamic ok, start_servers defaults to the middle", DYNAMIC, "", None),
    ("ondemand ok, any case", "pm = OnDemand\npm.max_children = 5\n", "", None),
    ("fractional minutes are truncated, not refused", STATIC + "request_terminate_timeout = 1.5m\n", "", None),
    ("30ms reads as 30 seconds", STATIC + "request_terminate_timeout = 30ms\n", "", None),
    ("negative max_requests", STATIC + "pm.max_requests = -1\n", "", None),
    ("slowlog timeout with slowlog", STATIC + "request_slowlog_timeout = 5s\nslowlog = /var/log/php-fpm-slow.log\n", "", None),
    ("no pm", "pm.max_children = 5\n", "", "the process manager is missing (static, dynamic or ondemand)"),
    ("unknown pm", "pm = lazy\npm.max_children = 5\n", "",
     "unable to parse value for entry 'pm': invalid process manager (static, dynamic or ondemand)"),
    ("no max_children", "pm = static\n", "", "pm.max_children must be a positive value"),
    ("last max_children wins", STATIC + "pm.max_children = 0\n", "", "pm.max_children must be a positive value"),
    ("max_children not a number", "pm = static\npm.max_children = 5abc\n", "",
     "unable to parse value for entry 'pm.max_children': is not a valid number (greater or equal than zero)"),
    ("quoted space in a number", 'pm = static\npm.max_children = " 5"\n', "",
     "unable to parse value for entry 'pm.max_children': is not a valid number"),
    ("dynamic without spare servers", "pm = dynamic\npm.max_children = 5\n", "",
     "pm.min_spare_servers(0) must be a positive value"),
    ("max_spare above max_children", DYNAMIC.replace("max_spare_servers = 3", "max_spare_servers = 6"), "",
     "pm.min_spare_servers(1) and pm.max_spare_servers(6) cannot be greater than pm.max_children(5)"),
    ("max_spare below min_spare", DYNAMIC.replace("min_spare_servers = 1", "min_spare_servers = 4"), "",
     "pm.max_spare_servers(3) must not be less than pm.min_spare_servers(4)"),
    ("start_servers above max_spare", DYNAMIC + "pm.start_servers = 4\n", "",
     "pm.start_servers(4) must not be less than pm.min_spare_servers(1) and not greater than pm.max_spare_servers(3)"),
    ("max_spawn_rate 0", DYNAMIC + "pm.max_spawn_rate = 0\n", "", "pm.max_spawn_rate must be a positive value"),
    ("ondemand idle timeout 0", "pm = ondemand\npm.max_children = 5\npm.process_idle_timeout = 0\n", "",
     "pm.process_idle_timeout(0s) must be greater than 0s"),
    ("bad time suffix", STATIC + "request_terminate_timeout = 30x\n", "",
     "unable to parse value for entry 'request_terminate_timeout': unknown suffix used in time value"),
    ("empty time", STATIC + "request_terminate_timeout =\n", "",
     "unable to parse value for entry 'request_terminate_timeout': invalid time value"),
    ("bad global time", STATIC, "process_control_timeout = 10x\n",
     "unable to parse value for entry 'process_control_timeout': unknown suffix used in time value"),
    ("slowlog timeout without slowlog", STATIC + "request_slowlog_timeout = 5\n", "",
     "'slowlog' must be specified for use with 'request_slowlog_timeout'"),
    ("slowlog timeout above terminate", STATIC + "request_slowlog_timeout = 50\nslowlog = /var/log/php-fpm-slow.log\n"
     "request_terminate_timeout = 10\n", "", "'request_slowlog_timeout' (50) can't be greater than "
     "'request_terminate_timeout' (10)"),
]


def fpm_tree(tmp_path: Path, pool: str, glob: str) -> dict[str, str]:
    conf_dir = tmp_path / "etc/php/8.2/fpm"
    return {CONF: f"[global]\nerror_log = {conf_dir}/fpm.log\n{glob}[www]\nuser = www-data\n"
                  f"listen = {conf_dir}/www.sock\n{pool}"}


@pytest.mark.parametrize("label,pool,glob,message", CASES, ids=[c[0] for c in CASES])
def test_gwlint_mirrors_fpm_conf(tmp_path, label, pool, glob, message):
    r = lint(fpm_tree(tmp_path, pool, glob), tmp_path)
    found = [f for f in r.findings if f.code == "GW223"]
    if message is None:
        assert found == []
    else:
        (f,) = found
        assert message in f.message and "502" in f.message and f.path == CONF


def _real_fpm_test(conf: Path) -> tuple[int, str]:
    run = subprocess.run([PHP_FPM, "-n", "-t", "-p", str(conf.parent), "-y", str(conf)],
                         capture_output=True, text=True, timeout=30)
    lines = [re.sub(r"^\[[^]]*\] (ALERT|ERROR): ", "", line) for line in (run.stdout + run.stderr).splitlines()
             if re.search(r"\] (ALERT|ERROR): ", line)]
    return run.returncode, lines[0] if lines else ""


@pytest.mark.parametrize("label,pool,glob,message", CASES, ids=[c[0] for c in CASES])
def test_real_php_fpm_agrees(tmp_path, label, pool, glob, message):
    require(PHP_FPM)
    r = lint(fpm_tree(tmp_path, pool, glob), tmp_path)
    found = [f for f in r.findings if f.code == "GW223"]
    code, first_error = _real_fpm_test(tmp_path / CONF)
    assert (code != 0) == bool(found), f"php-fpm rc={code} {first_error!r}; gwlint: {[f.message for f in found]}"
    if message is not None:
        assert code == 78 and message in first_error
        where = re.match(r"\[(.*):(\d+)\] ", first_error)
        if where:  # a parse error: php-fpm names the same line
            assert (str(tmp_path / found[0].path), found[0].line) == (where.group(1), int(where.group(2)))


@pytest.mark.parametrize("text,seconds,error", [
    ("30", 30, None), ("30s", 30, None), ("5m", 300, None), ("1h", 3600, None), ("1d", 86400, None),
    ("1.5m", 60, None), ("", None, "invalid time value"), ("10x", None, "unknown suffix used in time value"),
])
def test_fpm_time(text, seconds, error):
    assert fpm_time(text) == (seconds, error)


def test_fpm_int():
    assert fpm_int("-3") == (-3, None) and fpm_int("") == (0, None)
    assert fpm_int("5 ")[0] is None


@pytest.mark.parametrize("text", ["45", "45s", "2m", "1.5m", "30ms", "1h", "1d", " 2m"])
def test_fpm_time_reads_like_php_fpm_tt(tmp_path, text):
    """`php-fpm -tt` prints the pool's request_terminate_timeout as it read it."""
    require(PHP_FPM)
    tree = fpm_tree(tmp_path, STATIC + f"request_terminate_timeout = {text}\n", "")
    conf = tmp_path / CONF
    conf.parent.mkdir(parents=True)
    conf.write_text(tree[CONF])
    run = subprocess.run([PHP_FPM, "-n", "-tt", "-p", str(conf.parent), "-y", str(conf)],
                         capture_output=True, text=True, timeout=30)
    (shown,) = re.findall(r"\trequest_terminate_timeout = (\d+)s", run.stdout + run.stderr)
    assert fpm_time(text.strip()) == (int(shown), None)


FIXABLE = [c for c in CASES if c[0] in ("max_spare above max_children", "start_servers above max_spare",
                                        "ondemand idle timeout 0")]


@pytest.mark.parametrize("label,pool,glob,message", FIXABLE, ids=[c[0] for c in FIXABLE])
def test_fix_makes_real_php_fpm_start(tmp_path, label, pool, glob, message):
    require(PHP_FPM)
    r = lint(fpm_tree(tmp_path, pool, glob), tmp_path)
    (f,) = [f for f in r.findings if f.code == "GW223"]
    assert f.fix is not None and f.fix.safe
    assert [x for x in r.relint().findings if x.code == "GW223"] == []
    assert _real_fpm_test(tmp_path / CONF) == (0, "")


def test_lowered_max_children_in_an_override_lowers_the_spare_counts(tmp_path):
    www = "etc/php/8.2/fpm/pool.d/www.conf"
    files = {CONF: "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
             www: "[www]\nuser = www-data\nlisten = /run/php/php8.2-fpm.sock\npm = dynamic\npm.max_children = 5\n"
                  "pm.start_servers = 2\npm.min_spare_servers = 1\npm.max_spare_servers = 3 ; expect: GW223\n",
             "etc/php/8.2/fpm/pool.d/zz-small.conf": "[www]\npm.max_children = 2\n"}
    r = lint(files, tmp_path, select=["GW223"])
    r.assert_expected()
    (f,) = r.findings
    assert f.fix.safe and f.fix.title == "set pm.max_spare_servers = 2 in pool 'www'"
    assert r.fixed_line(www, 8) == "pm.max_spare_servers = 2 ; expect: GW223"
    assert r.fixed_text("etc/php/8.2/fpm/pool.d/zz-small.conf") == "[www]\npm.max_children = 2\n"
    assert r.relint().findings == []


def test_raised_spare_count_set_last_raises_max_children(tmp_path):
    r = lint(fpm_tree(tmp_path, DYNAMIC.replace("max_spare_servers = 3", "max_spare_servers = 8"), ""), tmp_path,
             select=["GW223"])
    (f,) = r.findings
    assert f.fix.title == "set pm.max_children = 8 in pool 'www'"
    assert r.relint().findings == []
