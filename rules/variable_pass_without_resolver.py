"""A `*_pass` with variables that yields a hostname, and no `resolver` in scope.

## What it does
For every `*_pass` whose argument has variables, works out the host part: a literal host
(`http://api.example.com$request_uri`), a variable set by `set` or `map` to literal values, a
request-derived variable (`$host`, `$http_*`, `$arg_*`, `$cookie_*`) or a literal name around a
variable (`$tenant.example.com`). When that host can be a name that is neither an IP address nor
an `upstream {}` of the same nginx (nor the host of a literal `*_pass`, whose implicit upstream
nginx reuses), and no `resolver` directive is in scope (location, server or
http), the route is flagged. Variables it cannot follow are skipped, not guessed.

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

from gwlint.engine.finding import Severity, related, report
from gwlint.model.endpoint import parse_pass_target
from gwlint.rules._reach import is_ip

CODE = "GW102"
NAME = "variable-pass-without-resolver"
SEVERITY = Severity.ERROR

_ONE_VAR = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
_REQUEST_HOST_VARS = ("host", "http_host", "server_name")
_REQUEST_PREFIXES = ("http_", "arg_", "cookie_")
# variables that expand to a URI (starting with "/" or "?"): the host part ends where they start
_URI_VARS = re.compile(r"\$\{?(?:request_uri|uri|document_uri|is_args|args|query_string)\b\}?")
_MAP_SPECIALS = frozenset({"hostnames", "volatile", "include"})


def _host(value: str) -> str | None:
    """The host part of a pass argument or of a value feeding one; None for unix sockets."""
    _, sep, rest = value.partition("://")
    rest = rest if sep else value
    if rest.startswith("unix:"):
        return None
    hostport = _URI_VARS.split(rest, 1)[0].split("/", 1)[0]
    if hostport.startswith("["):
        return hostport[1:].partition("]")[0]
    return re.sub(r":(\d+|\$\w+|\$\{\w+\})$", "", hostport) if hostport.count(":") <= 1 else hostport


def check(ws):
    for instance in ws.nginx:
        for route in instance.routes:
            arg = route.directive.args[0]
            if "$" not in arg or route.directive.parent is None:
                continue
            if route.directive.parent.inherited("resolver") is not None:
                continue
            culprit = _needs_resolver(ws, instance, arg)
            if culprit is None:
                continue
            name, source = culprit
            message = (f"{route.kind} {arg}: the target has variables, so nginx resolves {name} per request, and "
                       f"no resolver is in scope: every request here gets 502 Bad Gateway, error.log: no resolver "
                       f"defined to resolve {name}; define an upstream {{}} for it or a resolver")
            rel = [related(source, f"{name} comes from here")] if source is not None else []
            yield report(route.directive, message, rel)


def _resolvable_name(instance, host: str, value: str) -> bool:
    """A name nginx must resolve at request time: not an IP, not an `upstream {}`, and not the
    host:port of a literal `*_pass` elsewhere (nginx resolved that one at start-up and reuses it,
    measured: nginx 1.22)."""
    if not host or is_ip(host) or host in instance.upstreams:
        return False
    literal = parse_pass_target(_URI_VARS.split(value, 1)[0])
    port = literal.port if literal is not None else None
    return not any(r.target is not None and (r.target.host, r.target.port) == (host, port) for r in instance.routes)


def _needs_resolver(ws, instance, arg: str):
    """(name to show, directive it comes from) when the host can be a DNS name, else None."""
    host = _host(arg)
    if host is None:
        return None
    if "$" not in host:
        return (host, None) if _resolvable_name(instance, host, arg) else None
    whole = _ONE_VAR.fullmatch(host)
    if whole is None:  # a literal name around a variable: `$tenant.example.com`
        literal = _ONE_VAR.sub("", host)
        return (host, None) if re.search(r"[a-zA-Z]", literal) else None
    var = whole.group(1) or whole.group(2)
    values = _literal_values(ws, var)
    if values:
        for value, where in values:
            name = _host(value)
            if name is not None and "$" not in name and _resolvable_name(instance, name, value):
                return name, where
        return None
    if var in _REQUEST_HOST_VARS or var.startswith(_REQUEST_PREFIXES):
        return f"${var} (a name from the request)", None
    return None


def _literal_values(ws, var: str) -> list[tuple[str, object]]:
    """Values that `set $var` and `map ... $var {}` assign, with the directive assigning each."""
    out = [(d.args[1], d) for d in ws.directives("set") if len(d.args) >= 2 and d.args[0] == f"${var}"]
    for block in ws.directives("map"):
        if len(block.args) >= 2 and block.args[1] == f"${var}":
            out += [(d.args[0], d) for d in block.block or () if d.name not in _MAP_SPECIALS and d.args]
    return out
