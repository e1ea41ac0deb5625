"""Real-server proof for the script-reaching rules that predict no error status: what the
request really gets before gwlint's finding is acted on, and after."""

import shutil
from pathlib import Path

import pytest

from realserver.test_realserver import FIXTURES, gwlint, serve

pytestmark = pytest.mark.realserver


def _copy(fixture: str, workdir: Path) -> Path:
    tree = workdir / "tree"
    shutil.copytree(FIXTURES / fixture, tree, symlinks=True)
    return tree


def test_gw384_status_page_is_served_to_anyone_until_restricted(workdir):
    tree = _copy("realserver-status-exposed", workdir)
    site = tree / "etc/nginx/sites-available/default"
    result = gwlint(str(tree), "--select", "GW384")
    assert "sites-available/default:22: GW384" in result.stdout, result.stdout
    served = serve(tree, workdir / "open", "/status?full")
    body = served.response.body
    assert served.response.status == 200 and "pool:" in body and "www" in body, served.error_log

    site.write_text(site.read_text().replace("location = /status {\n", "location = /status {\n        deny all;\n"))
    assert gwlint(str(tree), "--select", "GW384").returncode == 0
    assert serve(tree, workdir / "closed", "/status?full").response.status == 403


def test_gw383_uploaded_file_runs_as_php_until_the_script_is_checked(workdir):
    tree = _copy("realserver-path-info-exec", workdir)
    site = tree / "etc/nginx/sites-available/default"
    assert "sites-available/default:17: GW383" in gwlint(str(tree), "--select", "GW383").stdout
    served = serve(tree, workdir / "open", "/uploads/avatar.jpg/x.php")
    assert (served.response.status, served.response.body) == (200, "EXECUTED\n"), served.error_log

    site.write_text(site.read_text().replace("        fastcgi_param PATH_INFO",
                                             "        try_files $fastcgi_script_name =404;\n        fastcgi_param PATH_INFO"))
    assert gwlint(str(tree), "--select", "GW383").returncode == 0
    assert serve(tree, workdir / "closed", "/uploads/avatar.jpg/x.php").response.status == 404
    response = serve(tree, workdir / "closed2", "/index.php").response
    assert (response.status, response.body) == (200, "OK\n")


def test_gw381_compose_mounts_reproduced_with_two_roots(workdir):
    """compose-mount-mismatch's consequence on one host: php-fpm gets a file system of its own (a
    pool chroot standing for the php container, which mounts ./src at /var/www) while nginx serves
    ./src at /var/www/html; the manual fix sends the path as the php container sees it."""
    result = gwlint(str(FIXTURES / "compose-mount-mismatch"), "--select", "GW381")
    assert "nginx/conf.d/default.conf:3: GW381" in result.stdout, result.stdout
    tree = _copy("realserver-fpm-chroot", workdir)
    pool = tree / "etc/php/8.2/fpm/pool.d/www.conf"
    pool.write_text(pool.read_text().replace("chroot = /var/www\n", "chroot = /srv/php\n"))
    script = (FIXTURES / "compose-mount-mismatch/src/index.php").read_text()
    (tree / "srv/php/var/www").mkdir(parents=True)
    (tree / "srv/php/var/www/index.php").write_text(script)  # the php container's ./src:/var/www
    (tree / "var/www/html/index.php").write_text(script)  # nginx's ./src:/var/www/html
    assert "fastcgi.conf:1: GW381" in gwlint(str(tree), "--select", "GW381").stdout  # chroot + root not held
    broken = serve(tree, workdir / "broken", "/index.php")
    assert broken.response.status == 404, broken.error_log
    assert 'FastCGI sent in stderr: "Primary script unknown"' in broken.error_log, broken.error_log

    site = tree / "etc/nginx/sites-available/default"
    site.write_text(site.read_text().replace(
        "        fastcgi_pass unix", "        fastcgi_param SCRIPT_FILENAME /var/www$fastcgi_script_name;\n        fastcgi_pass unix"))
    assert gwlint(str(tree), "--select", "GW381").returncode == 0
    fixed = serve(tree, workdir / "fixed", "/index.php")
    assert (fixed.response.status, fixed.response.body) == (200, "OK\n"), fixed.error_log
