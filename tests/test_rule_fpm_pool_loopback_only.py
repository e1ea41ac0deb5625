from functools import partial

from gwlint import testing

# Reachability rules, tested apart from the pool-validity and socket rules: these pools are minimal
lint = partial(testing.lint, ignore=("GW201", "GW223"))

POOL = """[www]
user = www-data
listen = 127.0.0.1:9000  ; expect: GW303
"""

NGINX = """events {}
http {
    server {
        listen 80;
        location ~ \\.php$ {
            fastcgi_pass php:9000;
        }
    }
}
"""


def tree(nginx=NGINX, pool=POOL):
    return {"etc/nginx/nginx.conf": nginx,
            "usr/local/etc/php-fpm.conf": "[global]\ninclude=etc/php-fpm.d/*.conf\n",
            "usr/local/etc/php-fpm.d/www.conf": pool}


def test_service_name_to_loopback_pool_is_flagged(tmp_path):
    r = lint(tree(), tmp_path)
    r.assert_expected()  # and no GW301: there is a pool on the port, the address is the problem
    (f,) = r.findings
    assert "(111: Connection refused)" in f.message and "another host or container" in f.message
    assert (f.path, f.line) == ("usr/local/etc/php-fpm.d/www.conf", 3)
    assert [(x.path, x.line) for x in f.related] == [("etc/nginx/nginx.conf", 6)]


def test_unsafe_fix_listens_on_every_address(tmp_path):
    r = lint(tree(), tmp_path)
    assert r.findings[0].fix.safe is False
    assert r.fixed_line("usr/local/etc/php-fpm.d/www.conf", 3, unsafe=True) == "listen = 9000  ; expect: GW303"
    assert r.relint(unsafe=True).findings == []


def test_remote_ip_to_ipv6_loopback_pool_is_flagged(tmp_path):
    r = lint(tree(NGINX.replace("php:9000", "10.0.0.5:9000"), POOL.replace("127.0.0.1:9000", "[::1]:9000")),
             tmp_path)
    r.assert_expected()
    assert "a non-loopback address" in r.findings[0].message


def test_upstream_servers_are_related_once_per_pool(tmp_path):
    nginx = NGINX.replace("fastcgi_pass php:9000;", "fastcgi_pass fpm;").replace(
        "http {\n", "http {\n    upstream fpm {\n        server php:9000;\n        server php2:9000;\n    }\n")
    r = lint(tree(nginx), tmp_path)
    r.assert_expected()
    assert [x.line for x in r.findings[0].related] == [4, 5]


def test_wildcard_pool_and_loopback_target_are_clean(tmp_path):
    assert lint(tree(pool=POOL.replace("127.0.0.1:9000  ; expect: GW303", "9000")), tmp_path / "a").findings == []
    assert lint(tree(NGINX.replace("php:9000;", "127.0.0.1:9000;")), tmp_path / "b").findings == []


def test_name_mapped_to_loopback_in_etc_hosts_is_clean(tmp_path):
    hosts = "127.0.0.1 localhost\n127.0.0.1 php  # same container\n"
    files = tree(NGINX, POOL.replace("  ; expect: GW303", "")) | {"etc/hosts": hosts}
    assert lint(files, tmp_path).findings == []
