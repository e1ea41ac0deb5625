"""A pool's `listen.allowed_clients` does not cover the address nginx connects from.

## What it does
For every `fastcgi_pass` (directly or through an `upstream {}` server) that reaches a TCP pool
with `listen.allowed_clients`, works out nginx's source address: the `fastcgi_bind` address when
one is in scope, else 127.0.0.1 or ::1 for a loopback target (or a name the tree's `etc/hosts`
maps to loopback). For a target on another host the
source is unknown, and only a list holding nothing but loopback addresses is flagged. The list is
read the way php-fpm reads it: comma-separated literal IPv4/IPv6 addresses, no CIDR, no trimming,
so `10.0.0.2, 127.0.0.1` allows only 10.0.0.2 (the space makes the second entry invalid), and
`any` (the "Default Value" in www.conf's comments) allows nobody: measured, php-fpm 8.2 drops
every connection. Leaving the setting out is what allows every client.
Reported at the pool's `listen.allowed_clients` (the side the fix changes), with each nginx line
as related.

## Why is this bad?
php-fpm accepts the connection and closes it at once for a client that is not listed. Every PHP
request is a **502 Bad Gateway** with error.log
`recv() failed (104: Connection reset by peer) while reading response header from upstream` or,
depending on timing, `upstream prematurely closed connection while reading response header from
upstream` (both measured: php-fpm 8.2, nginx 1.22, also for the `a, b` spacing case).
`php-fpm -t` passes.

## Example
```ini
listen = 127.0.0.1:9000
listen.allowed_clients = 10.0.0.2          ; nginx: fastcgi_pass 127.0.0.1:9000;
```

## Use instead
```ini
listen.allowed_clients = 10.0.0.2,127.0.0.1
```

## Fix
When nginx's source address is known: rewrite the list without spaces and with that address added
(safe: it admits exactly the client the config already sends; unsafe when the list says `any`,
which meant every client).

## References
- https://www.php.net/manual/en/install.fpm.configuration.php (listen.allowed_clients)
- https://github.com/php/php-src/blob/master/main/fastcgi.c (fcgi_set_allowed_clients)
- https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_bind
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, is_loopback_host, related, report, set_ini

CODE = "GW304"
NAME = "fpm-allowed-clients-excludes-nginx"
SEVERITY = Severity.ERROR


def _address(text: str):
    """An entry as php-fpm's inet_pton sees it: None when invalid (spaces included); v4-mapped -> v4."""
    import ipaddress  # (~6 M instructions: only for pools that set listen.allowed_clients)

    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.ipv4_mapped or address if address.version == 6 else address


def _source(route, target, local_names: dict[str, str]) -> str | None:
    """The address nginx connects from, when the config says: fastcgi_bind, else the loopback
    (a loopback target, or a name the tree's etc/hosts maps to one)."""
    bind = route.directive.parent.inherited("fastcgi_bind") if route.directive.parent else None
    if bind is not None and bind.args and bind.args[0] != "off" and "$" not in bind.args[0]:
        address = bind.args[0]
        if address.startswith("["):
            return address[1:].partition("]")[0]
        return address.rsplit(":", 1)[0] if address.count(":") == 1 else address
    name = (target.host or "").lower()  # etc/hosts names are matched without case
    if name in local_names:
        return "::1" if ":" in local_names[name] else "127.0.0.1"
    if target.host in ("localhost", None):
        return None
    if is_loopback_host(target.host):
        return "::1" if ":" in target.host else "127.0.0.1"
    return None


def check(ws: Workspace) -> Iterator[Finding]:
    flagged: dict[tuple, list] = {}  # (pool, nginx source) -> [pool, setting, source, (route, backend)...]
    local_names = ws.loopback_names()
    for route in ws.php_routes():
        for backend in route.live_backends:
            target = backend.endpoint
            if target is None or target.kind != "tcp":
                continue
            for pool in backend.pools:
                setting = pool.get("listen.allowed_clients")
                if setting is None or (is_loopback_host(target.host) and not ws.accepts(pool.endpoint, target)):
                    continue
                source = _source(route, target, local_names)
                if _excluded(setting.value, source, target):
                    flagged.setdefault((id(pool), source), [pool, setting, source]).append((route, backend))
    for pool, setting, source, *users in flagged.values():
        yield _finding(ws, pool, setting, source, users)


def _excluded(value: str, source: str | None, target) -> bool:
    raw = value.strip()
    if not raw:
        return False
    allowed = {a for a in map(_address, raw.split(",")) if a is not None}
    if source is not None:
        return _address(source) not in allowed
    return not is_loopback_host(target.host) and bool(allowed) and all(a.is_loopback for a in allowed)


def _finding(ws, pool, setting, source, users):
    entries = setting.value.strip().split(",")
    allowed = [str(a) for a in map(_address, entries) if a is not None]
    invalid = [e for e in entries if _address(e) is None]
    route, backend = users[0]
    who = f"nginx connects from {source}" if source is not None else \
        f"nginx reaches {backend.endpoint} from another host, never from a loopback address"
    message = (f"pool '{pool.name}' allows only {', '.join(allowed) or 'nobody'} (listen.allowed_clients), but "
               f"{who} ({route.via(backend)}): php-fpm closes every connection, {consequence.fpm_closed()}")
    if invalid:
        ignored = ", ".join(repr(e) for e in invalid)
        message += f"; php-fpm ignores {ignored} (not a literal IP: no spaces, no CIDR"
        message += ", and `any` is no keyword: leave the setting out to allow every client)" \
            if any(e.strip() == "any" for e in invalid) else ")"
    rel = [related(b.directive, f"nginx connects to {b.endpoint} here") for _, b in users]
    fix = None
    if source is not None:
        kept = [e.strip() for e in entries if _address(e.strip()) is not None]
        kept += [source] if source not in kept else []
        fix = set_ini(ws, pool, "listen.allowed_clients", ",".join(kept), f"allow {source} in pool '{pool.name}'",
                      safe="any" not in (e.strip() for e in entries))  # `any` meant every client: a decision
    return report(setting, message, rel, fix)
