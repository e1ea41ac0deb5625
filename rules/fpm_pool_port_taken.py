"""A PHP-FPM pool listens on a TCP port that nginx or another service also binds, on overlapping addresses.

## What it does
For each pool with a TCP `listen`, looks for the other listeners the tree declares on that port on
the pool's machine (Workspace.listeners_beside): nginx server `listen` lines (not `udp`/`quic`),
systemd units, PM2 apps, compose published ports and configured backends; a pool in a compose
container is compared with its own container only (its own `ports`/`expose` are the pool's). Reports
the pool's `listen` when the addresses overlap, naming each other listener's file:line. Overlap, as
measured with php-fpm 8.2 and nginx 1.22 (Linux): `[::]:P` overlaps everything on P; `P`,
`0.0.0.0:P` and `*:P` every IPv4 address of P and a dual-stack `[::]` (nginx `ipv6only=off`), not an
IPv6-only listener (`[::1]:P`, nginx's `[::]:P`); a specific address the same address and the
wildcards of its family. Two different specific addresses coexist. Pools against each other: GW305.
A pool whose `listen` cannot be read (`${ENV}`, a host name) is skipped; another listener whose
address the tree does not give (a unit's `--port` only, PM2's `PORT`, a published compose port) is
reported as a warning: it may bind every address. A unit's or compose command's `0.0.0.0` is every
IPv4 address (measured: a program bound there makes php-fpm exit 78 on a bare port); its `::` is
every IPv6 address, and every IPv4 one too unless the program sets IPV6_V6ONLY (measured both ways),
so beside an IPv4 pool it is a warning.

## Why is this bad?
Two sockets cannot bind overlapping addresses of one port, so whichever service starts second fails
(measured on nginx 1.22.1 + php-fpm 8.2):
- php-fpm second: it refuses to start (exit 78), logging `ERROR: unable to bind listening socket for
  address '9000': Address already in use (98)` then `ERROR: FPM initialization failed` (a bare port
  first logs `NOTICE: Failed implicitly binding to ::, retrying with 0.0.0.0`). Every pool of that
  php-fpm is down: each PHP request gets a **502 Bad Gateway**, error.log `connect() failed (111:
  Connection refused) while connecting to upstream`.
- nginx second: `[emerg] bind() to 127.0.0.1:9000 failed (98: Address already in use)`, retried, then
  `[emerg] still could not bind()`: nginx does not start, every site it serves is down.
Both `nginx -t` and `php-fpm -t` pass. GW303's unsafe fix (`listen = 9000` for a loopback pool) makes
this tree when another server holds one address of the port.

## Example
```ini
; pool.d/www.conf                  nginx: server { listen 127.0.0.1:9000; ... }  (a status vhost)
listen = 9000
```

## Use instead
```ini
listen = 127.0.0.1:9001            ; and fastcgi_pass 127.0.0.1:9001
```

## Fix
None: which side moves to another port or address is the user's choice.

## References
- https://www.php.net/manual/en/install.fpm.configuration.php (listen)
- https://nginx.org/en/docs/http/ngx_http_core_module.html#listen (ipv6only)
"""

from collections import defaultdict
from collections.abc import Iterator

from gwlint.rule import (
    LOOPBACK_NAMES,
    Declaration,
    Finding,
    Pool,
    Severity,
    Workspace,
    consequence,
    related,
    report,
)

CODE = "GW306"
NAME = "fpm-pool-port-taken"
SEVERITY = Severity.ERROR

ANY = "*"
# what a bind holds: (IP version, address or ANY); a dual-stack `[::]` holds both families
V4_ANY = frozenset({(4, ANY)})
V6_ANY = frozenset({(6, ANY)})
DUAL = V4_ANY | V6_ANY
LOCALHOST = frozenset({(4, "127.0.0.1"), (6, "::1")})


def check(ws: Workspace) -> Iterator[Finding]:
    pools = [(pool, slots) for pool in ws.pools if pool.listen is not None and pool.listen.kind == "tcp"
             and pool.listen.port is not None and (slots := _pool_slots(pool.listen.host)) is not None]
    if not pools:
        return
    names = defaultdict(set)  # pool -> the host names nginx reaches it by
    for route in ws.php_routes():
        for backend in route.live_backends:
            for pool in backend.pools:
                names[id(pool)].add(backend.endpoint.host if backend.endpoint else None)
    nginx_listens: dict = {}  # (path, line) -> nginx `listen`, read when an nginx listener shares a port
    for pool, mine in pools:
        port = pool.endpoint.port
        assert port is not None
        known, unsure = [], []
        for decl in ws.listeners_beside(port, names.get(id(pool), ())) or ():
            if decl.path in ws.nginx_files and not nginx_listens:
                nginx_listens = {(d.path, d.line): d for d in ws.directives("listen")}
            theirs = _other_slots(decl, nginx_listens.get((decl.path, decl.line)))
            if theirs is not None and _overlap(mine, theirs):
                known.append((decl, theirs))
            elif decl.host is None and (theirs is None or decl.wildcard == "::"):
                unsure.append((decl, DUAL))  # no address, or `::`: dual-stack unless the program sets V6ONLY
        if known or unsure:
            yield _finding(pool, known or unsure, nginx_listens, certain=bool(known))


def _pool_slots(host: str | None) -> frozenset | None:
    """What php-fpm binds for a `listen` host: a bare port and `0.0.0.0` bind IPv4 only beside an IPv6
    listener (measured: `Failed implicitly binding to ::, retrying with 0.0.0.0`), `[::]` both."""
    if host in (None, "0.0.0.0", "*"):
        return V4_ANY
    if host == "::":
        return DUAL
    return _ip_slot(host)


def _other_slots(decl: Declaration, listen) -> frozenset | None:
    """What another listener surely binds; None when the tree does not say (no address, `*`, a
    host name). A program's `0.0.0.0` is every IPv4 address; its `::` at least every IPv6 one."""
    if listen is not None:  # nginx: `listen 9000` is IPv4, `[::]:9000` IPv6 only unless ipv6only=off
        if decl.host is None:
            if not listen.args[0].startswith("["):
                return V4_ANY
            return DUAL if "ipv6only=off" in listen.args[1:] else V6_ANY
        if decl.host.lower() in LOOPBACK_NAMES:
            return LOCALHOST  # nginx binds every address the name resolves to
    return _ip_slot(decl.host if decl.host is not None else decl.wildcard)  # (`*`: not an IP, None)


def _ip_slot(host: str | None) -> frozenset | None:
    import ipaddress  # (~6 M instructions: only for trees with TCP pools)

    try:
        ip = ipaddress.ip_address((host or "").strip("[]"))
    except ValueError:
        return None
    return frozenset({(ip.version, ANY if ip.is_unspecified else ip.compressed)})


def _overlap(a: frozenset, b: frozenset) -> bool:
    return any((fa == fb and ANY in (xa, xb)) or (fa, xa) == (fb, xb) for fa, xa in a for fb, xb in b)


def _bound(slots: frozenset, port: int) -> str:
    """The address nginx names in its bind() error for these slots."""
    version, address = sorted(slots)[-1] if slots == DUAL else sorted(slots)[0]
    if version == 6:
        return f"[{'::' if address == ANY else address}]:{port}"
    return f"{'0.0.0.0' if address == ANY else address}:{port}"


def _finding(pool: Pool, others: list, nginx_listens: dict, certain: bool) -> Finding:
    at = pool.get("listen")
    listen = pool.listen
    assert at is not None and listen is not None and listen.port is not None
    value = at.value.strip()
    held = "; ".join(f"{d.label} ({d.path}:{d.line})" if d.path else d.label for d, _ in others)
    if certain:
        clash = f"both bind port {listen.port} on overlapping addresses, so whichever starts second fails"
    elif all(d.wildcard == "::" for d, _ in others):
        clash = ("`::` holds every IPv4 address too unless that program sets IPV6_V6ONLY; if it does not, "
                 "whichever starts second fails")
    else:
        clash = ("the tree does not say which address it binds; if that overlaps the pool's (every address "
                 "does), whichever starts second fails")
    message = (f"pool '{pool.name}' listens on {listen}, and {held}: {clash}. If php-fpm starts second, it "
               f"refuses to start (FPM log: unable to bind listening socket for address '{value}': Address already "
               f"in use (98)) and every PHP request to this php-fpm's pools gets {consequence.BAD_GATEWAY}")
    nginx = [(d, slots) for d, slots in others if (d.path, d.line) in nginx_listens]
    if nginx:
        d, slots = nginx[0]
        message += (f"; if it starts first, nginx does not start (error.log: [emerg] bind() to "
                    f"{_bound(slots, d.port)} failed (98: Address already in use), then still could not bind()) "
                    f"and every site of that nginx is down")
    if len(nginx) < len(others):
        message += "; if it starts first, the other service cannot bind the port (98: Address already in use)"
    rel = [related(d, "also binds this port" if certain else "may bind this port") for d, _ in others if d.path]
    return report(at, message, rel, at_most=None if certain else Severity.WARNING)
