"""`gwlint doctor` on real nginx + php-fpm, runtime causes: php-fpm stopped, pm.max_children reached, a
socket not re-created after its pool file changed; each names the pool line. (Every real-server case's
static cause is diagnosed on its broken servers by test_realserver.py, see doctor_checks.py.)"""

import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gwlint.verify.relocate import relocate
from realserver.doctor_checks import gwlint
from realserver.harness import Servers

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
POOL = "etc/php/8.2/fpm/pool.d/www.conf"
SITE = "etc/nginx/sites-available/default"

pytestmark = pytest.mark.realserver


def copy(fixture: str, workdir: Path) -> Path:
    tree = workdir / "tree"
    shutil.copytree(FIXTURES / fixture, tree, symlinks=True)
    return tree


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
