"""A backend binds only to loopback while nginx reaches it through another address.

## What it does
Finds `proxy_pass` (and `grpc_pass`, `uwsgi_pass`, `scgi_pass`) targets whose declared backend
(systemd unit, docker-compose service, PM2 app, nginx `listen`) binds `127.0.0.1`, `::1` or
`localhost`, while nginx connects through a compose service name or another address of the host.

## Why is this bad?
A socket bound to loopback accepts only connections to loopback. From another container (a
compose service name) or through the host's LAN address the connection is refused: every
request gets **502 Bad Gateway**, error.log: `connect() failed (111: Connection refused) while
connecting to upstream`.

## Example
```yaml
app:
  command: gunicorn --bind 127.0.0.1:8000 app:wsgi   # nginx: proxy_pass http://app:8000;
```

## Use instead
```yaml
app:
  command: gunicorn --bind 0.0.0.0:8000 app:wsgi
```

## Fix
None: the bind address lives in a command line or unit file that gwlint does not rewrite.

## References
- https://docs.gunicorn.org/en/stable/settings.html#bind
- https://docs.docker.com/compose/networking/
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, is_loopback_host, related, report

CODE = "GW361"
NAME = "backend-bound-to-loopback"
SEVERITY = Severity.ERROR


def check(ws: Workspace) -> Iterator[Finding]:
    for target in ws.proxy_targets():
        endpoint, directive = target.endpoint, target.backend.directive
        if is_loopback_host(endpoint.host):
            continue
        found = target.served_by(ws.declarations)
        if found and all(d.loopback_only for d in found):
            decl = found[0]
            reached = f"compose service name '{endpoint.host}'" if target.machine != "host" \
                else f"address {endpoint.host}"
            yield report(directive, f"{directive.name} {directive.args[0]}: the backend binds only "
                         f"{decl.host}:{decl.port} ({decl.label}) but nginx connects through {reached}; "
                         f"the connection is refused: every request here gets {consequence.connect_failure(endpoint)}",
                         [related(decl, decl.label)])
