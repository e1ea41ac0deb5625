"""Units of nginx, FPM and PHP, and endpoints of `listen` and `*_pass`."""

import pytest

from gwlint.load.units import format_seconds, nginx_bytes, nginx_seconds, php_bytes, php_int
from gwlint.model.endpoint import Endpoint, parse_fpm_listen, parse_pass_target


@pytest.mark.parametrize("value, seconds", [
    ("30", 30), ("30s", 30), ("500ms", 0.5), ("5m", 300), ("1h 30m", 5400), ("1h30m", 5400),
    ("1d", 86400), ("1w", 604800), ("1M", 2592000), ("1y", 31536000), ("", None), ("abc", None),
    ("10x", None), ("-5s", None),
])
def test_nginx_seconds(value, seconds):
    assert nginx_seconds(value) == seconds


@pytest.mark.parametrize("value, size", [
    ("1024", 1024), ("512k", 524288), ("512K", 524288), ("8m", 8 << 20), ("8M", 8 << 20), ("1g", 1 << 30),
    ("1.5m", None), ("8mb", None), ("", None),
])
def test_nginx_bytes(value, size):
    assert nginx_bytes(value) == size


@pytest.mark.parametrize("value, size", [
    ("8M", 8 << 20), ("128k", 131072), ("2G", 2 << 30), ("-1", -1), ("100", 100), (" 64M ", 64 << 20),
    ("8MB", 8), ("lots", 0), ("${MEM}", None),  # as PHP reads them; a value from the environment is unknown
])
def test_php_bytes(value, size):
    assert php_bytes(value) == size


def test_php_int_and_format_seconds():
    assert (php_int("30"), php_int("-1"), php_int("3x")) == (30, -1, None)
    assert [format_seconds(s) for s in (90, 300, 3600, 0.5, 0)] == ["90s", "5m", "1h", "500ms", "0s"]


@pytest.mark.parametrize("value, endpoint", [
    ("/run/php/php8.2-fpm.sock", Endpoint("unix", path="/run/php/php8.2-fpm.sock")),
    ("127.0.0.1:9000", Endpoint("tcp", host="127.0.0.1", port=9000)),
    ("[::1]:9000", Endpoint("tcp", host="::1", port=9000)),
    ("9000", Endpoint("tcp", port=9000)),
    ("${PORT}", None), ("localhost", None),
])
def test_fpm_listen(value, endpoint):
    assert parse_fpm_listen(value) == endpoint


def test_listen_address_kinds():
    assert parse_fpm_listen("9000").is_wildcard and parse_fpm_listen("0.0.0.0:9000").is_wildcard
    assert parse_fpm_listen("127.0.0.1:9000").is_loopback and parse_fpm_listen("[::1]:9000").is_loopback
    assert not parse_fpm_listen("10.0.0.5:9000").is_loopback
    assert str(parse_fpm_listen("[::1]:9000")) == "[::1]:9000" and str(parse_fpm_listen("9000")) == "*:9000"


@pytest.mark.parametrize("value, parts, endpoint", [
    ("unix:/run/php/php8.2-fpm.sock", ("", None, None, "/run/php/php8.2-fpm.sock"),
     Endpoint("unix", path="/run/php/php8.2-fpm.sock")),
    ("php:9000", ("", "php", 9000, None), Endpoint("tcp", host="php", port=9000)),
    ("php-fpm", ("", "php-fpm", None, None), None),
    ("http://app", ("http", "app", None, None), Endpoint("tcp", host="app", port=80)),
    ("https://[::1]:8443/api", ("https", "::1", 8443, None), Endpoint("tcp", host="::1", port=8443)),
    ("http://unix:/run/app.sock:/uri", ("http", None, None, "/run/app.sock"), Endpoint("unix", path="/run/app.sock")),
])
def test_pass_targets(value, parts, endpoint):
    target = parse_pass_target(value)
    assert (target.scheme, target.host, target.port, target.path) == parts
    assert target.endpoint() == endpoint


def test_pass_target_with_variables_is_not_guessed():
    assert parse_pass_target("$backend") is None and parse_pass_target("http://$host:8080") is None
