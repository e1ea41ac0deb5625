from rule_trees import nginx, tree

from gwlint.testing import lint

CODE = ("GW340",)
NGINX = "etc/nginx/nginx.conf"


def run(tmp_path, *args, **kwargs):
    r = lint(tree(*args, **kwargs), tmp_path)
    r.codes_only = CODE
    return r


def test_default_read_timeout_below_terminate_timeout(tmp_path):
    conf = nginx().replace("fastcgi_pass unix:/run/php/php8.2-fpm.sock;",
                           "fastcgi_pass unix:/run/php/php8.2-fpm.sock;  # expect: GW340")
    r = run(tmp_path, conf, "request_terminate_timeout = 5m\n")
    r.assert_expected()
    (f,) = [f for f in r.findings if f.code == "GW340"]
    assert "fastcgi_read_timeout 60s (default)" in f.message
    assert "request_terminate_timeout 5m (etc/php/8.2/fpm/pool.d/www.conf:8, pool 'www')" in f.message
    assert "504" in f.message and "(110: Connection timed out)" in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/php/8.2/fpm/pool.d/www.conf", 8)]
    assert r.fixed_line(NGINX, 7) == "            fastcgi_read_timeout 310s;"
    assert [f for f in r.relint().findings if f.code == "GW340"] == []


def test_inherited_from_http_names_the_http_line_and_inserts_in_location(tmp_path):
    conf = nginx(http="    fastcgi_read_timeout 30s;\n")
    r = run(tmp_path, conf, "", "max_execution_time = 120\n")
    (f,) = [f for f in r.findings if f.code == "GW340"]
    assert (f.path, f.line) == (NGINX, 8)  # the fastcgi_pass line
    assert "fastcgi_read_timeout 30s (etc/nginx/nginx.conf:4, inherited from http)" in f.message
    assert "max_execution_time 120 (etc/php/8.2/fpm/php.ini:1)" in f.message
    assert r.fixed_line(NGINX, 8) == "            fastcgi_read_timeout 130s;"


def test_location_setting_is_rewritten_in_place(tmp_path):
    conf = nginx(location="            fastcgi_read_timeout 20s;  # keep  # expect: GW340\n")
    r = run(tmp_path, conf, "request_terminate_timeout = 60\n")
    r.assert_expected()
    assert r.fixed_line(NGINX, 7) == "            fastcgi_read_timeout 70s;  # keep  # expect: GW340"


def test_shared_include_fix_is_unsafe(tmp_path):
    conf = nginx(location="            include snippets/t.conf;\n").replace(
        "    server {", "    server {\n        location /other { include snippets/t.conf; }", 1)
    r = run(tmp_path, conf, "request_terminate_timeout = 60\n",
            **{"etc/nginx/snippets/t.conf": "fastcgi_read_timeout 20s;\n"})
    (f,) = [f for f in r.findings if f.code == "GW340"]
    assert f.path == "etc/nginx/snippets/t.conf" and f.fix is not None and not f.fix.safe


def test_php_value_from_nginx_counts(tmp_path):
    conf = nginx(location='            fastcgi_param PHP_VALUE "max_execution_time=600";\n')
    r = run(tmp_path, conf)
    (f,) = [f for f in r.findings if f.code == "GW340"]
    assert "max_execution_time 600 (etc/nginx/nginx.conf:7, fastcgi_param PHP_VALUE)" in f.message


def test_clean_when_nginx_waits_longer(tmp_path):
    conf = nginx(server="        fastcgi_read_timeout 10m;\n")
    assert run(tmp_path, conf, "request_terminate_timeout = 300\n").findings == []


def test_clean_stock_debian_values(tmp_path):
    # max_execution_time 30 (php.ini), terminate off, nginx default 60s
    assert run(tmp_path, None, "", "[PHP]\nmax_execution_time = 30\n").findings == []


def test_unbounded_php_is_left_to_gw221(tmp_path):
    r = run(tmp_path, None, "php_admin_value[max_execution_time] = 0\n")
    assert "GW340" not in r.codes()


def test_pass_inside_if_is_fixed_in_the_enclosing_location(tmp_path):
    conf = nginx().replace("            fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n",
                           "            if ($request_method = POST) {\n"
                           "                fastcgi_pass unix:/run/php/php8.2-fpm.sock;  # expect: GW340\n"
                           "            }\n")
    r = run(tmp_path, conf, "request_terminate_timeout = 5m\n")
    r.assert_expected()
    assert r.fixed_line(NGINX, 7) == "            fastcgi_read_timeout 310s;"
