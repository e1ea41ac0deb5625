from rule_trees import nginx, tree

from gwlint.testing import lint


def test_terminate_below_max_execution_time_is_flagged(tmp_path):
    r = lint(tree(None, "request_terminate_timeout = 20s ; expect: GW220\n", "max_execution_time = 30\n"), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "request_terminate_timeout 20s" in f.message and "max_execution_time 30 (etc/php/8.2/fpm/php.ini:1)" in f.message
    assert "502" in f.message and "(104: Connection reset by peer)" in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/php/8.2/fpm/php.ini", 1)]


def test_pool_php_admin_value_is_the_effective_limit(tmp_path):
    r = lint(tree(None, "request_terminate_timeout = 1m ; expect: GW220\n"
                        "php_admin_value[max_execution_time] = 120\n"), tmp_path)
    r.assert_expected()


def test_clean_when_terminate_is_longer_or_off(tmp_path):
    assert lint(tree(None, "request_terminate_timeout = 40s\n", "max_execution_time = 30\n"), tmp_path).findings == []
    assert lint(tree(None, "", "max_execution_time = 30\n"), tmp_path / "b").findings == []


def test_clean_when_max_execution_time_is_off(tmp_path):
    assert lint(tree(None, "request_terminate_timeout = 20s\n", "max_execution_time = 0\n"), tmp_path).findings == []


def test_php_value_from_nginx_is_checked_at_its_line(tmp_path):
    conf = nginx(location='            fastcgi_param PHP_VALUE "max_execution_time=300";  # expect: GW220\n'
                          '            fastcgi_read_timeout 10m;\n'
                          '            fastcgi_param SCRIPT_FILENAME /var/www/html$fastcgi_script_name;\n')  # (else GW380)
    r = lint(tree(conf, "request_terminate_timeout = 2m\n", "max_execution_time = 30\n"), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "max_execution_time 300 (etc/nginx/nginx.conf:7, fastcgi_param PHP_VALUE)" in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/php/8.2/fpm/pool.d/www.conf", 8)]


def test_fix_raises_terminate_above_max_execution_time(tmp_path):
    r = lint(tree(None, "request_terminate_timeout = 20s ; expect: GW220\n", "max_execution_time = 30\n"), tmp_path)
    (f,) = r.findings
    assert f.fix is not None and f.fix.safe  # 40s stays within nginx's default 60s read timeout
    assert r.fixed_line("etc/php/8.2/fpm/pool.d/www.conf", 8) == "request_terminate_timeout = 40s ; expect: GW220"
    assert r.relint().findings == []


def test_fix_is_unsafe_when_it_would_outlast_nginx(tmp_path):
    r = lint(tree(None, "request_terminate_timeout = 20s\n", "max_execution_time = 120\n"), tmp_path)
    (f,) = r.findings
    assert f.fix is not None and not f.fix.safe  # 130s > fastcgi_read_timeout 60s: GW340 would fire
    assert r.fixed(unsafe=False).changed == []


def test_several_units_in_a_reopened_pool_are_read_as_php_fpm_does(tmp_path):
    override = "[www]\nrequest_terminate_timeout = 1m30s ; expect: GW220\n"
    r = lint(tree(None, "request_terminate_timeout = 300s\n", "max_execution_time = 30\n",
                  **{"etc/php/8.2/fpm/pool.d/zz-override.conf": override}), tmp_path, select=["GW220"])
    r.assert_expected()
    (f,) = r.findings
    assert "php-fpm reads 1m30s as 1s: it takes one unit suffix only; 90s was meant" in f.message
    assert f.fix is not None and f.fix.safe
    assert r.fixed_line("etc/php/8.2/fpm/pool.d/zz-override.conf", 2) == \
        "request_terminate_timeout = 90s ; expect: GW220"
    assert r.fixed_text("etc/php/8.2/fpm/pool.d/www.conf") == (tmp_path / "etc/php/8.2/fpm/pool.d/www.conf").read_text()


def test_php_value_limit_gets_an_unsafe_fix_in_the_pool(tmp_path):
    conf = nginx(location='            fastcgi_param PHP_VALUE "max_execution_time=300";  # expect: GW220\n'
                          '            fastcgi_read_timeout 10m;\n'
                          '            fastcgi_param SCRIPT_FILENAME /var/www/html$fastcgi_script_name;\n')
    r = lint(tree(conf, "request_terminate_timeout = 2m\n", "max_execution_time = 30\n"), tmp_path)
    (f,) = r.findings
    assert f.fix is not None and not f.fix.safe
    assert r.fixed_line("etc/php/8.2/fpm/pool.d/www.conf", 8, unsafe=True) == "request_terminate_timeout = 310s"
