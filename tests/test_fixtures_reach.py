"""The fixture trees of the reachability rules fire exactly where their `expect:` comments say."""

import pytest

from gwlint.testing import lint_tree

CODES = ("GW101", "GW102", "GW103", "GW104", "GW105", "GW106", "GW301", "GW302", "GW303", "GW304", "GW305",
         "GW306")
BROKEN = ["docker-loopback-pool", "fastcgi-pass-no-resolver", "fpm-allowed-clients", "fpm-duplicate-listen",
          "fpm-loopback-override-lan", "fpm-loopback-pool-lan", "fpm-pool-port-taken", "fpm-shared-socket",
          "nginx-proxy-faults", "proxy-pass-to-fpm", "upstream-all-down", "upstream-name-typo"]


@pytest.mark.parametrize("name", BROKEN)
def test_broken_fixture_fires_where_expected(fixtures_dir, name):
    result = lint_tree(fixtures_dir / name)
    result.codes_only = CODES
    assert result.expected(), f"{name} has no expect: comments"
    result.assert_expected()


def test_clean_fixtures_stay_clean(fixtures_dir):
    clean = sorted(p for p in fixtures_dir.iterdir() if p.name.endswith("-clean"))
    assert clean
    for root in clean:
        assert [f for f in lint_tree(root).findings if f.code in CODES] == [], root.name
