"""`proxy_pass https://name` without `proxy_ssl_server_name on;`: the TLS handshake sends no SNI.

## What it does
Flags every `proxy_pass https://…`, `grpc_pass grpcs://…` and `uwsgi_pass suwsgi://…` whose host
is a DNS name (not an IP address, not an `upstream {}` name) while the matching
`*_ssl_server_name` in scope is off (the default) or absent.

## Why is this bad?
Without SNI the origin cannot tell which certificate to present. Origins that serve many names
on one address (CDNs, managed load balancers, shared hosting, an nginx with
`ssl_reject_handshake on` as default server) abort the handshake: every request is a
**502 Bad Gateway** with error.log `[crit] SSL_do_handshake() failed (SSL: error:0A000458:SSL
routines::tlsv1 unrecognized name:SSL alert number 112) while SSL handshaking to upstream`
(measured: nginx 1.22 against an SNI-only nginx origin; other origins send alert 40,
`handshake failure`). Origins with a default certificate answer, which is why it works in staging.

## Example
```nginx
location / { proxy_pass https://api.example.com; }
```

## Use instead
```nginx
location / {
    proxy_ssl_server_name on;
    proxy_pass https://api.example.com;
}
```

## Fix
Inserts `proxy_ssl_server_name on;` (or the grpc/uwsgi variant) at the top of the location (safe:
sending SNI to an origin that ignores it changes nothing); rewrites an explicit `off` (unsafe).

## References
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_ssl_server_name
- https://nginx.org/en/docs/http/ngx_http_grpc_module.html#grpc_ssl_server_name
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, insert_directive, is_ip, related, report, set_args

CODE = "GW104"
NAME = "https-pass-without-sni"
SEVERITY = Severity.WARNING

_SNI_DIRECTIVE = {("proxy_pass", "https"): "proxy_ssl_server_name", ("grpc_pass", "grpcs"): "grpc_ssl_server_name",
                  ("uwsgi_pass", "suwsgi"): "uwsgi_ssl_server_name"}


def check(ws: Workspace) -> Iterator[Finding]:
    for route in ws.routes:
        target = route.target
        if target is None or route.upstream is not None or not target.host or is_ip(target.host):
            continue
        name = _SNI_DIRECTIVE.get((route.kind, target.scheme))
        block = route.block
        if name is None or block is None:
            continue
        parent = route.directive.parent
        if parent is None:  # (never: a *_pass sits in a block)
            continue
        setting = parent.inherited(name)
        if setting is not None and setting.args[:1] == ["on"]:
            continue
        message = (f"{route.kind} {route.directive.args[0]}: {name} is off, so the TLS handshake names no host "
                   f"(no SNI); an origin serving several names (CDN, load balancer, shared host) aborts it: "
                   f"{consequence.BAD_GATEWAY}, error.log: SSL_do_handshake() failed (SSL: ... tlsv1 unrecognized "
                   f"name:SSL alert number 112) while SSL handshaking to upstream")
        rel = []
        if setting is not None:
            rel.append(related(setting, f"{name} turned off here"))
            fix = set_args(ws, setting, ["on"], f"turn {name} on", safe=False)
        else:
            fix = insert_directive(ws, block, name, ["on"], f"add {name} on")
        yield report(route.directive, message, rel, fix)
