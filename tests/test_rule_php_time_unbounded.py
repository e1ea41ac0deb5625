from rule_trees import POOL, nginx, tree

from gwlint.testing import lint


def test_both_limits_off_is_flagged_at_the_pool(tmp_path):
    r = lint(tree(None, "", "max_execution_time = 0\n"), tmp_path)
    (f,) = r.findings
    assert (f.code, f.path, f.line) == ("GW221", "etc/php/8.2/fpm/pool.d/www.conf", 1)
    assert "max_execution_time 0 (etc/php/8.2/fpm/php.ini:1)" in f.message
    assert "request_terminate_timeout 0 (default)" in f.message and "504" in f.message


def test_explicit_zero_terminate_is_related(tmp_path):
    r = lint(tree(None, "request_terminate_timeout = 0\nphp_admin_value[max_execution_time] = 0\n"), tmp_path)
    (f,) = r.findings
    assert {x.line for x in f.related} == {len(POOL.splitlines()) + 1, len(POOL.splitlines()) + 2}


def test_clean_with_either_limit(tmp_path):
    assert lint(tree(None, "request_terminate_timeout = 50\n", "max_execution_time = 0\n"), tmp_path).findings == []
    assert lint(tree(None, ""), tmp_path / "b").findings == []  # PHP's default 30


def test_php_value_zero_in_a_location_is_flagged_at_its_line(tmp_path):
    conf = nginx(location='            fastcgi_param PHP_ADMIN_VALUE "max_execution_time=0";  # expect: GW221\n'
                          '            fastcgi_param SCRIPT_FILENAME /var/www/html$fastcgi_script_name;\n')  # (else GW380)
    r = lint(tree(conf, "", "max_execution_time = 30\n"), tmp_path)
    r.assert_expected()
    assert "for this location" in r.findings[0].message
