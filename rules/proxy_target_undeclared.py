"""A local proxy target on a host for which the tree declares no backend at all (strict mode).

## What it does
With the option `enabled` on (or `--strict-backends`), lists `proxy_pass` (and `grpc_pass`,
`uwsgi_pass`, `scgi_pass`) targets on a loopback address or compose service name for which the tree declares
no backend (no nginx `listen`, systemd unit, compose service, PM2 app or configured backend), so
gwlint cannot tell whether anything listens there. Off by default: gwlint flags only what it
can show.

## Why is this bad?
It may be fine. But if nothing listens there, every request gets **502 Bad Gateway** with
`connect() failed (111: Connection refused)`, and neither `nginx -t` nor gwlint can tell.

## Example
```nginx
proxy_pass http://127.0.0.1:3000;   # no unit, compose file or PM2 file in the repo
```

## Use instead
Keep the backend's unit or compose file in the repo, or declare it in gwlint's config:
```toml
[tool.gwlint.backends]
app = "127.0.0.1:3000"
```

## Fix
None.

## References
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, option, report

CODE = "GW362"
NAME = "proxy-target-undeclared"
SEVERITY = Severity.INFO


class Options:
    enabled: bool = option(False, "report local proxy targets the tree declares no backend for (off: flag only "
                                  "what gwlint can show)")


OPTIONS = Options


def check(ws: Workspace) -> Iterator[Finding]:
    if not ws.options_for(NAME).enabled:
        return
    machines = {d.machine for d in ws.declarations}
    for target in ws.proxy_targets():
        if target.machine not in machines:
            directive = target.backend.directive
            yield report(directive, f"{directive.name} {directive.args[0]}: the tree declares no backend "
                         f"on {target.machine}; gwlint cannot check that anything listens on port "
                         f"{target.port}")
