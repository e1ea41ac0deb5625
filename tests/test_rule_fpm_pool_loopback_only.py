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


def _gw303_fixes(r):
    fixes = [f.fix for f in r.findings if f.code == "GW303"]
    assert fixes and None not in fixes
    return fixes


def test_service_name_to_loopback_pool_is_flagged(tmp_path):
    r = lint(tree(), tmp_path)
    r.assert_expected()  # and no GW301: there is a pool on the port, the address is the problem
    (f,) = r.findings
    assert "(111: Connection refused)" in f.message and "another host or container" in f.message
    assert (f.path, f.line) == ("usr/local/etc/php-fpm.d/www.conf", 3)
    assert [(x.path, x.line) for x in f.related] == [("etc/nginx/nginx.conf", 6)]


def test_the_one_pool_one_site_uses_gets_a_safe_fix(tmp_path):
    r = lint(tree(), tmp_path)
    assert _gw303_fixes(r)[0].safe
    assert r.fixed_line("usr/local/etc/php-fpm.d/www.conf", 3) == "listen = 9000  ; expect: GW303"
    assert r.relint().findings == []


def test_an_override_file_reopening_the_pool_is_the_line_fixed(tmp_path):
    files = tree(pool=POOL.replace("127.0.0.1:9000  ; expect: GW303", "9000")) | {
        "usr/local/etc/php-fpm.d/zzz-local.conf": "[www]\nlisten = 127.0.0.1:9000  ; expect: GW303\n"}
    r = lint(files, tmp_path)
    r.assert_expected()
    assert _gw303_fixes(r)[0].safe
    assert r.fixed_line("usr/local/etc/php-fpm.d/zzz-local.conf", 2) == "listen = 9000  ; expect: GW303"
    assert r.relint().findings == []


def _unsafe(files, tmp_path):
    """Each GW303 finding's fix is offered, unsafe: `--fix` leaves it, `--unsafe-fixes` clears it;
    the re-lint after `--unsafe-fixes` is returned."""
    r = lint(files, tmp_path)
    r.assert_expected()
    assert not any(fix.safe for fix in _gw303_fixes(r))
    assert r.fixed().changed == []
    again = r.relint(unsafe=True)
    assert "GW303" not in again.codes()
    return again


def test_two_pools_on_the_port_keep_the_fix_unsafe(tmp_path):
    pools = POOL + "\n[legacy]\nuser = www-data\nlisten = [::1]:9000  ; expect: GW303\n"
    _unsafe(tree(pool=pools), tmp_path)


def test_another_site_using_the_pool_keeps_the_fix_unsafe(tmp_path):
    nginx = NGINX.replace("    }\n}\n", "    }\n    server {\n        listen 8080;\n        location ~ \\.php$ {\n"
                                        "            fastcgi_pass 127.0.0.1:9000;\n        }\n    }\n}\n")
    assert _unsafe(tree(nginx), tmp_path).findings == []  # the other site still reaches it on loopback


SOCKET_POOL = """[app]
user = {user}
listen = /run/php-fpm.sock
listen.owner = nobody
listen.group = nogroup
"""
ADMIN = """        location /admin/ {
            fastcgi_pass unix:/run/php-fpm.sock;
        }
        location ~ \\.php$ {"""


def test_a_pool_of_another_user_than_the_sites_other_pools_keeps_the_fix_unsafe(tmp_path):
    nginx = NGINX.replace("        location ~ \\.php$ {", ADMIN)
    files = tree(nginx) | {"usr/local/etc/php-fpm.d/app.conf": SOCKET_POOL.format(user="app")}
    _unsafe(files, tmp_path / "other")
    files["usr/local/etc/php-fpm.d/app.conf"] = SOCKET_POOL.format(user="www-data")
    assert _gw303_fixes(lint(files, tmp_path / "same"))[0].safe


def test_a_pool_of_another_php_version_than_the_sites_other_pools_keeps_the_fix_unsafe(tmp_path):
    nginx = NGINX.replace("        location ~ \\.php$ {", ADMIN)
    files = {"etc/nginx/nginx.conf": nginx,
             "etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
             "etc/php/8.2/fpm/pool.d/app.conf": SOCKET_POOL.format(user="www-data"),
             "etc/php/7.4/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/7.4/fpm/pool.d/*.conf\n",
             "etc/php/7.4/fpm/pool.d/www.conf": POOL}
    _unsafe(files, tmp_path / "other")
    files["etc/php/8.2/fpm/pool.d/www.conf"] = files.pop("etc/php/7.4/fpm/pool.d/www.conf")
    del files["etc/php/7.4/fpm/php-fpm.conf"]
    assert _gw303_fixes(lint(files, tmp_path / "same"))[0].safe


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
