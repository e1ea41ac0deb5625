r"""nginx's `client_max_body_size` for a PHP location is below the upload size PHP was raised to.

## What it does
For every `fastcgi_pass` location and every pool it reaches, compares nginx's effective
`client_max_body_size` (inherited, default 1m, 0 = no limit) with the largest upload PHP accepts:
`upload_max_filesize`, capped by `post_max_size` (0 = no limit), from the php.ini chain, the pool's
`php_value`/`php_admin_value` and nginx `PHP_VALUE`. It reports only when PHP's limit was raised
above PHP's own defaults (2M / 8M): stock configs disagree everywhere, a raised limit is intent.

## Why is this bad?
nginx rejects the body before PHP sees it: uploads between the two limits get **413 Request
Entity Too Large** and error.log says `client intended to send too large body`. Raising
`upload_max_filesize` alone is the most common way to "fix" uploads that still fail.

## Example
```nginx
location ~ \.php$ { fastcgi_pass unix:/run/php/php8.2-fpm.sock; }   # client_max_body_size 1m
```
```ini
upload_max_filesize = 64M
post_max_size = 64M
```

## Use instead
```nginx
location ~ \.php$ { client_max_body_size 64M; fastcgi_pass unix:/run/php/php8.2-fpm.sock; }
```

## Fix
Sets `client_max_body_size` to PHP's limit in the location (rewrites the location's own directive
or inserts one). Unsafe: the body size limit is also a policy choice.

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#client_max_body_size
- https://www.php.net/manual/en/ini.core.php#ini.upload-max-filesize
- https://www.php.net/manual/en/ini.core.php#ini.post-max-size
"""

from collections.abc import Iterator

from gwlint.rule import (
    PHP_DEFAULTS,
    Finding,
    Severity,
    Workspace,
    insert_directive,
    nginx_value,
    php_bytes,
    php_value,
    related,
    report,
    set_args,
)

CODE = "GW341"
NAME = "body-size-below-php-upload-limit"
SEVERITY = Severity.WARNING


def _size(n: float) -> str:
    for unit, factor in (("g", 1024**3), ("m", 1024**2), ("k", 1024)):
        if n % factor == 0:
            return f"{int(n // factor)}{unit}"
    return str(int(n))


def check(ws: Workspace) -> Iterator[Finding]:
    for route, block, pool in ws.route_pools():
        if block is None:
            continue
        body = nginx_value(block, "client_max_body_size")
        upload = php_value(pool, "upload_max_filesize", block)
        post = php_value(pool, "post_max_size", block)
        body_n, upload_n, post_n = body.number, upload.number, post.number
        if not body_n or upload_n is None or post_n is None:
            continue
        limit, limit_n = (upload, upload_n) if post_n <= 0 or upload_n <= post_n else (post, post_n)
        raised = [v for v, n in ((upload, upload_n), (post, post_n)) if n > (php_bytes(PHP_DEFAULTS[v.name]) or 0)]
        if limit_n <= body_n or not raised:
            continue
        here = body.directive if body.directive is not None and body.directive.parent is block else None
        rel = [related(x.at, label) for x, label in ((body, "client_max_body_size in effect here"),
                                                     (limit, f"pool '{pool.name}' PHP limit"))
               if x.at is not None and x.at is not here]
        target = _size(limit_n)
        title = f"set client_max_body_size {target}"
        fix = (set_args(ws, here, [target], title, safe=False) if here is not None
               else insert_directive(ws, block, "client_max_body_size", [target], title, safe=False))
        yield report(here or route.directive, (
            f"{body} is below the upload size PHP accepts in pool '{pool.name}': {limit}; bodies in "
            f"between get 413 Request Entity Too Large from nginx (error.log: client intended to send "
            f"too large body) before PHP sees them"), rel, fix)
