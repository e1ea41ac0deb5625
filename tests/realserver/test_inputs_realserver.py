"""Inputs as the real servers read them: PHP's quantities, Latin-1 bytes, templates (issue 16).

Each tree is served for real on loopback (relocated copy): what gwlint predicts is what nginx and
php-fpm do, and the broken twin is still caught at its line.
"""

import re
import shutil
from pathlib import Path

import pytest

from gwlint.testing import lint_tree
from gwlint.verify.relocate import relocate
from realserver.harness import Servers

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SITE = "etc/nginx/sites-available/default"
POOL = "etc/php/8.2/fpm/pool.d/www.conf"
PHP_INI = "etc/php/8.2/fpm/php.ini"

pytestmark = pytest.mark.realserver


def copy(workdir: Path, fixture: str) -> Path:
    return Path(shutil.copytree(FIXTURES / fixture, workdir / "tree", symlinks=True))


def serve(tree: Path, dest: Path, path: str = "/index.php", body: bytes | None = None):
    with Servers(relocate(tree, dest)) as servers:
        response = servers.get(path, body=body)
        servers.stop()
        return response, servers.error_log() + servers.fpm_log()


def errors(tree: Path) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.code) for f in lint_tree(tree).findings if f.severity.value == "error"]


def test_php_reads_8mb_as_8_bytes_and_refuses_a_512mb_memory_limit(workdir):
    tree = copy(workdir, "realserver-php-quantity")
    assert errors(tree) == [(PHP_INI, 17, "GW225"), (PHP_INI, 18, "GW225")]
    response, _ = serve(tree, workdir / "broken", "/q.php", body=b"a=" + b"x" * 98)
    assert (response.status, response.body) == (200, "OK 0 128M 8MB\n")  # POST data dropped, default memory kept
    ini = tree / PHP_INI
    ini.write_text(ini.read_text().replace("= 8MB", "= 8M").replace("= 512MB", "= 512M"))
    assert errors(tree) == []
    response, _ = serve(tree, workdir / "fixed", "/q.php", body=b"a=" + b"x" * 98)
    assert (response.status, response.body) == (200, "OK 1 512M 8M\n")


def test_latin1_comments_are_served_and_linted(workdir):
    tree = copy(workdir, "debian-clean")
    for rel, comment in ((SITE, b"# caf\xe9 cr\xe8me\n"), (POOL, b"; r\xe9glages\n"), (PHP_INI, b"; \xe9t\xe9\n")):
        path = tree / rel
        path.write_bytes(comment + path.read_bytes())
    assert lint_tree(tree).findings == []
    response, log = serve(tree, workdir / "ok")
    assert (response.status, response.body) == (200, "OK\n"), log
    site = tree / SITE
    site.write_bytes(site.read_bytes().replace(b"php8.2-fpm.sock", b"php8.1-fpm.sock"))
    line = site.read_bytes().split(b"\n").index(b"        fastcgi_pass unix:/run/php/php8.1-fpm.sock;") + 1
    assert errors(tree) == [(SITE, line, "GW301")]
    response, _ = serve(tree, workdir / "broken")
    assert response.status == 502


def test_a_tree_with_templates_serves_what_it_renders_and_lints_without_error(workdir, monkeypatch):
    for name, value in (("FPM_MAX_CHILDREN", "5"), ("PHP_UPLOAD_MAX", "8M"), ("PHP_POST_MAX", "9M")):
        monkeypatch.setenv(name, value)  # PHP's own ${VAR}: read from the environment at start
    tree = copy(workdir, "templates-mixed")
    assert errors(tree) == []
    response, log = serve(tree, workdir / "ok")
    assert (response.status, response.body) == (200, "OK\n"), log
    site = tree / SITE
    site.write_text(site.read_text().replace("php8.2-fpm.sock", "php8.1-fpm.sock"))
    assert [code for _, _, code in errors(tree)] == ["GW301"]
    response, _ = serve(tree, workdir / "broken")
    assert response.status == 502


@pytest.mark.realserver(root=False)
def test_fpm_time_is_what_php_fpm_tt_prints(tmp_path):
    """fpm_time against `php-fpm -tt` of this machine: one unit suffix after atoi ("1m30s" is 1 s)."""
    import subprocess

    from gwlint.model.effective import fpm_time
    from gwlint.verify.nginx_t import find_php_fpm

    values = ["1m30s", "90", "30s", "5m", "1.5m", "30ms", "2h", "1d", "1h30m", "0", " 45", "10x", "s"]
    for value in values:
        conf = tmp_path / "fpm.conf"
        conf.write_text(f"[global]\nerror_log = {tmp_path}/err.log\npid = {tmp_path}/fpm.pid\n[www]\n"
                        f"user = nobody\nlisten = {tmp_path}/s.sock\npm = static\npm.max_children = 1\n"
                        f"request_terminate_timeout = {value}\n")
        out = subprocess.run([find_php_fpm(), "-n", "-tt", "-y", str(conf), "-p", str(tmp_path)],
                             capture_output=True, text=True)
        printed = re.search(r"request_terminate_timeout = (\d+)s$", out.stderr + out.stdout, re.M)
        seconds, error = fpm_time(value.strip())
        if printed:
            assert (seconds, error) == (int(printed.group(1)), None), value
        else:
            assert error is not None and "unknown suffix" in out.stderr + out.stdout, (value, out.stderr)
