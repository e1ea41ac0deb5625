"""GW306 against a real php-fpm: a program bound to `0.0.0.0` or `::` on a pool's port, started first.

What php-fpm does beside each (exit 78 with `Address already in use (98)`, or it starts) and what
GW306 says of a systemd unit declaring that bind: an error where php-fpm surely fails, a warning
where it depends on the program (`::` is dual-stack unless the program sets IPV6_V6ONLY).
"""

import socket
import subprocess
import time

import pytest
from rule_trees import POOL, site_tree

from gwlint import testing
from gwlint.verify.nginx_t import find_php_fpm

pytestmark = pytest.mark.realserver

SOCKET = "listen = /run/php/php8.2-fpm.sock"
NGINX = ("user www-data;\nevents {}\nhttp {\n    server {\n        listen 80;\n        root /var/www/html;\n"
         "        location ~ \\.php$ {\n            include fastcgi.conf;\n"
         "            fastcgi_pass 127.0.0.1:{port};\n        }\n    }\n}\n")


def fpm_beside(workdir, port: int) -> tuple[bool, str]:
    """(whether php-fpm started, its log) for a pool on the bare `port`."""
    conf = workdir / "php-fpm.conf"
    log = workdir / "fpm.log"
    conf.write_text(f"[global]\nerror_log = {log}\npid = {workdir}/fpm.pid\ndaemonize = no\n"
                    f"[www]\nuser = nobody\ngroup = nogroup\nlisten = {port}\npm = static\npm.max_children = 1\n")
    proc = subprocess.Popen([find_php_fpm(), "-F", "-y", str(conf), "-p", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and proc.poll() is None and "ready to handle" not in _read(log):
        time.sleep(0.05)
    started = proc.poll() is None
    proc.terminate()
    proc.wait(10)
    return started, _read(log)


def _read(path) -> str:
    return path.read_text() if path.exists() else ""


@pytest.mark.parametrize(("address", "v6only", "fails", "severity"), [
    ("0.0.0.0", None, True, "error"), ("::", 0, True, "warning"), ("::", 1, False, "warning")])
def test_a_program_on_a_wildcard_beside_a_pool(workdir, tmp_path, address, v6only, fails, severity):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family) as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if v6only is not None:
            holder.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
        holder.bind((address, 0))
        holder.listen()
        port = holder.getsockname()[1]
        started, log = fpm_beside(workdir, port)
    assert started is not fails, log
    if fails:
        assert f"unable to bind listening socket for address '{port}': Address already in use (98)" in log

    files = site_tree(NGINX.replace("{port}", str(port)), POOL.replace(SOCKET, f"listen = {port}"))
    files["etc/systemd/system/api.service"] = f"[Service]\nExecStart=/usr/local/bin/api --host {address} --port {port}\n"
    found = testing.lint(files, tmp_path, select=("GW306",)).findings
    assert [(f.path, f.severity.value) for f in found] == [("etc/php/8.2/fpm/pool.d/www.conf", severity)]
