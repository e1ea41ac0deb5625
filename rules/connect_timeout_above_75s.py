"""A `*_connect_timeout` above 75s: nginx's documented ceiling, the extra time has no effect.

## What it does
Reports every `proxy_connect_timeout`, `fastcgi_connect_timeout`, `uwsgi_connect_timeout`,
`scgi_connect_timeout`, `grpc_connect_timeout` and `memcached_connect_timeout` whose value is
above 75 seconds.

## Why is this bad?
The nginx manual: the connect timeout "cannot usually exceed 75 seconds". The value suggests a
slow backend gets more time to accept a connection than it does; the usual intent was a read
timeout (`*_read_timeout`), which is what a slow response needs.

## Example
```nginx
proxy_connect_timeout 300s;
```

## Use instead
```nginx
proxy_connect_timeout 5s;
proxy_read_timeout 300s;
```

## Fix
None

## References
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_connect_timeout
- https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_connect_timeout
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, nginx_seconds, report

CODE = "GW120"
NAME = "connect-timeout-above-75s"
SEVERITY = Severity.WARNING
CEILING = 75
DIRECTIVES = tuple(f"{m}_connect_timeout" for m in ("proxy", "fastcgi", "uwsgi", "scgi", "grpc", "memcached"))


def check(ws: Workspace) -> Iterator[Finding]:
    for name in DIRECTIVES:
        for directive in ws.directives(name):
            seconds = nginx_seconds(" ".join(directive.args)) if directive.args else None
            if seconds is not None and seconds > CEILING:
                read = name.replace("_connect_", "_read_")
                yield report(directive, (
                    f"{name} {' '.join(directive.args)}: nginx's connect timeout cannot usually exceed "
                    f"{CEILING}s, so the time above that has no effect; if the backend is slow to answer, "
                    f"{read} is the timeout that applies"))
