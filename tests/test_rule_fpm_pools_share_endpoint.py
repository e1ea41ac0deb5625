from functools import partial

from gwlint import testing

# Reachability rules, tested apart from the pool-validity and socket rules: these pools are minimal
lint = partial(testing.lint, ignore=("GW201", "GW223"))

FPM = "[global]\ninclude=/etc/php/{v}/fpm/pool.d/*.conf\n"


def install(v, pool_text):
    return {f"etc/php/{v}/fpm/php-fpm.conf": FPM.format(v=v), f"etc/php/{v}/fpm/pool.d/www.conf": pool_text}


def test_two_php_versions_on_one_socket(tmp_path):
    files = install("7.4", "[www]\nuser = www-data\nlisten = /run/php/php-fpm.sock\n")
    files |= install("8.2", "[www]\nuser = www-data\nlisten = /run/php/php-fpm.sock  ; expect: GW305\n")
    r = lint(files, tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "Another FPM instance seems to already listen on /run/php/php-fpm.sock" in f.message
    assert "502" in f.message and f.fix is None
    assert [(x.path, x.line) for x in f.related] == [("etc/php/7.4/fpm/pool.d/www.conf", 3)]


def test_same_string_in_one_install(tmp_path):
    r = lint(install("8.2", "[a]\nlisten = 127.0.0.1:9000\n[b]\nlisten = 127.0.0.1:9000  ; expect: GW305\n"), tmp_path)
    r.assert_expected()
    assert "unable to set listen address as it's already used in another pool 'a'" in r.findings[0].message


def test_wildcard_overlaps_a_specific_address(tmp_path):
    r = lint(install("8.2", "[a]\nlisten = 127.0.0.1:9000\n[b]\nlisten = 9000  ; expect: GW305\n"), tmp_path)
    r.assert_expected()
    assert "Address already in use (98)" in r.findings[0].message


def test_distinct_endpoints_are_clean(tmp_path):
    text = "[a]\nlisten = 127.0.0.1:9000\n[b]\nlisten = [::1]:9000\n[c]\nlisten = 127.0.0.1:9001\n" \
           "[d]\nlisten = /run/php/d.sock\n[e]\nlisten = /run/php/e.sock\n"
    assert lint(install("8.2", text), tmp_path).findings == []
