"""`gwlint check --verify`: the servers' own config tests on a relocated copy, as GW920/GW921 findings."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gwlint.verify.nginx_t import verify

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SITE = "etc/nginx/sites-available/default"
POOL = "etc/php/8.2/fpm/pool.d/www.conf"

pytestmark = pytest.mark.realserver(root=False)  # config tests run as any user


def copy(tmp_path: Path, fixture: str = "debian-clean") -> Path:
    shutil.copytree(FIXTURES / fixture, tmp_path / "tree", symlinks=True)
    return tmp_path / "tree"


def edit(tree: Path, rel: str, old: str, new: str) -> str:
    text = (tree / rel).read_text()
    assert old in text
    (tree / rel).write_text(text.replace(old, new, 1))
    return text.replace(old, new, 1)


def test_clean_tree_passes_both_config_tests(tmp_path):
    assert verify(copy(tmp_path)) == ([], [])


def test_failures_point_at_the_tree_file_and_line(tmp_path):
    tree = copy(tmp_path)
    edit(tree, SITE, "fastcgi_pass unix", "fastcgi_pas unix")
    edit(tree, POOL, "pm = dynamic", "pm = dynamc")
    findings, _ = verify(tree)
    assert [(f.code, f.path, f.line) for f in findings] == [
        ("GW920", SITE, 18), ("GW921", POOL, 17)]
    assert 'unknown directive "fastcgi_pas"' in findings[0].message
    assert "invalid process manager" in findings[1].message
    assert "/tmp" not in findings[0].message + findings[1].message


def test_one_refusal_is_one_finding(tmp_path):
    tree = copy(tmp_path)
    edit(tree, POOL, "pm.max_children = 5", "pm.max_children = 1")
    findings, _ = verify(tree)  # php-fpm adds "failed to post process the configuration": not a 2nd finding
    assert [f.code for f in findings] == ["GW921"], [f.message for f in findings]
    assert "cannot be greater than pm.max_children(1)" in findings[0].message


def test_nothing_is_written_outside_the_copy(tmp_path):
    outside = [Path("/run/nginx.pid"), Path("/var/log/php8.2-fpm.log"), Path("/run/php/php8.2-fpm.pid")]
    before = {p: p.exists() for p in outside}
    verify(copy(tmp_path))
    assert {p: p.exists() for p in outside} == before


def test_overlay_is_what_gets_tested(tmp_path):
    tree = copy(tmp_path)
    broken = (tree / SITE).read_text().replace("index index.php", "index_ index.php")
    findings, _ = verify(tree, overlay={SITE: broken})
    assert [(f.code, f.path, f.line) for f in findings] == [("GW920", SITE, 7)]


def gwlint(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gwlint", "check", *map(str, args)], capture_output=True, text=True)


def test_cli_verify_reports_and_sets_exit_code(tmp_path):
    tree = copy(tmp_path)
    assert gwlint(tree, "--verify").returncode == 0
    edit(tree, POOL, "pm = dynamic", "pm = dynamc")
    result = gwlint(tree, "--verify")
    assert result.returncode == 1 and f"{POOL}:17: GW921 error: `php-fpm -t` fails" in result.stdout


def test_cli_verify_tests_the_fixed_tree(tmp_path):
    tree = copy(tmp_path, "debian-socket-mismatch")
    diff = gwlint(tree, "--diff", "--verify")
    assert diff.returncode == 1 and "+        fastcgi_pass unix:/run/php/php8.2-fpm.sock;" in diff.stdout
    assert "GW92" not in diff.stderr
    fixed = gwlint(tree, "--fix", "--verify")
    assert fixed.returncode == 0 and "All checks passed." in fixed.stdout


def test_absolute_symlinks_are_read_in_the_copy_never_on_this_host(tmp_path):
    """Debian's links (`sites-enabled/x -> /etc/nginx/sites-available/x`) name the tree's own files:
    the only broken file sits behind such a link, and a site exists only in the tree."""
    tree = copy(tmp_path)
    enabled = tree / "etc/nginx/sites-enabled"
    (enabled / "default").unlink()
    (enabled / "default").symlink_to("/etc/nginx/sites-available/default")
    edit(tree, SITE, "index index.php", "index_ index.php")
    (tree / "etc/nginx/sites-available/gw-only-in-tree").write_text("server {\n    listen 8080;\n}\n")
    (enabled / "gw-only-in-tree").symlink_to("/etc/nginx/sites-available/gw-only-in-tree")
    findings, notes = verify(tree)
    assert [(f.code, f.path, f.line) for f in findings] == [("GW920", SITE, 7)], findings
    assert 'unknown directive "index_"' in findings[0].message and notes == []
    edit(tree, SITE, "index_ index.php", "index index.php")
    assert verify(tree) == ([], [])


def test_links_out_of_the_tree_are_left_out_with_a_note(tmp_path):
    tree = copy(tmp_path)
    (tree / "etc/nginx/modules-enabled/50-mod-gw.conf").symlink_to("/usr/share/nginx/modules-available/gw.conf")
    findings, notes = verify(tree)
    assert findings == []
    assert notes == ["--verify: etc/nginx/modules-enabled/50-mod-gw.conf links to "
                     "/usr/share/nginx/modules-available/gw.conf, which the tree does not hold; "
                     "left out of the servers' config tests"]


def test_an_include_the_tree_lacks_is_not_read_from_this_host(tmp_path):
    tree = copy(tmp_path)
    (tree / "etc/nginx/mime.types").unlink()  # this host has /etc/nginx/mime.types
    findings, _ = verify(tree)
    assert [(f.code, f.path) for f in findings] == [("GW920", "etc/nginx/nginx.conf")]
    assert "mime.types" in findings[0].message


def test_pool_files_alone_are_tested_too(tmp_path):
    tree = copy(tmp_path)
    (tree / "etc/php/8.2/fpm/php-fpm.conf").unlink()
    assert verify(tree) == ([], [])
    edit(tree, POOL, "pm = dynamic", "pm = dynamc")
    findings, _ = verify(tree)
    assert [(f.code, f.path, f.line) for f in findings] == [("GW921", POOL, 17)]


def test_another_php_version_than_the_trees_is_named(tmp_path):
    tree = copy(tmp_path)
    os.rename(tree / "etc/php/8.2", tree / "etc/php/5.6")
    for rel in ("etc/php/5.6/fpm/php-fpm.conf", "etc/php/5.6/fpm/pool.d/www.conf",
                "etc/nginx/sites-available/default"):
        (tree / rel).write_text((tree / rel).read_text().replace("8.2", "5.6"))
    findings, notes = verify(tree)
    assert findings == []
    [note] = notes
    assert note.startswith("--verify: etc/php/5.6/fpm/php-fpm.conf is PHP 5.6's, tested with ") and "(PHP 8." in note


def test_templates_are_left_out_of_the_config_tests(tmp_path):
    tree = copy(tmp_path, "templates-mixed")
    findings, notes = verify(tree)
    assert findings == []
    assert len([n for n in notes if "unrendered template" in n]) == 8
    assert notes[-1].startswith("--verify: `php-fpm -t` skipped for etc/php/8.2/fpm/php-fpm.conf: its settings read "
                                "${FPM_MAX_CHILDREN}, ${PHP_POST_MAX}, ${PHP_UPLOAD_MAX} from the environment")
