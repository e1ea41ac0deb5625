r"""A front nginx stops waiting before the nginx server it proxies to (same tree) gets PHP's answer.

## What it does
Follows local nginx-to-nginx hops (`gwlint/model/hops.py`): a `proxy_pass` to an address a
server of the same tree listens on continues into the location that server selects for a PHP
request the front passes on. Then checks the chain end to end: the front's effective
`proxy_read_timeout` (inherited, default 60s) must cover what the back may take before it
answers, the smaller of its `fastcgi_read_timeout` and what the pool lets PHP run
(`request_terminate_timeout`, else `max_execution_time`). Each hop is a related location.

Severity follows how likely the failure is: an **error** when the front's read timeout is below
30 s (PHP's default `max_execution_time`: requests PHP considers ordinary run that long, so
ordinary slow pages hit it), a **warning** otherwise (only requests longer than the front's
timeout, itself at least 30 s, fail).

## Why is this bad?
The front nginx answers **504 Gateway Timeout** (its error.log: `upstream timed out (110:
Connection timed out) while reading response header from upstream`) while the back vhost and
the PHP worker keep going, busy for nobody; raising PHP's or the back's limits changes nothing.

## Example
```nginx
http { proxy_read_timeout 5s; }                       # in an http-level include
server { listen 80; location / { proxy_pass http://127.0.0.1:8080; } }
server { listen 127.0.0.1:8080; location ~ \.php$ { fastcgi_read_timeout 310s; fastcgi_pass ...; } }
```

## Use instead
```nginx
server { listen 80; location / { proxy_read_timeout 320s; proxy_pass http://127.0.0.1:8080; } }
```

## Fix
Sets `proxy_read_timeout` at the front location to what the back may take plus 10s: rewrites the
directive when the location sets it, else inserts it at the top of the location. Unsafe when the
line lives in an include shared by other locations.

## References
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout
- https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_read_timeout
- https://nginx.org/en/docs/http/request_processing.html
"""

from collections.abc import Iterator

from gwlint.rule import (
    Finding,
    Severity,
    Workspace,
    consequence,
    format_seconds,
    hops,
    insert_directive,
    nginx_value,
    php_time_limit,
    related,
    report,
    set_args,
    timeout_cap,
    timeout_odds,
)

CODE = "GW343"
NAME = "proxy-read-timeout-below-backend-nginx"
SEVERITY = Severity.ERROR
MARGIN = 10  # seconds the front waits beyond the back, so the back's own answer gets through


def check(ws: Workspace) -> Iterator[Finding]:
    for hop in hops(ws):
        front = hop.front.block
        if front is None:
            continue
        read = nginx_value(front, "proxy_read_timeout")
        worst = None  # (seconds, back read Value, pool, PHP bound Value or None, back route)
        for route in hop.routes:
            if route.kind != "fastcgi_pass" or route.block is None:
                continue
            back_read = nginx_value(route.block, "fastcgi_read_timeout")
            if back_read.number is None:
                continue
            for backend in route.backends:
                for pool in backend.pools:
                    _, _, bound = php_time_limit(pool, route.block)
                    need = back_read.number if bound is None or bound.number is None \
                        else min(back_read.number, bound.number)
                    if worst is None or need > worst[0]:
                        worst = (need, back_read, pool, bound, route)
        if worst is None or read.number is None or read.number >= worst[0]:
            continue
        need, back_read, pool, bound, route = worst
        names = hop.server.child("server_name")
        name = names.args[0] if names is not None and names.args else "(unnamed)"
        limit = f"{back_read}" + (f", {bound}" if bound is not None else "")
        message = (f"{read} in front of nginx server {name} ({hop.listen.args[0]}), whose PHP location for "
                   f"{hop.uri} may take {format_seconds(need)} ({limit}); a PHP request running longer than "
                   f"{read.text} gets {consequence.gateway_timeout()} from this nginx while the back server and "
                   f"the PHP worker keep going ({read.text} is {timeout_odds(read.number)})")
        here = read.directive if read.directive is not None and read.directive.parent is front else None
        rel = [related(hop.listen, f"nginx server {name} listens here"),
               related(route.directive, f"{hop.uri} reaches this fastcgi_pass")]
        rel += [related(x.at, label) for x, label in ((read, "proxy_read_timeout in effect here"),
                                                     (back_read, "the back's fastcgi_read_timeout"),
                                                     (bound, f"pool '{pool.name}' limit"))
                if x is not None and x.at is not None and x.at is not here]
        target = format_seconds(need + MARGIN)
        title = f"set proxy_read_timeout {target}"
        fix = (set_args(ws, here, [target], title) if here is not None
               else insert_directive(ws, front, "proxy_read_timeout", [target], title))
        yield report(here or hop.front.directive, message, rel, fix, at_most=timeout_cap(read.number))
