"""php-fpm refuses to start with this configuration: its own start-up validation fails.

## What it does
Mirrors the checks php-fpm makes when it loads its configuration (sapi/fpm/fpm/fpm_conf.c, as
built in PHP 8.2), with php-fpm's own wording:
- every assignment of a time setting (`request_terminate_timeout`, `request_slowlog_timeout`,
  `pm.process_idle_timeout`, global `process_control_timeout`, `emergency_restart_interval`)
  must be empty-free and end in a digit or one of the suffixes `s`, `m`, `h`, `d`;
- integer settings (`pm.*` counts, `listen.backlog`, `rlimit_files`...) must be digits with an
  optional leading `-`; `pm` must be `static`, `dynamic` or `ondemand`;
- per pool, in php-fpm's order: a `listen` address, a `pm`, `pm.max_children` >= 1; for
  `dynamic` positive spare counts, `min_spare <= start_servers <= max_spare <= max_children`
  (start_servers defaults to the middle) and a positive `pm.max_spawn_rate`; for `ondemand` a
  positive `pm.process_idle_timeout`; a `slowlog` when `request_slowlog_timeout` is set, and a
  slowlog timeout not above a non-zero `request_terminate_timeout`.
Values with `${ENV}` are skipped. Only php-fpm's first post-processing error per pool is
reported, as php-fpm stops there.

## Why is this bad?
php-fpm exits with status 78 (`ERROR: FPM initialization failed`), so nothing listens on the
pool's socket and every PHP request gets **502 Bad Gateway** (`connect() ... failed (2: No such
file or directory)` or `(111: Connection refused)`). A reload keeps the old master only if the
service manager tests first.

## Example
```ini
pm = dynamic
pm.max_children = 5
pm.min_spare_servers = 2
pm.max_spare_servers = 8
```

## Use instead
```ini
pm = dynamic
pm.max_children = 10
pm.min_spare_servers = 2
pm.max_spare_servers = 8
```

## Fix
php-fpm does not start at all, so any edit that makes it start is better than none; the fix keeps
the intent of the assignment made last (in file order, a later file reopening the pool wins):
- `pm.max_children` below the spare counts: when `pm.max_children` was set last (an override
  lowering it), the spare and start counts are lowered to fit; when a spare count was set last,
  `pm.max_children` is raised to it;
- `pm.start_servers` outside the spare range: clamped into it;
- `pm = ondemand` with `pm.process_idle_timeout` 0: php-fpm's default, `10s`.
All safe: php-fpm reads nothing else from these values. None for parse errors (which value was
meant is not ours to guess).

## References
- https://www.php.net/manual/en/install.fpm.configuration.php
- https://github.com/php/php-src/blob/PHP-8.2/sapi/fpm/fpm/fpm_conf.c
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, fpm_int, fpm_time, report, set_inis

CODE = "GW223"
NAME = "fpm-config-refused"
SEVERITY = Severity.ERROR

POOL_TIMES = ("request_terminate_timeout", "request_slowlog_timeout", "pm.process_idle_timeout")
GLOBAL_TIMES = ("process_control_timeout", "emergency_restart_interval")
POOL_INTS = ("pm.max_children", "pm.start_servers", "pm.min_spare_servers", "pm.max_spare_servers",
             "pm.max_requests", "pm.max_spawn_rate", "listen.backlog", "rlimit_files",
             "request_slowlog_trace_depth")
GLOBAL_INTS = ("emergency_restart_threshold", "rlimit_files", "process.max")
PM_STYLES = ("static", "dynamic", "ondemand")
CONSEQUENCE = "; " + consequence.FPM_EXITS


def _parse_errors(settings, times, ints):
    """(setting, php-fpm's message) for every assignment php-fpm cannot parse."""
    for setting in settings:
        if "${" in setting.value:
            continue
        key, error = setting.key, None
        if key in times:
            error = fpm_time(setting.value)[1]
        elif key in ints:
            error = fpm_int(setting.value)[1]
        elif key == "pm" and setting.value.lower() not in PM_STYLES:
            error = "invalid process manager (static, dynamic or ondemand)"
        if error:
            yield setting, f"unable to parse value for entry '{key}': {error}"


def _post_errors(pool):
    """php-fpm's post-processing checks of one pool, in its order: (where, message[, fix values])."""
    def get(key):
        return pool.get(key)

    def number(key, default=0, parse=fpm_int):
        setting = get(key)
        return parse(setting.value)[0] if setting else default

    name = f"[pool {pool.name}]"
    if get("listen") is None or not get("listen").value:
        yield pool, f"{name} no listen address have been defined!"
        return
    pm = get("pm")
    if pm is None:
        yield pool, f"{name} the process manager is missing (static, dynamic or ondemand)"
        return
    style = pm.value.lower()
    children = number("pm.max_children")
    if children < 1:
        yield get("pm.max_children") or pool, f"{name} pm.max_children must be a positive value"
        return
    if style == "dynamic":
        low, high = number("pm.min_spare_servers"), number("pm.max_spare_servers")
        if low <= 0:
            yield get("pm.min_spare_servers") or pool, f"{name} pm.min_spare_servers({low}) must be a positive value"
            return
        if high <= 0:
            yield get("pm.max_spare_servers") or pool, f"{name} pm.max_spare_servers({high}) must be a positive value"
            return
        if low > children or high > children:
            yield (get("pm.max_spare_servers") if high > children else get("pm.min_spare_servers")), (
                f"{name} pm.min_spare_servers({low}) and pm.max_spare_servers({high}) cannot be greater "
                f"than pm.max_children({children})"), \
                _fit_children(pool, low, high, children, number("pm.start_servers"))
            return
        if high < low:
            yield get("pm.max_spare_servers"), \
                f"{name} pm.max_spare_servers({high}) must not be less than pm.min_spare_servers({low})"
            return
        start = number("pm.start_servers") or low + (high - low) // 2
        if start < low or start > high:
            yield get("pm.start_servers"), (
                f"{name} pm.start_servers({start}) must not be less than pm.min_spare_servers({low}) and "
                f"not greater than pm.max_spare_servers({high})"), \
                {"pm.start_servers": str(min(max(start, low), high))}
            return
        if number("pm.max_spawn_rate", 32) <= 0:
            yield get("pm.max_spawn_rate"), f"{name} pm.max_spawn_rate must be a positive value"
            return
    elif style == "ondemand":
        idle = number("pm.process_idle_timeout", 10, fpm_time)
        if idle <= 0:
            yield get("pm.process_idle_timeout"), \
                f"{name} pm.process_idle_timeout({idle}s) must be greater than 0s", {"pm.process_idle_timeout": "10s"}
            return
    slow = number("request_slowlog_timeout", 0, fpm_time)
    if slow > 0:
        if get("slowlog") is None:
            yield get("request_slowlog_timeout"), \
                f"{name} 'slowlog' must be specified for use with 'request_slowlog_timeout'"
            return
        terminate = number("request_terminate_timeout", 0, fpm_time)
        if 0 < terminate < slow:
            yield get("request_slowlog_timeout"), (
                f"{name} 'request_slowlog_timeout' ({slow}) can't be greater than "
                f"'request_terminate_timeout' ({terminate})")


def check(ws: Workspace) -> Iterator[Finding]:
    for install in ws.installs:
        yield from (report(s, f"php-fpm refuses to start: {msg}" + CONSEQUENCE)
                    for s, msg in _parse_errors(install.global_settings.values(), GLOBAL_TIMES, GLOBAL_INTS))
        for pool in install.pools:
            history = [s for settings in pool.history.values() for s in settings]
            bad = list(_parse_errors(history, POOL_TIMES, POOL_INTS))
            yield from (report(s, f"php-fpm refuses to start: {msg}" + CONSEQUENCE) for s, msg in bad)
            if bad or any("${" in s.value for s in pool.settings.values()):
                continue
            for at, msg, *values in _post_errors(pool):
                fix = None
                if values and values[0]:
                    title = ", ".join(f"{k} = {v}" for k, v in values[0].items())
                    fix = set_inis(ws, pool, values[0], f"set {title} in pool '{pool.name}'")
                yield report(at, f"php-fpm refuses to start: {msg}" + CONSEQUENCE, fix=fix)


def _order(pool, setting) -> tuple[int, int]:
    """Where an assignment comes in php-fpm's reading order (file, then line)."""
    files = pool.install.files
    return (files.index(setting.path) if setting.path in files else -1, setting.line)


def _fit_children(pool, low, high, children, start) -> dict[str, str] | None:
    """Keep the last assignment's intent: lower the spare counts to a lowered pm.max_children, or
    raise pm.max_children to a raised spare count."""
    mc = pool.get("pm.max_children")
    spares = [s for s in (pool.get("pm.min_spare_servers"), pool.get("pm.max_spare_servers"))
              if s is not None and fpm_int(s.value)[0] is not None and fpm_int(s.value)[0] > children]
    if mc is None or not spares:
        return None
    if _order(pool, mc) < max(_order(pool, s) for s in spares):
        return {"pm.max_children": str(max(low, high))}
    new_high, new_low = min(high, children), min(low, children)
    values = {"pm.min_spare_servers": (low, new_low), "pm.max_spare_servers": (high, new_high)}
    if start and not new_low <= start <= new_high:
        values["pm.start_servers"] = (start, min(max(start, new_low), new_high))
    return {k: str(new) for k, (old, new) in values.items() if old != new}
