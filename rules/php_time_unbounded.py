"""Nothing bounds a pool's PHP requests: `max_execution_time = 0` and no `request_terminate_timeout`.

## What it does
For every PHP-FPM pool, reports when the effective `max_execution_time` (php.ini chain, pool
`php_value`/`php_admin_value`) is 0 and `request_terminate_timeout` is 0 or unset; and for each
nginx location whose `fastcgi_param PHP_VALUE` sets `max_execution_time=0` on such a pool
(reported at that line).

## Why is this bad?
A hung script (a stuck remote call, a lock, an endless loop) holds its worker forever. nginx
gives up after `fastcgi_read_timeout` with a 504, but the worker keeps running; once every
worker of the pool is pinned, every request waits in the listen queue and times out with
**504 Gateway Timeout** (`upstream timed out (110: Connection timed out)`).

## Example
```ini
php_admin_value[max_execution_time] = 0
;request_terminate_timeout = 0
```

## Use instead
```ini
request_terminate_timeout = 300s
```

## Fix
None

## References
- https://www.php.net/manual/en/install.fpm.configuration.php#request-terminate-timeout
- https://www.php.net/manual/en/info.configuration.php#ini.max-execution-time
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, php_time_limit, related, report

CODE = "GW221"
NAME = "php-time-unbounded"
SEVERITY = Severity.WARNING


def check(ws: Workspace) -> Iterator[Finding]:
    for pool, block in ws.php_contexts("max_execution_time"):
        terminate, max_exec, bound = php_time_limit(pool, block)
        if bound is not None or terminate.number is None or max_exec.number is None:
            continue
        at = pool if block is None else max_exec.at
        rel = [related(x.at, f"{x.name} in effect") for x in (max_exec, terminate)
               if x.at is not None and x.at is not at]
        where = f"pool '{pool.name}'" + ("" if block is None else " for this location")
        yield report(at, (
            f"{where}: nothing bounds a PHP request ({max_exec}, {terminate}); hung scripts "
            f"pin workers until the pool is full, then every request waits and gets "
            f"{consequence.gateway_timeout()}"), rel)
