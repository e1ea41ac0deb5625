"""An upstream sets `keepalive`, but the locations using it close every connection anyway.

## What it does
For every `proxy_pass` and `fastcgi_pass` to an `upstream {}` with `keepalive N` (N > 0), checks
what the location sends, with nginx's inheritance:
- `proxy_pass`: `proxy_http_version` must be 1.1 and `proxy_set_header Connection` must not be
  `close`. Version-aware: before nginx 1.29.7 (stable 1.30) the defaults are HTTP/1.0 and
  `Connection: close`, so both lines are needed; since then they are the defaults, and only an
  explicit `proxy_http_version 1.0` or `Connection close` is flagged. gwlint assumes nginx 1.22
  (Debian 12's, the oldest still shipped by a supported distro) unless told `--nginx-version`.
- `fastcgi_pass`: `fastcgi_keep_conn on;` must be in scope (every version).

## Why is this bad?
No error and no status change: nginx opens a new connection per request, so the `keepalive` line
is dead config. Every request pays a new TCP (and TLS) handshake, and the closed connections pile
up in TIME_WAIT, which under heavy load can run the local port range dry.

## Example
```nginx
upstream app { server 127.0.0.1:8080; keepalive 16; }
location / { proxy_pass http://app; }
```

## Use instead
```nginx
location / {
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_pass http://app;
}
```

## Fix
Inserts the missing directives at the top of the location: safe, except when that location would
stop inheriting `proxy_set_header` lines from an outer level (nginx inherits array directives only
when a level defines none) and when an explicit `1.0`, `close` or `fastcgi_keep_conn off` must be
rewritten (unsafe).

`fastcgi_keep_conn on` is always **unsafe**: kept FastCGI connections have reported php-fpm
hazards that a config cannot rule out. Scripts calling `fastcgi_finish_request()` can deadlock
the connection (php-src #10335); a child that reaches `pm.max_requests` closes a connection
nginx still holds, and the next request on it fails (reported as bad gateway errors); and a 2026
request-smuggling advisory needs connection reuse (fixed in PHP 8.2.36, 8.3.37, 8.4.28, 8.5.13).
Turn it on after checking the PHP version and the application, not by a blanket `--fix`.

## References
- https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_http_version
- https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_keep_conn
- https://github.com/php/php-src/issues/10335 (fastcgi_finish_request with kept connections)
- https://blog.nginx.org/blog/keep-alive-to-upstreams-is-now-default-in-nginx-1-29-7
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, insert_directive, merge_fixes, related, report, set_args

CODE = "GW106"
NAME = "upstream-keepalive-ineffective"
SEVERITY = Severity.WARNING
# nginx 1.29.7 (stable 1.30.0) made HTTP/1.1 with upstream keep-alive the proxy default.
KEEPALIVE_DEFAULT_SINCE = (1, 29, 7)


def check(ws: Workspace) -> Iterator[Finding]:
    modern = ws.nginx_at_least(KEEPALIVE_DEFAULT_SINCE)
    for route in ws.routes:
        upstream = route.upstream
        keepalive = upstream.child("keepalive") if upstream is not None else None
        block = route.block
        if upstream is None or keepalive is None or keepalive.args[:1] == ["0"] or block is None:
            continue
        if route.kind == "proxy_pass":
            problems = _proxy_problems(ws, route, block, modern)
        elif route.kind == "fastcgi_pass":
            problems = _fastcgi_problems(ws, route, block)
        else:
            continue
        if not problems:
            continue
        reasons = "; ".join(reason for reason, _, _ in problems)
        message = (f"upstream {upstream.args[0]} keeps idle connections (keepalive {keepalive.args[0]}), but "
                   f"this {route.kind} {reasons}: nginx closes the upstream connection after every request, so "
                   f"keep-alive is silently off (no error logged; a new handshake per request, sockets piling up "
                   f"in TIME_WAIT)")
        rel = [related(keepalive, "keepalive set here")] + [related(d, "set here") for _, d, _ in problems if d]
        yield report(route.directive, message, rel, merge_fixes([fix for _, _, fix in problems]))


def _proxy_problems(ws, route, block, modern):
    version = route.directive.parent.inherited("proxy_http_version")
    headers = route.directive.parent.inherited_all("proxy_set_header")
    connection = next((h for h in reversed(headers) if h.args and h.args[0].lower() == "connection"), None)
    problems = []
    if version is not None and version.args[:1] == ["1.0"]:
        problems.append(("speaks HTTP/1.0 (proxy_http_version 1.0)", version,
                         set_args(ws, version, ["1.1"], "use proxy_http_version 1.1", safe=False)))
    elif version is None and not modern:
        problems.append((f"speaks HTTP/1.0 (the proxy_http_version default before nginx 1.29.7; assuming nginx "
                         f"{ws.options.nginx_version}, see --nginx-version)", None,
                         insert_directive(ws, block, "proxy_http_version", ["1.1"], "add proxy_http_version 1.1")))
    value = connection.args[1] if connection is not None and len(connection.args) > 1 else ""
    if connection is not None and value.strip().lower() == "close":
        problems.append(("sends Connection: close (proxy_set_header)", connection,
                         set_args(ws, connection, ["Connection", ""], 'send Connection ""', safe=False)))
    elif connection is None and not modern:
        outer = bool(headers) and headers[0].parent is not block
        problems.append(("sends Connection: close (the default before nginx 1.29.7)", None,
                         insert_directive(ws, block, "proxy_set_header", ["Connection", ""],
                                          'add proxy_set_header Connection ""', safe=not outer)))
    return problems


def _fastcgi_problems(ws, route, block):
    keep = route.directive.parent.inherited("fastcgi_keep_conn")
    if keep is not None and keep.args[:1] == ["on"]:
        return []
    if keep is not None:
        return [("sets fastcgi_keep_conn off", keep, set_args(ws, keep, ["on"], "turn fastcgi_keep_conn on",
                                                               safe=False))]
    # never safe: kept FastCGI connections have php-fpm hazards (see the docs' Fix section)
    return [("does not set fastcgi_keep_conn on", None,
             insert_directive(ws, block, "fastcgi_keep_conn", ["on"], "add fastcgi_keep_conn on", safe=False))]

