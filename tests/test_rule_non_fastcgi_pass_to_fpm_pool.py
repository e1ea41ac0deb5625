from functools import partial

from gwlint import testing

# Reachability rules, tested apart from the pool-validity and socket rules: these pools are minimal
lint = partial(testing.lint, ignore=("GW201", "GW223"))

POOL = """[www]
user = www-data
listen = 127.0.0.1:9000
"""

NGINX = """events {}
http {
    server {
        listen 80;
        location ~ \\.php$ {
            PASS
        }
    }
}
"""


def tree(pass_line, pool=POOL, extra_http=""):
    nginx = NGINX.replace("PASS", pass_line).replace("http {\n", "http {\n" + extra_http)
    return {"etc/nginx/nginx.conf": nginx,
            "etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
            "etc/php/8.2/fpm/pool.d/www.conf": pool}


def test_proxy_pass_to_pool_port_is_flagged_with_pool_related(tmp_path):
    r = lint(tree("proxy_pass http://127.0.0.1:9000;  # expect: GW302"), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "502" in f.message and "(104: Connection reset by peer)" in f.message and "sends HTTP" in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/php/8.2/fpm/pool.d/www.conf", 3)]
    assert f.fix is None


def test_uwsgi_scgi_grpc_to_pool_socket_are_flagged(tmp_path):
    pool = POOL.replace("127.0.0.1:9000", "/run/php/php8.2-fpm.sock")
    for kind, arg in (("uwsgi_pass", "unix:/run/php/php8.2-fpm.sock"), ("scgi_pass", "unix:/run/php/php8.2-fpm.sock"),
                      ("grpc_pass", "unix:/run/php/php8.2-fpm.sock")):
        r = lint(tree(f"{kind} {arg};  # expect: GW302", pool), tmp_path / kind)
        r.assert_expected()


def test_upstream_server_on_pool_port_is_flagged_at_server_line(tmp_path):
    upstream = "    upstream app { server 127.0.0.1:9000; }  # expect: GW302\n"
    r = lint(tree("proxy_pass http://app;", extra_http=upstream), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert f.message.startswith("upstream app server 127.0.0.1:9000")
    assert f.related[0].line == 7  # the proxy_pass using the upstream


def test_fastcgi_pass_and_other_ports_are_clean(tmp_path):
    assert lint(tree("fastcgi_pass 127.0.0.1:9000;"), tmp_path / "a").findings == []
    assert lint(tree("proxy_pass http://127.0.0.1:3000;"), tmp_path / "b").findings == []


def test_service_name_on_pool_port_is_not_guessed(tmp_path):
    # another container's app may well listen on 9000: only certain hits are reported
    assert lint(tree("proxy_pass http://node:9000;", POOL.replace("127.0.0.1:9000", "9000")), tmp_path).findings == []
