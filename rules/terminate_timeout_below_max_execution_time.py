"""A pool's `request_terminate_timeout` is shorter than PHP's effective `max_execution_time`.

## What it does
For every PHP-FPM pool, compares `request_terminate_timeout` (wall clock, 0 = off) with the
pool's effective `max_execution_time` (php.ini chain, then the pool's `php_value` /
`php_admin_value`), and again for each nginx location whose `fastcgi_param PHP_VALUE` /
`PHP_ADMIN_VALUE` sets `max_execution_time` (reported at that line). Both must be non-zero.

## Why is this bad?
FPM kills the worker first. The client gets **502 Bad Gateway** instead of PHP's own error:
nginx's error.log says `recv() failed (104: Connection reset by peer) while reading response
header from upstream`, FPM's log `execution timed out (... sec), terminating`. No shutdown
functions or error handlers run, and `max_execution_time` is dead configuration.

## Example
```ini
request_terminate_timeout = 20s   ; php.ini: max_execution_time = 30
```

## Use instead
```ini
request_terminate_timeout = 40s
```

## Fix
None

## References
- https://www.php.net/manual/en/install.fpm.configuration.php#request-terminate-timeout
- https://www.php.net/manual/en/info.configuration.php#ini.max-execution-time
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, php_time_limit, related, report

CODE = "GW220"
NAME = "terminate-timeout-below-max-execution-time"
SEVERITY = Severity.WARNING


def check(ws: Workspace) -> Iterator[Finding]:
    for pool, block in ws.php_contexts("max_execution_time"):
        terminate, max_exec, _ = php_time_limit(pool, block)
        if not terminate.number or not max_exec.number or max_exec.number <= 0:
            continue
        if terminate.number < max_exec.number:
            rel = [related(x.at, f"{x.name} in effect") for x in (max_exec, terminate)
                   if x.at is not None and x.at is not (terminate.at if block is None else max_exec.at)]
            yield report(terminate.at if block is None else max_exec.at, (
                f"{terminate} is below {max_exec}: FPM kills a long request first, so the client gets "
                f"{consequence.fpm_killed()} instead of PHP's own error, and max_execution_time "
                f"never fires"), rel)
