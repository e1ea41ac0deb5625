"""`proxy_pass` aims at a local port that no backend in the tree serves.

## What it does
Gathers every backend the tree declares (nginx `listen` lines, systemd units, docker-compose
services, PM2 ecosystem files, `.env` files they reference, `backends` in gwlint's config) and
checks each `proxy_pass`, `grpc_pass`, `uwsgi_pass` and `scgi_pass` target on a loopback address
(or a compose service name) against them. It reports only where the tree does declare backends
for that host, so a port it cannot see is never called wrong (GW362, off by default, lists
those).

## Why is this bad?
Nothing listens on the port, so every request gets **502 Bad Gateway** and error.log says
`connect() failed (111: Connection refused) while connecting to upstream`. `nginx -t` cannot
know: the classic case is `proxy_pass http://127.0.0.1:3000;` while the Node.js app binds 8080.

## Example
```nginx
proxy_pass http://127.0.0.1:3000;   # app.service: Environment=PORT=8080
```

## Use instead
```nginx
proxy_pass http://127.0.0.1:8080;
```

## Fix
Rewrites the port to the declared one when it is the clear match (the host's only declared
port, or the only one a single digit away: a typo), safe; otherwise the nearest declared port is
offered as an unsafe fix. None for a `backup` server (a warning: the site serves while the
primary is up, so the tree works and only its failover is broken).

## References
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, related, report, set_args

CODE = "GW360"
NAME = "proxy-pass-port-not-served"
SEVERITY = Severity.ERROR


def check(ws: Workspace) -> Iterator[Finding]:
    decls = ws.declarations
    for target in ws.proxy_targets():
        if target.served_by(decls):
            continue
        endpoint, port, directive = target.endpoint, target.port, target.backend.directive
        own = target.route.own_listens()
        candidates = [d for d in decls if d.machine == target.machine and (d.path, d.line) not in own]
        what = f"{directive.name} {directive.args[0]}"
        outcome = f"every request here gets {consequence.connect_failure(endpoint)}"
        if target.backend.backup:  # a latent risk: the primary serves (measured: 200)
            outcome = (f"this backup server is a latent risk: the site serves while the primary servers are "
                       f"up, and requests nginx fails over to it get {consequence.connect_failure(endpoint)}")
        if not candidates:
            continue
        best = min(candidates, key=lambda d: (abs(d.port - port), d.path, d.line))
        ports = {d.port for d in candidates}
        clear = len(ports) == 1 or ([_one_digit_off(port, p) for p in ports].count(True) == 1 \
            and _one_digit_off(port, best.port))
        message = (f"{what}: no backend declared on {target.machine} serves port {port}; "
                   f"{outcome}; did you mean port {best.port} ({best.label})?")
        rel = [related(best, best.label)] if best.path else []
        fix = None if target.backend.backup else _fix(ws, directive, port, best.port, clear)
        yield report(directive, message, rel, fix, at_most=Severity.WARNING if target.backend.backup else None)


def _one_digit_off(a: int, b: int) -> bool:
    """A typo of one digit: 3001 for 3000, 8801 for 8081 is not."""
    x, y = str(a), str(b)
    return len(x) == len(y) and sum(c != d for c, d in zip(x, y, strict=True)) == 1


def _fix(ws, directive, old_port: int, new_port: int, safe: bool):
    old = directive.args[0]
    new = old.replace(f":{old_port}", f":{new_port}", 1)
    if new == old:
        return None
    return set_args(ws, directive, [new, *directive.args[1:]], f"use port {new_port} in {directive.name}", safe)
