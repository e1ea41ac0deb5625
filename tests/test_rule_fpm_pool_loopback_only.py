from functools import partial

from gwlint import testing
from gwlint.rule import Options

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


# Another listener on the port: `listen = 9000` beside it fails to bind (measured: `unable to bind listening
# socket for address '9000': Address already in use (98)`, php-fpm refuses to start), so the fix is unsafe
# and the message names the other listener's file:line. tests/realserver/cases.py shows it on real servers.
def _held_by(files, tmp_path, *where):
    """The GW303 fix is unsafe, and the message names each other listener at `where` (file:line)."""
    r = lint(files, tmp_path)
    (f,) = [f for f in r.findings if f.code == "GW303"]
    assert not f.fix.safe and "The fix is unsafe" in f.message and "(98: Address already in use)" in f.message
    for at in where:
        assert f"({at})" in f.message, f.message
        path, line = at.rsplit(":", 1)
        assert (path, int(line)) in [(x.path, x.line) for x in f.related]
    assert r.fixed().changed == []
    return f


ADMIN_VHOST = "    server {\n        server_name admin;\n        listen 10.8.0.1:9000;\n    }\n}\n"


def test_an_nginx_server_on_one_address_of_the_port_makes_the_fix_unsafe(tmp_path):
    nginx = NGINX.removesuffix("}\n") + ADMIN_VHOST
    f = _held_by(tree(nginx), tmp_path, "etc/nginx/nginx.conf:11")
    assert "nginx server admin listens on 10.8.0.1:9000" in f.message


def test_nginx_on_another_port_or_udp_leaves_the_fix_safe(tmp_path):
    nginx = NGINX.removesuffix("}\n") + ADMIN_VHOST.replace(":9000", ":9001")
    assert _gw303_fixes(lint(tree(nginx), tmp_path / "port"))[0].safe
    stream = "stream {\n    server {\n        listen 127.0.0.1:9000 udp;\n        return ok;\n    }\n}\n"
    assert _gw303_fixes(lint(tree(NGINX + stream), tmp_path / "udp"))[0].safe  # a UDP port: no TCP bind


def test_each_of_two_pools_on_the_port_names_the_other(tmp_path):
    pools = POOL + "\n[legacy]\nuser = www-data\nlisten = [::1]:9000  ; expect: GW303\n"
    www, legacy = lint(tree(pool=pools), tmp_path).findings
    assert "pool 'legacy' listens on [::1]:9000 (usr/local/etc/php-fpm.d/www.conf:7)" in www.message
    assert "pool 'www' listens on 127.0.0.1:9000 (usr/local/etc/php-fpm.d/www.conf:3)" in legacy.message
    assert not www.fix.safe and not legacy.fix.safe


UNIT = """[Service]
ExecStart=/opt/minio/bin/minio-gateway --bind 10.8.0.1:9000
"""


def test_a_systemd_unit_on_the_port_makes_the_fix_unsafe(tmp_path):
    files = tree() | {"etc/systemd/system/minio.service": UNIT}
    f = _held_by(files, tmp_path, "etc/systemd/system/minio.service:2")
    assert "systemd unit minio.service binds 10.8.0.1:9000" in f.message


def test_a_pm2_app_on_the_port_makes_the_fix_unsafe(tmp_path):
    files = tree() | {"ecosystem.config.js": "module.exports = {apps: [{name: 'api', env: {PORT: 9000}}]};\n"}
    _held_by(files, tmp_path, "ecosystem.config.js:1")


def test_a_configured_backend_on_the_port_makes_the_fix_unsafe(tmp_path):
    r = lint(tree(), tmp_path, options=Options(backends={"metrics": "10.8.0.1:9000"}))
    (f,) = r.findings
    assert not f.fix.safe and "The fix is unsafe: configured backend metrics;" in f.message


PHP_SERVICE = """services:
  php:
    image: {image}
    expose:
      - "9000"
    ports:
      - "127.0.0.1:9000:9000"
"""


def test_the_pools_own_compose_service_leaves_the_fix_safe(tmp_path):
    """`php` (fastcgi_pass php:9000) runs php-fpm: its exposed and published 9000 are the pool's own port."""
    for n, image in enumerate(("php:8.2-fpm", "registry.example.com/shop/php:8.2", "ghcr.io/acme/fpm")):
        files = tree() | {"docker-compose.yml": PHP_SERVICE.format(image=image)}
        r = lint(files, tmp_path / str(n))
        assert _gw303_fixes(r)[0].safe, image
        assert r.relint().codes() == []


def test_compose_ports_of_a_service_not_known_as_the_pools_keep_the_fix_unsafe(tmp_path):
    # the service nginx names (`app`, built from a Dockerfile) is not known to run php-fpm: unsure, counted
    app = PHP_SERVICE.replace("  php:\n    image: {image}", "  app:\n    build: .")
    files = tree(NGINX.replace("php:9000", "app:9000")) | {"docker-compose.yml": app}
    f = _held_by(files, tmp_path / "built", "docker-compose.yml:5", "docker-compose.yml:7")
    assert "compose service app serves port 9000" in f.message
    files["docker-compose.yml"] = app.replace("build: .", "image: php:8.2-fpm-alpine")
    assert _gw303_fixes(lint(files, tmp_path / "stock"))[0].safe  # a php-fpm image: its own port
    # another service publishing the port on this host
    minio = PHP_SERVICE.format(image="php:8.2-fpm") + '  minio:\n    image: minio/minio\n    ports:\n      - "9000:9000"\n'
    f = _held_by(tree() | {"docker-compose.yml": minio}, tmp_path / "minio", "docker-compose.yml:11")
    assert "compose service minio publishes *:9000" in f.message and "compose service php" not in f.message


def test_a_link_alias_names_the_pools_own_service(tmp_path):
    """nginx's `links: [php:fpm]` makes `fpm` the php service; without the link `fpm` names no service,
    so php's port 9000 may be another process's: counted."""
    linked = PHP_SERVICE.format(image="php:8.2-fpm") + "  web:\n    image: nginx:1.27\n    links:\n      - php:fpm\n"
    files = tree(NGINX.replace("php:9000", "fpm:9000")) | {"docker-compose.yml": linked}
    assert _gw303_fixes(lint(files, tmp_path / "linked"))[0].safe
    files["docker-compose.yml"] = linked.replace("      - php:fpm\n", "      - php\n")
    _held_by(files, tmp_path / "unlinked", "docker-compose.yml:5", "docker-compose.yml:7")
