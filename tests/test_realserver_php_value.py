"""Measured on real nginx + php-fpm: what GW342 and effective.php_value assume about PHP_VALUE.

One worker (pm.max_children = 1) serves three locations in turn. PHP_VALUE beats the pool's
php_admin_value, and the value stays in the worker for the next request from a location that
sets nothing. gwlint lints the very same files and reports the leak.
"""

import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from servers import NGINX, PHP_FPM, require

from gwlint.testing import lint_tree

pytestmark = pytest.mark.realserver


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write(root: Path, port: int) -> tuple[Path, Path]:
    run = root / "run"
    run.mkdir(parents=True)
    (root / "www").mkdir()
    (root / "www/t.php").write_text('<?php echo ini_get("max_execution_time");')
    as_root = os.geteuid() == 0
    user = "user = www-data\ngroup = www-data\nlisten.owner = www-data\nlisten.group = www-data\n" if as_root else ""
    fpm = root / "etc/php/8.2/fpm/php-fpm.conf"
    fpm.parent.mkdir(parents=True)
    fpm.write_text(f"[global]\nerror_log = {run}/fpm.log\npid = {run}/fpm.pid\n[www]\n{user}"
                   f"listen = {run}/fpm.sock\npm = static\npm.max_children = 1\n"
                   "php_admin_value[max_execution_time] = 5\n")
    params = f"fastcgi_param REQUEST_METHOD $request_method; fastcgi_param SCRIPT_FILENAME {root}/www/t.php;"
    temp = " ".join(f"{m}_temp_path {run}/{m};" for m in ("client_body", "fastcgi", "proxy", "uwsgi", "scgi"))
    nginx = root / "etc/nginx/nginx.conf"
    nginx.parent.mkdir(parents=True)
    nginx.write_text(
        ("user www-data;\n" if as_root else "") + f"pid {run}/nginx.pid;\nerror_log {run}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n    access_log off;\n    {temp}\n    server {{\n        listen 127.0.0.1:{port};\n"
        f"        location = /plain {{\n            {params}\n            fastcgi_pass unix:{run}/fpm.sock;\n        }}\n"
        f"        location = /value {{\n            {params}\n"
        '            fastcgi_param PHP_VALUE "max_execution_time=77";\n'
        f"            fastcgi_pass unix:{run}/fpm.sock;\n        }}\n    }}\n}}\n")
    os.chmod(root, 0o755)
    for path in root.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return nginx, fpm


def _get(port: int, path: str) -> str:
    for _ in range(50):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"no answer on {path}")


def test_php_value_beats_admin_value_and_leaks_to_the_next_request():
    require(NGINX, PHP_FPM)
    with tempfile.TemporaryDirectory(prefix="gwlint-pv-") as tmp:  # pytest's tmp dirs are 0700: workers
        _check(Path(tmp), _free_port())                          # running as www-data need a way in


def _check(root: Path, port: int) -> None:
    nginx_conf, fpm_conf = _write(root, port)
    lint = lint_tree(root)
    line = next(n for n, text in enumerate(nginx_conf.read_text().splitlines(), 1) if "PHP_VALUE" in text)
    assert [(f.line, f.code) for f in lint.findings if f.code == "GW342"] == [(line, "GW342")]
    fpm = subprocess.Popen([PHP_FPM, "-n", "-F", "-p", str(fpm_conf.parent), "-y", str(fpm_conf)])
    web = subprocess.Popen([NGINX, "-p", f"{root}/", "-e", f"{root}/run/error.log", "-c", str(nginx_conf),
                            "-g", "daemon off;"])
    try:
        assert _get(port, "/plain") == "5"    # the pool's php_admin_value
        assert _get(port, "/value") == "77"   # PHP_VALUE wins over php_admin_value
        assert _get(port, "/plain") == "77"   # ... and stays in the worker
    finally:
        for process in (web, fpm):
            process.terminate()
            process.wait(timeout=10)
