"""GW306 fpm-pool-port-taken: a pool's TCP port also bound by nginx or another service, on overlapping
addresses. The overlap table is the one measured on nginx 1.22.1 + php-fpm 8.2 (the second to start
fails with `Address already in use (98)`, or starts); tests/realserver/cases.py shows the failure."""

import pytest
from rule_trees import FASTCGI_CONF, POOL, site_tree

from gwlint import testing
from gwlint.rule import Options

SOCKET = "listen = /run/php/php8.2-fpm.sock"


def site(listen: str = "127.0.0.1:9000", fastcgi: str = "127.0.0.1:9000", extra: str = "") -> str:
    """A PHP site on port 80 reaching the pool over TCP, and a status vhost on `listen`."""
    return ("user www-data;\nevents {}\nhttp {\n"
            "    server {\n        listen 80;\n        root /var/www/html;\n"
            "        location ~ \\.php$ {\n            include fastcgi.conf;\n"
            f"            fastcgi_pass {fastcgi};\n        }}\n    }}\n"
            "    server {\n        server_name status.internal;\n"
            f"        listen {listen};\n        return 200 ok;\n    }}\n" + extra + "}\n")


def pool(listen: str, expect: bool = False) -> str:
    return POOL.replace(SOCKET, f"listen = {listen}" + ("  ; expect: GW306" if expect else ""))


def lint(files, tmp_path, **kw):
    return testing.lint(files, tmp_path, select=("GW306",), **kw)


POOL_LINE = ("etc/php/8.2/fpm/pool.d/www.conf", 3)
NGINX_LISTEN = ("etc/nginx/nginx.conf", 14)


def test_a_pool_on_every_address_beside_an_nginx_listen_on_loopback(tmp_path):
    r = lint(site_tree(site(), pool("9000", expect=True)), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert (f.path, f.line) == POOL_LINE and f.severity.value == "error" and f.fix is None
    assert [(x.path, x.line) for x in f.related] == [NGINX_LISTEN]
    assert "nginx server status.internal listens on 127.0.0.1:9000 (etc/nginx/nginx.conf:14)" in f.message
    assert "unable to bind listening socket for address '9000': Address already in use (98)" in f.message
    assert "502 Bad Gateway" in f.message
    assert "bind() to 127.0.0.1:9000 failed (98: Address already in use)" in f.message


# (pool listen, nginx listen, whether the second to start fails): measured with both start orders
MEASURED = [
    ("9000", "127.0.0.1:9000", True), ("9000", "[::1]:9000", False), ("9000", "9000", True),
    ("9000", "[::]:9000", False), ("9000", "[::]:9000 ipv6only=off", True), ("9000", "127.0.0.2:9000", True),
    ("0.0.0.0:9000", "127.0.0.1:9000", True), ("0.0.0.0:9000", "[::1]:9000", False),
    ("0.0.0.0:9000", "9000", True), ("0.0.0.0:9000", "[::]:9000", False),
    ("0.0.0.0:9000", "[::]:9000 ipv6only=off", True), ("0.0.0.0:9000", "127.0.0.2:9000", True),
    ("[::]:9000", "127.0.0.1:9000", True), ("[::]:9000", "[::1]:9000", True), ("[::]:9000", "9000", True),
    ("[::]:9000", "[::]:9000", True), ("[::]:9000", "[::]:9000 ipv6only=off", True),
    ("[::]:9000", "127.0.0.2:9000", True),
    ("127.0.0.1:9000", "127.0.0.1:9000", True), ("127.0.0.1:9000", "[::1]:9000", False),
    ("127.0.0.1:9000", "9000", True), ("127.0.0.1:9000", "[::]:9000", False),
    ("127.0.0.1:9000", "[::]:9000 ipv6only=off", True), ("127.0.0.1:9000", "127.0.0.2:9000", False),
    ("[::1]:9000", "127.0.0.1:9000", False), ("[::1]:9000", "[::1]:9000", True), ("[::1]:9000", "9000", False),
    ("[::1]:9000", "[::]:9000", True), ("[::1]:9000", "[::]:9000 ipv6only=off", True),
    ("[::1]:9000", "127.0.0.2:9000", False),
    ("127.0.0.1:9000", "localhost:9000", True), ("[::1]:9000", "localhost:9000", True),
]


@pytest.mark.parametrize(("listen", "other", "fails"), MEASURED, ids=[f"{a}|{b}" for a, b, _ in MEASURED])
def test_overlap_as_measured(tmp_path, listen, other, fails):
    r = lint(site_tree(site(other), pool(listen, expect=fails)), tmp_path)
    r.assert_expected()


def test_nginx_names_the_address_it_fails_to_bind(tmp_path):
    (f,) = lint(site_tree(site("9000"), pool("[::]:9000")), tmp_path / "v4").findings
    assert "bind() to 0.0.0.0:9000 failed" in f.message
    (f,) = lint(site_tree(site("[::]:9000"), pool("[::1]:9000")), tmp_path / "v6").findings
    assert "bind() to [::]:9000 failed" in f.message and "address '[::1]:9000'" in f.message
    assert "nginx server status.internal listens on [::]:9000" in f.message


def test_other_ports_udp_and_sockets_are_clean(tmp_path):
    assert lint(site_tree(site("127.0.0.1:9001"), pool("9000")), tmp_path / "port").findings == []
    stream = "stream {\n    server {\n        listen 127.0.0.1:9000 udp;\n        return ok;\n    }\n}\n"
    files = site_tree(site("127.0.0.1:9001") + stream, pool("9000"))
    assert lint(files, tmp_path / "udp").findings == []
    files = site_tree(site("127.0.0.1:9000", fastcgi="unix:/run/php/php8.2-fpm.sock"), POOL)
    assert lint(files, tmp_path / "unix").findings == []


def test_an_unreadable_listen_is_skipped(tmp_path):
    assert lint(site_tree(site(), pool("${FPM_PORT}")), tmp_path / "env").findings == []
    assert lint(site_tree(site(), pool("app.internal:9000")), tmp_path / "name").findings == []


UNIT = "[Service]\nExecStart=/usr/local/bin/minio server /data {flags}\n"


def test_a_systemd_unit_on_an_overlapping_address(tmp_path):
    files = site_tree(site("127.0.0.1:9001"), pool("9000", expect=True))
    files["etc/systemd/system/minio.service"] = UNIT.format(flags="--bind 10.8.0.1:9000")
    r = lint(files, tmp_path / "bound")
    r.assert_expected()
    (f,) = r.findings
    assert "systemd unit minio.service binds 10.8.0.1:9000 (etc/systemd/system/minio.service:2)" in f.message
    assert "the other service cannot bind the port (98: Address already in use)" in f.message
    assert "bind() to" not in f.message  # no nginx involved
    files["etc/php/8.2/fpm/pool.d/www.conf"] = pool("127.0.0.1:9000")
    assert lint(files, tmp_path / "apart").findings == []  # two specific addresses coexist


# (unit flags or environment, pool listen, severity or None): a program's explicit wildcard, as measured
# with a socket bound there and php-fpm 8.2 started second (`0.0.0.0`: exit 78 on a bare port; `::`:
# exit 78 when dual-stack, php-fpm starts beside an IPV6_V6ONLY one)
WILDCARDS = [
    ("--bind 0.0.0.0:9000", "9000", "error"), ("--bind 0.0.0.0:9000", "127.0.0.1:9000", "error"),
    ("--bind 0.0.0.0:9000", "[::]:9000", "error"), ("--bind 0.0.0.0:9000", "[::1]:9000", None),
    ("--host 0.0.0.0 --port 9000", "9000", "error"), ("ENV HOST=0.0.0.0 PORT=9000", "9000", "error"),
    ("--host :: --port 9000", "9000", "warning"), ("--host :: --port 9000", "[::1]:9000", "error"),
    ("--bind [::]:9000", "[::]:9000", "error"), ("--bind :9000", "127.0.0.1:9000", "warning"),
]


@pytest.mark.parametrize(("flags", "listen", "severity"), WILDCARDS, ids=[f"{a}|{b}" for a, b, _ in WILDCARDS])
def test_a_programs_explicit_wildcard(tmp_path, flags, listen, severity):
    files = site_tree(site("127.0.0.1:9001"), pool(listen, expect=severity is not None))
    if flags.startswith("ENV "):
        unit = f"[Service]\nEnvironment={flags[4:]}\nExecStart=/usr/local/bin/api\n"
    else:
        unit = UNIT.format(flags=flags)
    files["etc/systemd/system/minio.service"] = unit
    r = lint(files, tmp_path)
    r.assert_expected()
    assert [f.severity.value for f in r.findings] == ([severity] if severity else [])
    if severity == "warning" and "::" in flags:
        assert "`::` holds every IPv4 address too unless that program sets IPV6_V6ONLY" in r.findings[0].message


def test_a_listener_without_an_address_is_a_warning(tmp_path):
    """The tree does not say where a PM2 app's PORT binds (node binds every address): maybe, not surely."""
    files = site_tree(site("127.0.0.1:9001"), pool("127.0.0.1:9000", expect=True))
    files["ecosystem.config.js"] = "module.exports = {apps: [{name: 'api', env: {PORT: 9000}}]};\n"
    r = lint(files, tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert f.severity.value == "warning" and "does not say which address it binds" in f.message
    assert [(x.path, x.line) for x in f.related] == [("ecosystem.config.js", 1)]


def test_a_configured_backend(tmp_path):
    files = site_tree(site("127.0.0.1:9001"), pool("9000", expect=True))
    r = lint(files, tmp_path / "on", options=Options(backends={"metrics": "10.8.0.1:9000"}))
    r.assert_expected()
    assert "configured backend metrics" in r.findings[0].message and r.findings[0].related == []
    files["etc/php/8.2/fpm/pool.d/www.conf"] = pool("127.0.0.1:9000")
    assert lint(files, tmp_path / "off", options=Options(backends={"metrics": "10.8.0.1:9000"})).findings == []


# compose: the pool runs in the php container, nginx on the host or in its own container
DOCKER_POOL = "[www]\nuser = www-data\nlisten = 9000\n"
PHP_SERVICE = """services:
  php:
    image: php:8.2-fpm
    expose:
      - "9000"
    ports:
      - "127.0.0.1:9000:9000"
"""


def docker_tree(nginx: str, compose: str) -> dict[str, str]:
    return {"etc/nginx/nginx.conf": nginx, "etc/nginx/fastcgi.conf": FASTCGI_CONF,
            "usr/local/etc/php-fpm.conf": "[global]\ninclude=etc/php-fpm.d/*.conf\n",
            "usr/local/etc/php-fpm.d/www.conf": DOCKER_POOL, "docker-compose.yml": compose}


def test_the_pools_own_compose_service_does_not_count(tmp_path):
    files = docker_tree(site("127.0.0.1:9001", fastcgi="php:9000"), PHP_SERVICE)
    assert lint(files, tmp_path / "own").findings == []
    # another container's port, or another service publishing on the host: not the php container's
    other = PHP_SERVICE + '  minio:\n    image: minio/minio\n    expose:\n      - "9000"\n    ports:\n      - "9000:9000"\n'
    assert lint(docker_tree(site("127.0.0.1:9001", fastcgi="php:9000"), other), tmp_path / "other").findings == []


def test_nginx_in_its_own_container_does_not_count(tmp_path):
    compose = PHP_SERVICE + "  web:\n    image: nginx:1.27\n    ports:\n      - \"80:80\"\n"
    files = docker_tree(site("9000", fastcgi="php:9000"), compose)
    assert lint(files, tmp_path / "php").findings == []
    # the pool's container unknown (reached over loopback from nginx's container): unknown, not wrong
    files = docker_tree(site("9000", fastcgi="127.0.0.1:9000"), compose)
    assert lint(files, tmp_path / "unknown").findings == []


def test_gw303s_unsafe_fix_makes_this_tree(tmp_path):
    """A loopback pool nginx reaches over the LAN, beside an admin vhost on the VPN address of its port:
    GW303's fix (unsafe, it says why) binds every address; applied anyway, GW306 reports the clash."""
    nginx = site("10.8.0.1:9000", fastcgi="10.0.0.5:9000")
    r = testing.lint(site_tree(nginx, pool("127.0.0.1:9000")), tmp_path, select=("GW303", "GW306"))
    assert r.codes() == ["GW303"]
    again = r.relint(unsafe=True)
    assert again.codes() == ["GW306"]
    assert "nginx server status.internal listens on 10.8.0.1:9000" in again.findings[0].message


def test_each_overlapping_nginx_listen_is_named(tmp_path):
    """nginx on `listen 9000;` and `listen [::1]:9000;` against a pool on `[::]` (both families): each named."""
    nginx = site("9000").replace("        listen 9000;\n", "        listen 9000;\n        listen [::1]:9000;\n")
    (f,) = lint(site_tree(nginx, pool("[::]:9000")), tmp_path).findings
    assert "listens on *:9000 (etc/nginx/nginx.conf:14); nginx server status.internal listens on [::1]:9000 " \
           "(etc/nginx/nginx.conf:15)" in f.message
    assert [x.line for x in f.related] == [14, 15]
