"""The doctor maps a logged request onto server and location as nginx does (ngx_http_core_find_location,
ngx_http_find_virtual_server), then onto the `*_pass` in effect."""

import pytest

from gwlint.doctor.route import Router, upstream_peer
from gwlint.model.workspace import load_workspace
from gwlint.testing import write_tree

NGINX = """\
events {}
http {
    upstream app { server 127.0.0.1:8000; }
    server {
        listen 80 default_server;
        server_name example.com www.example.com;
        root /var/www/html;
        index index.php index.html;
        location / { try_files $uri $uri/ /index.php?$args; }
        location = /exact { proxy_pass http://127.0.0.1:8001; }
        location ^~ /static/ { proxy_pass http://127.0.0.1:8002; }
        location /api/ {
            proxy_pass http://app;
            location ~ \\.json$ { proxy_pass http://127.0.0.1:8003; }
            location /api/v2/ { proxy_pass http://127.0.0.1:8004; }
        }
        location ~* \\.PHP$ { fastcgi_pass unix:/run/php/php8.2-fpm.sock; }
        location ~ ^/admin/(?<page>.+)$ { fastcgi_pass 127.0.0.1:9001; }
        location /legacy/ { try_files $uri @old; }
        location @old { proxy_pass http://127.0.0.1:8005; }
        location /images/ { }
    }
    server {
        listen 80;
        server_name *.shop.test;
        location / { proxy_pass http://127.0.0.1:8100; }
    }
    server {
        listen 80;
        server_name api.*;
        location / { proxy_pass http://127.0.0.1:8200; }
    }
    server {
        listen 80;
        server_name ~^(?<sub>\\w+)\\.regex\\.test$;
        location / { proxy_pass http://127.0.0.1:8300; }
    }
}
"""


@pytest.fixture(scope="module")
def router(tmp_path_factory):
    root = write_tree({"etc/nginx/nginx.conf": NGINX}, tmp_path_factory.mktemp("route"))
    return Router(load_workspace(root))


def line_of(match) -> int:
    return match.route.directive.line


@pytest.mark.parametrize(("uri", "line", "why"), [
    ("/exact", 10, "exact match wins"),
    ("/exact/more", 17, "an exact location matches only itself: / then try_files to index.php"),
    ("/static/a.php", 11, "^~ stops the regex search"),
    ("/api/users", 13, "longest prefix, no regex matches"),
    ("/api/x.json", 14, "a regex nested in the prefix location"),
    ("/api/v2/x", 15, "a nested prefix"),
    ("/api/v2/x.json", 14, "the nested regex beats the nested prefix"),
    ("/index.PhP", 17, "~* is case-insensitive"),
    ("/api/x.php", 17, "a regex at the server level beats the prefix /api/"),
    ("/admin/users", 18, "PCRE named captures are understood"),
    ("/", 17, "index index.php: internal redirect to /index.php"),
    ("/blog/post-1", 17, "try_files ... /index.php?$args"),
    ("/legacy/page", 20, "try_files ... @old: the named location"),
    ("/a/../exact", 10, "dot segments are resolved first"),
    ("//exact", 10, "slashes are merged"),
    ("/%65xact", 10, "the URI is decoded"),
])
def test_location_as_nginx_picks_it(router, uri, line, why):
    match = router.match("example.com", "example.com", uri, None)
    assert match.route is not None and line_of(match) == line, why


def test_location_without_pass_and_no_hop(router):
    match = router.match("example.com", "example.com", "/images/a.png", None)
    assert match.route is None and match.location.args == ["/images/"]


@pytest.mark.parametrize(("server", "host", "line"), [
    (None, "a.shop.test", 26), (None, "api.example.org", 31), (None, "x.regex.test", 36),
    (None, "unknown.test:8080", 17), ("example.com", "whatever", 17), (None, "WWW.EXAMPLE.COM", 17),
])
def test_server_by_log_field_then_host(router, server, host, line):
    match = router.match(server, host, "/", None)
    assert line_of(match) == line


def test_upstream_field_confirms_and_finds_the_pass(router):
    # the logged upstream names the upstream group's server: the location with `proxy_pass http://app`
    match = router.match("example.com", None, None, "127.0.0.1:8000")
    assert line_of(match) == 13 and "matched by the logged upstream" in match.notes
    match = router.match("example.com", "example.com", "/api/users", "app")  # no live upstreams: the name
    assert line_of(match) == 13


@pytest.mark.parametrize(("field", "peer"), [
    ("fastcgi://unix:/run/php/php8.2-fpm.sock:", "unix:/run/php/php8.2-fpm.sock"),
    ("fastcgi://127.0.0.1:9000", "127.0.0.1:9000"),
    ("http://[::1]:8000/api/", "[::1]:8000"),
    ("http://unix:/run/app.sock:/api/", "unix:/run/app.sock"),
    ("fastcgi://php_backend", "php_backend"),
    (None, None),
])
def test_upstream_peer(field, peer):
    assert upstream_peer(field) == peer
