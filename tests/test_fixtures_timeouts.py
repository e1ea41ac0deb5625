"""The timeout/limit fixtures: findings exactly where their `expect:` comments say; clean stays clean."""

import shutil
import subprocess
from pathlib import Path

import pytest
from servers import PHP_FPM, require

from gwlint.testing import lint_tree

CODES = ("GW120", "GW121", "GW220", "GW221", "GW222", "GW223", "GW224", "GW340", "GW341", "GW342")


def copy(fixtures_dir, name, tmp_path) -> Path:
    root = tmp_path / name
    shutil.copytree(fixtures_dir / name, root, symlinks=True)
    return root


@pytest.mark.parametrize("name", ["debian-timeouts", "debian-fpm-refused"])
def test_fixture_fires_where_expected(fixtures_dir, tmp_path, name):
    r = lint_tree(copy(fixtures_dir, name, tmp_path))
    r.codes_only = CODES
    r.assert_expected()


def test_debian_timeouts_safe_fix_sets_read_timeout(fixtures_dir, tmp_path):
    r = lint_tree(copy(fixtures_dir, "debian-timeouts", tmp_path))
    assert r.fixed_line("etc/nginx/sites-available/default", 17) == "        fastcgi_read_timeout 130s;"
    assert "GW340" not in r.relint().codes()


def test_debian_timeouts_over_a_memory_budget(fixtures_dir, tmp_path):
    root = copy(fixtures_dir, "debian-timeouts", tmp_path)
    budget = lint_tree(root, config={"rules": {"fpm-memory-over-budget": {"budget": 1024**3}}})  # 10 workers x 128M = 1.25G
    (f,) = [f for f in budget.findings if f.code == "GW224"]
    assert (f.path, f.line) == ("etc/php/8.2/fpm/pool.d/www.conf", 18)
    assert "GW224" not in lint_tree(root, config={"rules": {"fpm-memory-over-budget": {"budget": 2 * 1024**3}}}).codes()


def test_clean_fixture_is_clean_under_these_rules(fixtures_dir):
    r = lint_tree(fixtures_dir / "debian-clean", config={"rules": {"fpm-memory-over-budget": {"budget": 2 * 1024**3}}})
    assert [f for f in r.findings if f.code in CODES] == []


@pytest.mark.parametrize("name,refused", [("debian-clean", False), ("debian-fpm-refused", True)])
def test_real_php_fpm_on_fixture(fixtures_dir, tmp_path, name, refused):
    """The fixture's FPM config, paths moved into a temp dir, through the real `php-fpm -t`."""
    require(PHP_FPM)
    conf_dir = tmp_path / "fpm"
    shutil.copytree(fixtures_dir / name / "etc/php/8.2/fpm", conf_dir)
    for conf in [conf_dir / "php-fpm.conf", *conf_dir.glob("pool.d/*.conf")]:
        text = conf.read_text().replace("/etc/php/8.2/fpm", str(conf_dir)).replace("/run/php", str(conf_dir))
        conf.write_text(text.replace("/var/log/php8.2-fpm.log", str(conf_dir / "fpm.log")))
    run = subprocess.run([PHP_FPM, "-n", "-t", "-p", str(conf_dir), "-y", str(conf_dir / "php-fpm.conf")],
                         capture_output=True, text=True, timeout=30)
    assert (run.returncode == 78) == refused, run.stderr
    if refused:
        assert "cannot be greater than pm.max_children(5)" in run.stderr
