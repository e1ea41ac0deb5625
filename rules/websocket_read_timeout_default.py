"""A location that upgrades to WebSocket leaves `proxy_read_timeout` at its 60s default.

## What it does
Finds `proxy_pass` locations that forward the `Upgrade` header (`proxy_set_header Upgrade
$http_upgrade;`, the WebSocket recipe) where no `proxy_read_timeout` is set at any level
(location, server, http), so nginx's default of 60s applies.

## Why is this bad?
After the upgrade, `proxy_read_timeout` is the idle timeout of the tunnel: a WebSocket that sends
no frame for 60s is closed by nginx (error.log at info level: `upstream timed out (110:
Connection timed out) while proxying upgraded connection`; measured with nginx 1.22 and a 2s
timeout). Clients see random disconnects unless the application pings more often than every 60s.

## Example
```nginx
location /ws/ {
    proxy_pass http://app;
    proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection "upgrade";
}
```

## Use instead
```nginx
location /ws/ {
    proxy_read_timeout 1h;
    ...
}
```

## Fix
Inserts `proxy_read_timeout 1h;` at the top of the location (unsafe: the right idle timeout is
the application's call).

## References
- https://nginx.org/en/docs/http/websocket.html
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, insert_directive, related, report

CODE = "GW121"
NAME = "websocket-read-timeout-default"
SEVERITY = Severity.WARNING
SUGGESTED = "1h"


def check(ws: Workspace) -> Iterator[Finding]:
    seen = set()
    for route in ws.routes:
        block = route.block
        if route.kind != "proxy_pass" or block is None or id(block) in seen:
            continue
        seen.add(id(block))
        upgrade = next((h for h in block.inherited_all("proxy_set_header")
                        if h.args and h.args[0].lower() == "upgrade"), None)
        if upgrade is None or block.inherited("proxy_read_timeout") is not None:
            continue
        fix = insert_directive(ws, block, "proxy_read_timeout", [SUGGESTED],
                               f"set proxy_read_timeout {SUGGESTED}", safe=False)
        yield report(route.directive, (
            "this location upgrades to WebSocket but proxy_read_timeout is the default 60s: nginx closes "
            f"an upgraded connection that stays idle for 60s ({consequence.TIMED_OUT} while proxying upgraded "
            "connection)"), [related(upgrade, "Upgrade header forwarded here")], fix)
