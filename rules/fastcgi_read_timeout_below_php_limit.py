r"""nginx's `fastcgi_read_timeout` for a PHP location is shorter than the time the pool lets PHP run.

## What it does
For every `fastcgi_pass` location and every PHP-FPM pool it reaches, compares nginx's effective
`fastcgi_read_timeout` (http -> server -> location inheritance, default 60s) with what bounds the
request on the PHP side: the pool's `request_terminate_timeout`, or `max_execution_time` (php.ini
chain, pool `php_value`/`php_admin_value`, nginx `PHP_VALUE`) when that is 0. When nothing bounds
PHP at all, GW221 reports it instead.

## Why is this bad?
nginx gives up first: a request that runs longer than nginx's timeout gets **504 Gateway Timeout**
and error.log says `upstream timed out (110: Connection timed out) while reading response header
from upstream`, while the PHP worker keeps running to the end, busy for nobody. Under load those
workers fill the pool. Raising PHP's limits is useless while nginx's timeout is shorter.

## Example
```nginx
location ~ \.php$ {
    fastcgi_pass unix:/run/php/php8.2-fpm.sock;   # fastcgi_read_timeout: default 60s
}
```
```ini
request_terminate_timeout = 300
```

## Use instead
```nginx
location ~ \.php$ {
    fastcgi_read_timeout 310s;
    fastcgi_pass unix:/run/php/php8.2-fpm.sock;
}
```

Severity follows how likely the failure is: an **error** when nginx's read timeout is below
30 s (PHP's default `max_execution_time`: requests PHP considers ordinary run that long, so
ordinary slow pages hit it), a **warning** otherwise (a 60 s default in front of 300 s fails
only requests longer than a minute).

## Fix
Sets `fastcgi_read_timeout` to the PHP limit plus 10s, so that PHP's or FPM's own error reaches
the client: rewrites the directive when the location sets it, else inserts it at the top of the
location. Unsafe when the line lives in an include shared by other locations.

## References
- https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_read_timeout
- https://www.php.net/manual/en/install.fpm.configuration.php#request-terminate-timeout
- https://www.php.net/manual/en/info.configuration.php#ini.max-execution-time
"""

from collections.abc import Iterator

from gwlint.rule import (
    Finding,
    Severity,
    Workspace,
    consequence,
    format_seconds,
    insert_directive,
    nginx_value,
    php_time_limit,
    related,
    report,
    set_args,
    timeout_cap,
    timeout_odds,
)

CODE = "GW340"
NAME = "fastcgi-read-timeout-below-php-limit"
SEVERITY = Severity.ERROR  # a warning when nginx's timeout is at least 30s (timeout_cap)
MARGIN = 10  # seconds nginx waits beyond PHP's limit, so PHP's own error gets through


def check(ws: Workspace) -> Iterator[Finding]:
    for route, block, pool in ws.route_pools():
        if block is None:
            continue
        read = nginx_value(block, "fastcgi_read_timeout")
        terminate, _, bound = php_time_limit(pool, block)
        if bound is None or bound.number is None or read.number is None or read.number >= bound.number:
            continue
        why = ("" if bound is terminate else
               f" ({terminate} is off, and max_execution_time counts CPU time, so wall time runs longer)")
        message = (f"{read} is below what pool '{pool.name}' lets a PHP request run: {bound}{why}; "
                   f"a request running longer gets {consequence.gateway_timeout()} while the "
                   f"PHP worker keeps running and stays busy ({read.text} is {timeout_odds(read.number)})")
        here = read.directive if read.directive is not None and read.directive.parent is block else None
        rel = [related(x.at, label) for x, label in ((read, "fastcgi_read_timeout in effect here"),
                                                     (bound, f"pool '{pool.name}' limit"))
               if x.at is not None and x.at is not here]
        target = format_seconds(bound.number + MARGIN)
        title = f"set fastcgi_read_timeout {target}"
        fix = (set_args(ws, here, [target], title) if here is not None
               else insert_directive(ws, block, "fastcgi_read_timeout", [target], title))
        yield report(here or route.directive, message, rel, fix, at_most=timeout_cap(read.number))
