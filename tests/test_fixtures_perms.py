"""The socket-permission fixtures fire exactly the expected rules; fixing converges."""

import shutil

import pytest

from gwlint.testing import lint_tree

POOL = "etc/php/8.2/fpm/pool.d/www.conf"
LEGACY = "etc/php/8.2/fpm/pool.d/legacy.conf"

EXPECTED = {
    "debian-socket-perms": {(POOL, 5, "GW201")},  # one cause (no listen.owner), one finding
    "debian-socket-modes": {(POOL, 14, "GW203"), (LEGACY, 5, "GW320"), (LEGACY, 5, "GW322"),
                            (LEGACY, 8, "GW202")},
    "debian-bad-accounts": {("etc/nginx/nginx.conf", 1, "GW323"), (POOL, 5, "GW204")},
    "rhel-private-tmp": {("etc/php-fpm.d/www.conf", 4, "GW321")},
    "debian-clean": set(),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings(fixtures_dir, name):
    r = lint_tree(fixtures_dir / name)
    assert {(f.path, f.line, f.code) for f in r.findings} == EXPECTED[name]


@pytest.mark.parametrize("name, remaining", [
    ("debian-socket-perms", set()),
    ("debian-socket-modes", {"GW322"}),
])
def test_fixes_converge(fixtures_dir, tmp_path, name, remaining):
    shutil.copytree(fixtures_dir / name, tmp_path / name, symlinks=True)
    r = lint_tree(tmp_path / name)
    assert {f.code for f in r.relint().findings} == remaining
