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
Sets the pool's `request_terminate_timeout` (its last assignment, also in a later file that
reopens the pool) to `max_execution_time` plus 10s, so that PHP's own limit fires first. A value
written with several units (`1m30s`, which php-fpm reads as 1 second: it takes one suffix only)
is rewritten as the time it spells (`90s`): safe, the only edit that can be meant (GW340 then
raises nginx's read timeout where it falls below). Otherwise safe when the new value stays within
the `fastcgi_read_timeout` of every location reaching the pool (else GW340 would fire), unsafe
when it does not, and when the limit comes from one location's `PHP_VALUE` (the pool serves
others).

## References
- https://www.php.net/manual/en/install.fpm.configuration.php#request-terminate-timeout
- https://www.php.net/manual/en/info.configuration.php#ini.max-execution-time
"""

from collections.abc import Iterator

from gwlint.rule import (
    Finding,
    Fix,
    Pool,
    Severity,
    Workspace,
    consequence,
    format_seconds,
    nginx_seconds,
    nginx_value,
    php_time_limit,
    related,
    report,
    set_ini,
)

CODE = "GW220"
NAME = "terminate-timeout-below-max-execution-time"
SEVERITY = Severity.WARNING


MARGIN = 10  # seconds FPM waits beyond max_execution_time


def spelled(text: str) -> float | None:
    """The time a value written with several units means (`1m30s`: 90), or None when php-fpm reads
    it as written (one suffix or none)."""
    if sum(ch in "smhd" for ch in text.strip()) < 2:
        return None
    return nginx_seconds(text)


def check(ws: Workspace) -> Iterator[Finding]:
    reads: dict[int, list[float]] = {}  # pool -> the fastcgi_read_timeout of each location reaching it
    for _, block, pool in ws.route_pools():
        if block is not None:
            reads.setdefault(id(pool), []).append(nginx_value(block, "fastcgi_read_timeout").number or 0)
    for pool, block in ws.php_contexts("max_execution_time"):
        terminate, max_exec, _ = php_time_limit(pool, block)
        if not terminate.number or not max_exec.number or max_exec.number <= 0:
            continue
        if terminate.number < max_exec.number:
            rel = [related(x.at, f"{x.name} in effect") for x in (max_exec, terminate)
                   if x.at is not None and x.at is not (terminate.at if block is None else max_exec.at)]
            meant = spelled(terminate.text)
            units = (f" (php-fpm reads {terminate.text} as {int(terminate.number)}s: it takes one unit "
                     f"suffix only; {format_seconds(meant)} was meant)") if meant else ""
            yield report(terminate.at if block is None else max_exec.at, (
                f"{terminate} is below {max_exec}{units}: FPM kills a long request first, so the client gets "
                f"{consequence.fpm_killed()} instead of PHP's own error, and max_execution_time "
                f"never fires"), rel, _fix(ws, pool, block, meant, max_exec.number, reads.get(id(pool), [])))


def _fix(ws: Workspace, pool: Pool, block, meant: float | None, max_exec: float,
         reads: list[float]) -> Fix | None:
    """Raise the pool's request_terminate_timeout above max_execution_time (or to what it spells)."""
    want = meant if meant and meant > max_exec else max_exec + MARGIN
    text = format_seconds(want)
    safe = block is None and (meant is not None or all(read >= want for read in reads))
    return set_ini(ws, pool, "request_terminate_timeout", text,
                   f"set request_terminate_timeout = {text} in pool '{pool.name}'", safe)
