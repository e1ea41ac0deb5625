from rule_trees import FPM_CONF, POOL

from gwlint.testing import lint

FRONT = """user www-data;
events {}
http {
    proxy_read_timeout 5s;
    server {
        listen 80;
        location / {
            proxy_pass http://127.0.0.1:8080;  # expect: GW343
        }
    }
    server {
        listen 127.0.0.1:8080;
        server_name app.internal;
        root /var/www/html;
        location / {
            try_files $uri /index.php?$query_string;
        }
        location ~ \\.php$ {
            fastcgi_read_timeout 310s;
            include fastcgi.conf;
            fastcgi_pass unix:/run/php/php8.2-fpm.sock;
        }
    }
}
"""
FASTCGI_CONF = "fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n"


def tree(nginx=FRONT, pool_extra="request_terminate_timeout = 300s\n"):
    return {"etc/nginx/nginx.conf": nginx, "etc/nginx/fastcgi.conf": FASTCGI_CONF,
            "etc/php/8.2/fpm/php-fpm.conf": FPM_CONF, "etc/php/8.2/fpm/pool.d/www.conf": POOL + pool_extra}


def test_front_read_timeout_below_the_back_chain_is_an_error_with_each_hop_related(tmp_path):
    r = lint(tree(), tmp_path, select=["GW343"])
    r.assert_expected()
    (f,) = r.findings
    assert f.severity.value == "error"  # 5s: ordinary slow pages hit it
    assert "proxy_read_timeout 5s (etc/nginx/nginx.conf:4, inherited from http)" in f.message
    assert "nginx server app.internal (127.0.0.1:8080)" in f.message and "may take 5m" in f.message
    assert "504 Gateway Timeout" in f.message
    assert [(x.line, x.label) for x in f.related][:2] == [
        (12, "nginx server app.internal listens here"), (21, "/index.php reaches this fastcgi_pass")]
    assert r.fixed_line("etc/nginx/nginx.conf", 8) == "            proxy_read_timeout 310s;"
    assert r.relint().findings == []


def test_a_60s_default_in_front_of_minutes_is_a_warning(tmp_path):
    r = lint(tree(FRONT.replace("    proxy_read_timeout 5s;\n", "")), tmp_path, select=["GW343"])
    (f,) = r.findings
    assert f.severity.value == "warning" and "proxy_read_timeout 60s (default)" in f.message


def test_front_that_waits_long_enough_is_clean(tmp_path):
    r = lint(tree(FRONT.replace("proxy_read_timeout 5s;", "proxy_read_timeout 320s;")), tmp_path, select=["GW343"])
    assert r.findings == []


def test_pool_limit_below_the_back_read_timeout_is_what_the_front_must_cover(tmp_path):
    r = lint(tree(FRONT.replace("proxy_read_timeout 5s;", "proxy_read_timeout 45s;"),
                  "request_terminate_timeout = 40s\n"), tmp_path, select=["GW343"])
    assert r.findings == []


def test_proxy_to_an_address_no_server_of_the_tree_listens_on_is_not_a_hop(tmp_path):
    r = lint(tree(FRONT.replace("127.0.0.1:8080;  # expect: GW343", "127.0.0.1:9999;")), tmp_path,
             select=["GW343"])
    assert r.findings == []

