"""Shared facts for the "nginx reaches a backend that is there" rules (GW101-GW106, GW302-GW305)."""

import ipaddress

from gwlint.model.endpoint import ANY_ADDRESSES, LOOPBACK_NAMES, Endpoint
from gwlint.model.runtime import run_path

# nginx 1.29.7 (stable 1.30.0) made HTTP/1.1 with upstream keep-alive the proxy default.
KEEPALIVE_DEFAULT_SINCE = (1, 29, 7)
# What nginx logs when php-fpm accepts and then drops the connection (measured, nginx 1.22 + php-fpm
# 8.2): a reset or a clean close, depending on timing.
RESET_LINE = ("recv() failed (104: Connection reset by peer) while reading response header from upstream "
              "(or: upstream prematurely closed connection while reading response header from upstream)")


def is_ip(host: str | None) -> bool:
    try:
        ipaddress.ip_address(host or "")
        return True
    except ValueError:
        return False


def is_loopback_host(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or a localhost name: the connection never leaves this machine."""
    return Endpoint("tcp", host=host, port=0).is_loopback if host else False


def pool_accepts(listen: Endpoint, target: Endpoint, ws=None) -> bool:
    """Whether a pool listening at `listen` certainly accepts a connection nginx aims at `target`
    (unix: one socket at run time, through /var/run = /run and, given `ws`, its runtime links)."""
    if listen.kind != target.kind:
        return False
    if listen.kind == "unix":
        if ws is not None:
            return ws.same_socket(listen, target)
        return run_path(listen.path or "") == run_path(target.path or "")
    if listen.port != target.port:
        return False
    if listen.host in ANY_ADDRESSES or listen.host == target.host:
        return True
    return target.host in LOOPBACK_NAMES and listen.is_loopback


def nginx_at_least(ws, version: tuple[int, ...]) -> bool:
    """Whether the nginx version gwlint assumes (Options.nginx_version, validated there) is `version`
    or newer: "1.30" -> (1, 30, 0)."""
    parts = tuple(int(p) for p in ws.options.nginx_version.split("."))
    return parts + (0,) * (3 - len(parts)) >= version


def via(route, backend) -> str:
    """How a finding names a backend: `fastcgi_pass X` or `upstream U server X`."""
    if route.upstream is not None and backend.directive is not route.directive:
        return f"upstream {route.upstream.args[0]} server {backend.directive.args[0]}"
    return f"{route.kind} {route.directive.args[0]}"


def config_block(directive):
    """The block a *_pass setting belongs in: its location (or server), never an `if`/`limit_except`."""
    block = directive.parent
    while block is not None and block.name in ("if", "limit_except"):
        block = block.parent
    return block


def hosts_file(ws) -> dict[str, list[str]] | None:
    """Name -> addresses from the tree's etc/hosts (None when the tree has none)."""
    path = ws.root.path / "etc" / "hosts"
    if not path.is_file():
        return None
    names: dict[str, list[str]] = {}
    for line in ws.root.read_text(path).splitlines():
        fields = line.split("#", 1)[0].split()
        for name in fields[1:]:
            names.setdefault(name, []).append(fields[0])
    return names


def loopback_hosts(ws) -> dict[str, str]:
    """Names that the tree's etc/hosts maps to a loopback address, with that address: nginx (when it
    runs on this root) reaches them over loopback, e.g. `php` -> 127.0.0.1 in a one-container image."""
    return {name: addresses[0] for name, addresses in (hosts_file(ws) or {}).items()
            if is_loopback_host(addresses[0])}


def live_backends(route) -> list:
    """The backends nginx may contact: upstream servers marked `down` never are (GW105 covers an
    upstream with none left)."""
    return [b for b in route.backends if b.directive is route.directive or "down" not in b.directive.args[1:]]
