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
    response, error_log, _ = serve(tree, workdir / "open", "/status?full")
    assert response.status == 200 and "pool:" in response.body and "www" in response.body, error_log

    site.write_text(site.read_text().replace("location = /status {\n", "location = /status {\n        deny all;\n"))
    assert gwlint(str(tree), "--select", "GW384").returncode == 0
    response, _, _ = serve(tree, workdir / "closed", "/status?full")
    assert response.status == 403


def test_gw383_uploaded_file_runs_as_php_until_the_script_is_checked(workdir):
    tree = _copy("realserver-path-info-exec", workdir)
    site = tree / "etc/nginx/sites-available/default"
    assert "sites-available/default:17: GW383" in gwlint(str(tree), "--select", "GW383").stdout
    response, error_log, _ = serve(tree, workdir / "open", "/uploads/avatar.jpg/x.php")
    assert (response.status, response.body) == (200, "EXECUTED\n"), error_log

    site.write_text(site.read_text().replace("        fastcgi_param PATH_INFO",
                                             "        try_files $fastcgi_script_name =404;\n        fastcgi_param PATH_INFO"))
    assert gwlint(str(tree), "--select", "GW383").returncode == 0
    response, _, _ = serve(tree, workdir / "closed", "/uploads/avatar.jpg/x.php")
    assert response.status == 404
    response, _, _ = serve(tree, workdir / "closed2", "/index.php")
    assert (response.status, response.body) == (200, "OK\n")
