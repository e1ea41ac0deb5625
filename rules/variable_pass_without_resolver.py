"""A `*_pass` with variables that yields a hostname, and no `resolver` in scope.

## What it does
For every `*_pass` whose argument has variables, expands it as nginx does per request (the model's
`passvars`): each variable set by `set` (in the same server block: a `set` runs in the rewrite phase
of the server that took the request, never in another) or `map` (same http block) to literal values
takes each of them (values may hold variables in turn, `set $suffix ?$query_string;`), URI variables
(`$request_uri`, `$is_args`, ...) end the host part, and request-derived ones (`$host`, `$http_*`,
`$arg_*`, `$cookie_*`) stand for any name. nginx then looks the host up among the `upstream {}`
blocks (a host without a port: `proxy_pass http://octane$suffix;` with `upstream octane` is that
upstream, measured: 200) and the implicit upstreams of literal `*_pass` targets (same host and
port); an IP is connected to directly. When some value leaves a name to resolve and no `resolver`
directive is in scope (location, server or http), the route is flagged. Variables it cannot follow
are skipped, not guessed.

## Why is this bad?
With variables in the argument nginx resolves the host per request, with its own resolver, never
/etc/hosts. Without a `resolver` the request is a **502 Bad Gateway** with error.log
`no resolver defined to resolve api.example.com` (measured: nginx 1.22). `nginx -t` passes.
The classic trigger is adding `$request_uri` to a working `proxy_pass`.

## Example
```nginx
location / { proxy_pass http://api.example.com$request_uri; }
```

## Use instead
```nginx
location / {
    resolver 127.0.0.11 valid=30s;        # the DNS server nginx should ask (Docker's here)
    proxy_pass http://api.example.com$request_uri;
}
```

## Fix
None: the DNS server to use is site-specific.

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#resolver
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
"""
import re
from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, related, report

CODE = "GW102"
NAME = "variable-pass-without-resolver"
SEVERITY = Severity.ERROR

# compiled on first use (re caches it): only a finding needs it
_URI_VARS = r"\$\{?(?:request_uri|uri|document_uri|is_args|args|query_string)\b\}?"


def _written_host(arg: str) -> str:
    """The host part of the argument as written (variables kept), for the message."""
    _, sep, rest = arg.partition("://")
    rest = rest if sep else arg
    return re.split(r"[/?]", re.split(_URI_VARS, rest, maxsplit=1)[0], maxsplit=1)[0]


def check(ws: Workspace) -> Iterator[Finding]:
    for instance in ws.nginx:
        for route in instance.routes:
            if route.outcomes is None or route.directive.parent is None:
                continue
            if route.directive.parent.inherited("resolver") is not None:
                continue
            bad = next((o for o in route.outcomes if o.kind in ("resolve", "request")), None)
            if bad is None:
                continue
            arg = route.directive.args[0]
            if bad.kind == "request":
                name = f"{_written_host(arg)} (a name from the request)"
            else:
                name = bad.host or _written_host(arg)
            message = (f"{route.kind} {arg}: the target has variables, so nginx resolves {name} per request, and "
                       f"no resolver is in scope: every request here gets {consequence.BAD_GATEWAY}, error.log: no "
                       f"resolver defined to resolve {name}; define an upstream {{}} for it or a resolver")
            written = bad.host is not None and bad.host in arg  # the name is literal, not from a variable
            rel = [] if written else [related(source, f"{name} comes from here") for source in bad.sources[-1:]]
            yield report(route.directive, message, rel)
