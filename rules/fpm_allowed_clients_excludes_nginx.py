"""A pool's `listen.allowed_clients` does not cover the address nginx connects from.

## What it does
For every `fastcgi_pass` (directly or through an `upstream {}` server) that reaches a TCP pool
with `listen.allowed_clients`, works out nginx's source address: the `fastcgi_bind` address when
one is in scope, else 127.0.0.1 or ::1 for a loopback target. For a target on another host the
source is unknown, and only a list holding nothing but loopback addresses is flagged. The list is
read the way php-fpm reads it: comma-separated literal IPv4/IPv6 addresses, no CIDR, no trimming,
so `10.0.0.2, 127.0.0.1` allows only 10.0.0.2 (the space makes the second entry invalid).

## Why is this bad?
php-fpm accepts the connection and closes it at once for a client that is not listed. Every PHP
request is a **502 Bad Gateway** with error.log
`recv() failed (104: Connection reset by peer) while reading response header from upstream`
(measured: php-fpm 8.2, nginx 1.22, also for the `a, b` spacing case). `php-fpm -t` passes.

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
(safe: it admits exactly the client the config already sends).

## References
- https://www.php.net/manual/en/install.fpm.configuration.php (listen.allowed_clients)
- https://github.com/php/php-src/blob/master/main/fastcgi.c (fcgi_set_allowed_clients)
- https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_bind
"""

import ipaddress

from gwlint.finding import Severity, related, report
from gwlint.fixes import set_ini
from gwlint.rules._reach import RESET_LINE, is_loopback_host, pool_accepts, via

CODE = "GW304"
NAME = "fpm-allowed-clients-excludes-nginx"
SEVERITY = Severity.ERROR


def _address(text: str):
    """An entry as php-fpm's inet_pton sees it: None when invalid (spaces included); v4-mapped -> v4."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.ipv4_mapped or address if address.version == 6 else address


def _source(route, target) -> str | None:
    """The address nginx connects from, when the config says: fastcgi_bind, else the loopback."""
    bind = route.directive.parent.inherited("fastcgi_bind") if route.directive.parent else None
    if bind is not None and bind.args and bind.args[0] != "off" and "$" not in bind.args[0]:
        return bind.args[0].split(":")[0] if bind.args[0].count(":") == 1 else bind.args[0].strip("[]")
    if target.host in ("localhost", None):
        return None
    if is_loopback_host(target.host):
        return "::1" if ":" in target.host else "127.0.0.1"
    return None


def check(ws):
    for route in ws.php_routes():
        for backend in route.backends:
            target = backend.endpoint
            if target is None or target.kind != "tcp":
                continue
            for pool in backend.pools:
                setting = pool.get("listen.allowed_clients")
                if setting is None or pool.listen.kind != "tcp" or not pool_accepts(pool.listen, target) \
                        and is_loopback_host(target.host):
                    continue
                finding = _finding(ws, route, backend, pool, setting)
                if finding is not None:
                    yield finding


def _finding(ws, route, backend, pool, setting):
    raw = setting.value.strip()
    if not raw or raw == "any":
        return None
    entries = raw.split(",")
    allowed = {a for a in map(_address, entries) if a is not None}
    invalid = [e for e in entries if _address(e) is None]
    target = backend.endpoint
    source = _source(route, target)
    if source is not None:
        if _address(source) in allowed:
            return None
        who = f"nginx connects from {source}"
    elif not is_loopback_host(target.host) and allowed and all(a.is_loopback for a in allowed):
        who = f"nginx reaches {target} from another address, never a loopback one"
    else:
        return None
    message = (f"{via(route, backend)}: pool '{pool.name}' allows only {', '.join(map(str, sorted(allowed, key=str))) or 'nobody'} "
               f"(listen.allowed_clients) and {who}: php-fpm closes every connection, 502 Bad Gateway, "
               f"error.log: {RESET_LINE}")
    if invalid:
        message += "; php-fpm ignores " + ", ".join(repr(e) for e in invalid) + " (not a literal IP; no spaces, no CIDR)"
    rel = [related(setting, f"pool '{pool.name}' client list")]
    if backend.directive is not route.directive:
        rel.insert(0, related(route.directive, "used by this fastcgi_pass"))
    fix = None
    if source is not None:
        kept = [e.strip() for e in entries if _address(e.strip()) is not None]
        kept += [source] if source not in kept else []
        fix = set_ini(ws, pool, "listen.allowed_clients", ",".join(kept),
                      f"allow {source} in pool '{pool.name}'")
    return report(backend.directive, message, rel, fix)
