"""An `upstream {}` with no server that can take requests: all `down`, or only `backup` servers.

## What it does
Checks every `upstream {}` block. Flags it when every `server` is marked `down` (backups
included) and some `*_pass` uses it, or when every server is a `backup` (no primary).

## Why is this bad?
- All `down`: nginx starts and `nginx -t` passes, but every request through the upstream is a
  **502 Bad Gateway** with error.log `no live upstreams while connecting to upstream` (measured:
  nginx 1.22). Usually a server marked down for maintenance plus a second one forgotten.
- Only `backup`: nginx refuses to start or reload, `[emerg] no servers in upstream "name"`
  (measured), so the whole site stays on the old config or down.

## Example
```nginx
upstream app {
    server 10.0.0.5:8080 down;
    server 10.0.0.6:8080 down;
}
```

## Use instead
```nginx
upstream app {
    server 10.0.0.5:8080 down;
    server 10.0.0.6:8080;
}
```

## Fix
None: which server should take traffic is an operational decision.

## References
- https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, related, report

CODE = "GW105"
NAME = "upstream-no-live-servers"
SEVERITY = Severity.ERROR


def check(ws: Workspace) -> Iterator[Finding]:
    for instance in ws.nginx:
        users: dict[int, list] = {}
        for route in instance.routes:
            if route.upstream is not None:
                users.setdefault(id(route.upstream), []).append(route.directive)
        for name, upstream in instance.upstreams.items():
            servers = [s for s in upstream.children("server") if s.args]
            if not servers:
                continue
            flags = [set(s.args[1:]) for s in servers]
            used_by = users.get(id(upstream), [])
            if all("backup" in f for f in flags):
                message = (f'upstream {name}: every server is a backup and there is no primary: nginx refuses to '
                           f'start or reload, [emerg] no servers in upstream "{name}"')
                yield report(upstream, message, [related(d, "used here") for d in used_by])
            elif all("down" in f for f in flags) and used_by:
                message = (f"upstream {name}: every server is marked down: every request through it gets "
                           f"{consequence.BAD_GATEWAY}, error.log: no live upstreams while connecting to upstream")
                rel = [related(s, "marked down") for s in servers] + [related(d, "used here") for d in used_by]
                yield report(upstream, message, rel)
