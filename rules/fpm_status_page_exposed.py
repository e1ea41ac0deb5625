"""A pool's status or ping page is routed by nginx to anyone.

## What it does
For every pool with `pm.status_path` or `ping.path`, finds the location each server of the tree
selects for that URI (exact, longest prefix, regexes in order, as nginx selects) and, when that
location's `fastcgi_pass` reaches the pool, checks that something in scope restricts it:
`allow`/`deny`, `auth_basic` (not `off`), `auth_request`, `internal`, or a server that listens
on loopback only. Flags the page when nothing does.

## Why is this bad?
php-fpm answers its status page for any client nginx lets through. With `?full` it lists every
worker's last request URI, client and script, query strings included (session tokens, reset
links); the page has had cross-site scripting advisories of its own. `ping.path` is harmless on
its own but tells a scanner which pool answers.

## Example
```nginx
location ~ ^/(status|ping)$ { include fastcgi.conf; fastcgi_pass unix:/run/php/php8.2-fpm.sock; }
```

## Use instead
```nginx
location ~ ^/(status|ping)$ {
    allow 127.0.0.1;
    deny all;
    include fastcgi.conf;
    fastcgi_pass unix:/run/php/php8.2-fpm.sock;
}
```

## Fix
None: who may read the page (a monitoring host, a VPN range, basic auth) is the user's choice.

## References
- https://www.php.net/manual/en/install.fpm.configuration.php (pm.status-path, ping.path)
- https://nginx.org/en/docs/http/ngx_http_access_module.html
"""

from collections.abc import Iterator

from gwlint.rule import (
    Finding,
    Severity,
    Workspace,
    is_loopback_host,
    parse_pass_target,
    related,
    report,
    select_location,
)

CODE = "GW384"
NAME = "fpm-status-page-exposed"
SEVERITY = Severity.WARNING

PAGES = (("pm.status_path", "status page"), ("ping.path", "ping page"))


def _restricted(location) -> bool:
    """Whether access to `location` is limited by something in its scope (or its server's listen)."""
    if location.child("internal") is not None:
        return True
    if location.inherited_all("allow") or location.inherited_all("deny"):
        return True
    basic = location.inherited("auth_basic")
    if basic is not None and basic.args and basic.args[0] != "off":
        return True
    if location.inherited("auth_request") is not None:
        return True
    server = location.ancestor("server")
    listens = server.children("listen") if server is not None else []
    return bool(listens) and all(_loopback_listen(d.args[0]) for d in listens if d.args)


def _loopback_listen(arg: str) -> bool:
    """A unix socket or a loopback address: only this machine reaches the server."""
    target = parse_pass_target(arg)
    return target is not None and (target.path is not None or is_loopback_host(target.host))


def check(ws: Workspace) -> Iterator[Finding]:
    routes_by_location: dict[int, list] = {}
    for route in ws.php_routes():
        location = route.directive.ancestor("location")
        if location is not None:
            routes_by_location.setdefault(id(location), []).append(route)
    if not routes_by_location:
        return
    servers = ws.servers()
    for pool in ws.pools:
        for key, page in PAGES:
            setting = pool.get(key)
            if setting is None or not setting.value.startswith("/"):
                continue
            for server in servers:
                location = select_location(server, setting.value)
                if location is None or _restricted(location):
                    continue
                routes = routes_by_location.get(id(location), [])
                if not any(pool in b.pools for r in routes for b in r.backends):
                    continue
                yield report(location,
                             f"{setting.value} (pool '{pool.name}' {page}) is served here to any client: no "
                             "allow/deny, auth_basic or auth_request in scope; the status page lists every "
                             "worker's request URI, query string and client",
                             [related(setting, f"pool '{pool.name}' {key}")])
