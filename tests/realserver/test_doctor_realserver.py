"""`gwlint doctor` on real nginx + php-fpm: serve a relocated broken tree, send the requests, then
diagnose the relocated root from the logs its servers wrote. The diagnosis must name the rule and the
file:line that `gwlint check` reports for the same tree; runtime causes (php-fpm stopped,
pm.max_children reached, a socket not re-created after its pool file changed) name the pool line."""

import json
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import gwlint as in_process

from gwlint.verify.relocate import relocate
from realserver.cases import all_cases
from realserver.harness import Servers

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
POOL = "etc/php/8.2/fpm/pool.d/www.conf"
SITE = "etc/nginx/sites-available/default"
CASES = [(key, case) for key, case in all_cases() if case.status is not None]

pytestmark = pytest.mark.realserver


def gwlint(*args) -> dict:
    """The CLI in-process (a subprocess per call doubled this module's time), its JSON output."""
    run = in_process(*map(str, args), "--format", "json")
    assert run.exit_code in (0, 1), run.stdout + run.stderr
    return json.loads(run.stdout)


def copy(fixture: str, workdir: Path) -> Path:
    tree = workdir / "tree"
    shutil.copytree(FIXTURES / fixture, tree, symlinks=True)
    return tree


def server_logs(relocation) -> list[str]:
    """The logs the servers wrote (nginx runs with `-e logs/nginx-error.log`, whatever error_log says)."""
    logs = sorted(p for p in (relocation.root / "logs").glob("*.log") if "access" not in p.name)
    return [arg for p in logs for arg in ("--log", str(p))]


def unrelocated(relocation, dest: Path) -> Path:
    """The servers' logs as if written by the original tree's servers: the copy's prefix removed,
    loopback ports and addresses mapped back (the post-mortem case: logs copied from a server)."""
    back = {str(new): str(old) for old, new in relocation.ports.items()}
    hosts = {new: old for old, new in relocation.hosts.items()}

    def host_port(m):
        host = hosts.get(m.group(1), m.group(1))
        return f"{host}:{back.get(m.group(2), m.group(2))}"

    dest.mkdir()
    for p in (relocation.root / "logs").glob("*.log"):
        text = re.sub(r"(127\.0\.0\.\d+):(\d+)", host_port, relocation.unrelocate(p.read_text()))
        (dest / p.name).write_text(text)
    return dest


def check_diagnosis(doc: dict, expected: set, case) -> None:
    named = [d for d in doc["diagnoses"] if (d["code"], d["path"], d["line"]) in expected]
    assert named, json.dumps(doc, indent=1)
    assert named[0]["status"] == case.status and "nginx-error.log" in named[0]["log"]["file"]
    assert doc["unexplained"] == [], json.dumps(doc["unexplained"], indent=1)


@pytest.mark.parametrize(("key", "case"), CASES, ids=[f"{k}-{c.id}" for k, c in CASES])
def test_doctor_names_the_rule_and_line(key, case, workdir):
    tree = copy(case.fixture, workdir)
    relocation = relocate(tree, workdir / "live")
    with Servers(relocation) as servers:
        for first in case.before:
            servers.get(first)
        assert servers.get(case.path, body=b"x" * case.body if case.body else None).status == case.status
    codes = {key, *case.also}

    # offline, on the original tree with the logs copied off the server
    expected = {(f["code"], f["path"], f["line"]) for f in gwlint("check", tree)["findings"] if f["code"] in codes}
    assert expected
    logs = unrelocated(relocation, workdir / "copied-logs")
    check_diagnosis(gwlint("doctor", tree, "--no-live", *(a for p in sorted(logs.glob("*.log")) if "access" not in
                                                           p.name for a in ("--log", p))), expected, case)

    # on the relocated root the servers ran, with the logs they wrote: where the relocation keeps the
    # fault visible to the rule (a LAN address turned loopback hides GW303/GW361 there)
    root = relocation.root
    expected = {(f["code"], f["path"], f["line"]) for f in gwlint("check", root)["findings"] if f["code"] in codes}
    if expected:
        check_diagnosis(gwlint("doctor", root, "--no-live", *server_logs(relocation)), expected, case)


def test_php_fpm_stopped_config_right(workdir):
    relocation = relocate(FIXTURES / "debian-clean", workdir / "live")
    with Servers(relocation) as servers:
        assert servers.get("/index.php").status == 200
        fpm = next(proc for name, proc, _ in servers.procs if name == "php-fpm")
        fpm.terminate()
        fpm.wait(10)
        assert servers.get("/index.php").status == 502
        live = gwlint("doctor", relocation.root, "--live")
    sock = relocation.root / "run/php/php8.2-fpm.sock"
    [d] = live["diagnoses"]
    assert (d["code"], d["path"], d["line"], d["status"]) == (None, POOL, 9, 502)
    assert f"socket {sock} does not exist: no php-fpm master runs etc/php/8.2/fpm/php-fpm.conf" in d["cause"]
    assert live["live"]["php_fpm_masters"] == [] or all(
        m["config"] != str(relocation.root / "etc/php/8.2/fpm/php-fpm.conf") for m in live["live"]["php_fpm_masters"])
    offline = gwlint("doctor", relocation.root, "--no-live")  # the same, from php-fpm's own log
    [d] = offline["diagnoses"]
    assert (d["path"], d["line"]) == (POOL, 9) and "php-fpm was not running: its log says it stopped" in d["cause"]


def test_max_children_reached_under_a_burst(workdir):
    tree = copy("realserver-read-timeout", workdir)
    site, pool = tree / SITE, tree / POOL
    # a coherent timeout chain (max_execution_time = request_terminate_timeout = fastcgi_read_timeout):
    # only the queue behind two busy workers makes requests late
    site.write_text(site.read_text().replace("fastcgi_read_timeout 1s;", "fastcgi_read_timeout 2s;"))
    pool.write_text(pool.read_text().replace("pm.max_children = 5", "pm.max_children = 2")
                    .replace("pm.start_servers = 2", "pm.start_servers = 1")
                    .replace("pm.max_spare_servers = 3", "pm.max_spare_servers = 2")
                    + "request_terminate_timeout = 2s\nphp_admin_value[max_execution_time] = 2\n")
    assert gwlint("check", tree)["findings"] == []
    relocation = relocate(tree, workdir / "live")
    with Servers(relocation) as servers:
        with ThreadPoolExecutor(8) as pool_:
            statuses = list(pool_.map(lambda _: servers.get("/slow.php?s=1").status, range(8)))
        time.sleep(1.5)  # php-fpm's once-a-second maintenance logs the warning
    assert 504 in statuses and 200 in statuses, statuses
    doc = gwlint("doctor", relocation.root, "--no-live")
    timeouts = [d for d in doc["diagnoses"] if d["status"] == 504]
    assert timeouts, json.dumps(doc, indent=1)
    d = timeouts[0]
    line = next(n for n, text in enumerate(pool.read_text().splitlines(), 1) if text.startswith("pm.max_children"))
    assert (d["code"], d["path"], d["line"]) == (None, POOL, line)
    assert "reached pm.max_children (2)" in d["cause"] and d["evidence"]
    assert d["log"]["count"] == statuses.count(504)


def test_socket_owner_on_disk_differs_from_the_pool_file(workdir):
    relocation = relocate(FIXTURES / "realserver-socket-no-owner", workdir / "live")
    pool = relocation.root / POOL
    with Servers(relocation) as servers:
        assert servers.get("/index.php").status == 502
        # the admin fixes the pool file (as `gwlint check --fix` would) but never restarts php-fpm
        pool.write_text(pool.read_text() + "listen.owner = www-data\nlisten.group = www-data\n")
        lines = len(pool.read_text().splitlines())
        doc = gwlint("doctor", relocation.root, "--live")
    assert not [f for f in gwlint("check", relocation.root)["findings"] if f["code"] in ("GW201", "GW320")]
    [d] = [d for d in doc["diagnoses"] if d["status"] == 502]
    assert (d["code"], d["path"], d["line"]) == (None, POOL, lines - 1)
    assert "is root:root 0660 on disk, but pool 'www' says www-data:www-data 0660" in d["cause"]
    assert "restart php-fpm" in d["next_step"]
    sock = relocation.root / "run/php/php8.2-fpm.sock"
    assert {"path": str(sock), "exists": True, "owner": "root", "group": "root", "mode": "0660"} \
        in doc["live"]["sockets"]
