r"""A front nginx refuses request bodies the nginx server it proxies to (same tree) and PHP accept.

## What it does
Follows local nginx-to-nginx hops (`gwlint/model/hops.py`, as GW343) and compares the front's
effective `client_max_body_size` (inherited, default 1m, 0 = no limit) with the largest body the
back accepts for a PHP request: the back location's `client_max_body_size`, capped by PHP's upload
limit for the pool it reaches (`upload_max_filesize`, capped by `post_max_size`). It reports only
when the back raised its limit explicitly, or PHP's limit was raised above PHP's defaults (the
size is intent). Each hop is a related location.

## Why is this bad?
The front rejects the body first: uploads between the two limits get **413 Request Entity Too
Large** from the front nginx (its error.log: `client intended to send too large body`); raising
the back's or PHP's limits, the usual "fix", changes nothing.

## Example
```nginx
server { listen 80; location / { proxy_pass http://127.0.0.1:8080; } }   # client_max_body_size 1m
server { listen 127.0.0.1:8080; client_max_body_size 32m; location ~ \.php$ { fastcgi_pass ...; } }
```

## Use instead
```nginx
server { listen 80; location / { client_max_body_size 32m; proxy_pass http://127.0.0.1:8080; } }
```

## Fix
Sets the front location's `client_max_body_size` to the size the back accepts. Safe when the back
server sets that size itself (only one edit can be meant: the front must let through what the
operator already allowed behind it); unsafe when only PHP's limit says so (a policy choice, as
GW341), and when the line lives in an include shared by other locations.

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#client_max_body_size
- https://www.php.net/manual/en/ini.core.php#ini.upload-max-filesize
"""

from collections.abc import Iterator

from gwlint.rule import (
    PHP_DEFAULTS,
    Finding,
    Severity,
    Workspace,
    hops,
    insert_directive,
    nginx_bytes,
    nginx_value,
    php_bytes,
    php_value,
    related,
    report,
    set_args,
)

CODE = "GW344"
NAME = "proxy-body-size-below-backend-nginx"
SEVERITY = Severity.WARNING
DEFAULT_BODY = nginx_bytes("1m")


def _size(n: float) -> str:
    for unit, factor in (("g", 1024**3), ("m", 1024**2), ("k", 1024)):
        if n % factor == 0:
            return f"{int(n // factor)}{unit}"
    return str(int(n))


def _accepts(route, pool):
    """(bytes the back accepts, the Value that limits it, whether that is the back nginx's own
    explicit size) or None when neither the back nor PHP raised a limit."""
    body = nginx_value(route.block, "client_max_body_size")
    upload = php_value(pool, "upload_max_filesize", route.block)
    post = php_value(pool, "post_max_size", route.block)
    if body.number is None or upload.number is None or post.number is None:
        return None
    php, php_n = (upload, upload.number) if post.number <= 0 or upload.number <= post.number else (post, post.number)
    raised = any(n > (php_bytes(PHP_DEFAULTS[v.name]) or 0) for v, n in ((upload, upload.number), (post, post.number)))
    back_set = body.at is not None and body.number != DEFAULT_BODY
    if not (back_set or raised):
        return None
    if body.number and (php_n <= 0 or body.number <= php_n):
        return body.number, body, back_set
    return (php_n, php, False) if php_n > 0 else None  # PHP's limit: a policy choice, as GW341


def check(ws: Workspace) -> Iterator[Finding]:
    for hop in hops(ws):
        front = hop.front.block
        if front is None:
            continue
        body = nginx_value(front, "client_max_body_size")
        if not body.number:
            continue
        best = None
        for route in hop.routes:
            if route.kind != "fastcgi_pass" or route.block is None:
                continue
            for backend in route.backends:
                for pool in backend.pools:
                    got = _accepts(route, pool)
                    if got is not None and (best is None or got[0] > best[0]):
                        best = (*got, route)
        if best is None or best[0] <= body.number:
            continue
        need, limit, back_set, route = best
        names = hop.server.child("server_name")
        name = names.args[0] if names is not None and names.args else "(unnamed)"
        here = body.directive if body.directive is not None and body.directive.parent is front else None
        rel = [related(hop.listen, f"nginx server {name} listens here"),
               related(route.directive, f"{hop.uri} reaches this fastcgi_pass")]
        rel += [related(x.at, label) for x, label in ((body, "client_max_body_size in effect here"),
                                                     (limit, "what the back accepts"))
                if x.at is not None and x.at is not here]
        target = _size(need)
        title = f"set client_max_body_size {target}"
        fix = (set_args(ws, here, [target], title, safe=back_set) if here is not None
               else insert_directive(ws, front, "client_max_body_size", [target], title, safe=back_set))
        yield report(here or hop.front.directive, (
            f"{body} in front of nginx server {name} ({hop.listen.args[0]}), which accepts bodies up to "
            f"{_size(need)} for {hop.uri} ({limit}); bodies in between get 413 Request Entity Too Large from this "
            f"nginx (error.log: client intended to send too large body) before the back server or PHP sees them"),
            rel, fix)
