"""GW907 on real servers: php-fpm with no pool refuses to start, and nginx then answers 502."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gwlint.verify.nginx_t import find_nginx, find_php_fpm
from gwlint.verify.relocate import relocate
from realserver.cases import CONNECT
from realserver.harness import Servers

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
pytestmark = pytest.mark.realserver


def test_fpm_without_a_pool_refuses_to_start_and_nginx_answers_502(workdir):
    tree = workdir / "tree"
    shutil.copytree(FIXTURES / "debian-clean", tree, symlinks=True)
    pool = tree / "etc/php/8.2/fpm/pool.d/www.conf"
    pool.rename(pool.with_name("www.conf.disabled"))
    lint = subprocess.run([sys.executable, "-m", "gwlint", "check", str(tree)], capture_output=True, text=True)
    assert lint.returncode == 1 and "etc/php/8.2/fpm/php-fpm.conf:15: GW907 error" in lint.stdout, lint.stdout

    reloc = relocate(tree, workdir / "copy")
    servers = Servers(reloc)
    try:
        (run,) = reloc.fpm
        fpm = subprocess.run(run.argv(find_php_fpm(), "-F"), env=run.env(), capture_output=True, text=True,
                             timeout=30)
        log = fpm.stdout + fpm.stderr + (run.error_log.read_text() if run.error_log.exists() else "")
        assert fpm.returncode == 78 and "ERROR: No pool defined" in log, log
        for nginx in reloc.nginx:
            proc = servers._spawn("nginx", nginx.argv(find_nginx(), reloc.root))
            servers._wait("nginx", proc, nginx.listens, nginx.error_log)
        response = servers.get("/index.php")
        servers.stop()
        assert response.status == 502
        assert re.search(CONNECT.format(target=r"/run/php/php8\.2-fpm\.sock", errno=2), servers.error_log())
    finally:
        servers.stop()
