"""PHP or php-fpm reads a size or time value otherwise than it reads to a person.

## What it does
Reads the PHP size settings (`memory_limit`, `upload_max_filesize`, `post_max_size`) of the
php.ini chain, the pools' `php_value`/`php_admin_value` and nginx's `fastcgi_param PHP_VALUE`
with PHP's own parser (`zend_ini_parse_quantity` from PHP 8.2, `zend_atol` before), and the
php-fpm time settings (`request_terminate_timeout`, `request_slowlog_timeout`,
`pm.process_idle_timeout`, `process_control_timeout`, `emergency_restart_interval`) with
php-fpm's (`fpm_conf_set_time`: `atoi`, then one unit suffix). Reports each value whose reading
is not what it says, with PHP's own warning where PHP gives one.

## Why is this bad?
PHP takes one multiplier letter, k, m or g, from the end of the value: `upload_max_filesize =
10MB` is 10 bytes, so every upload fails (PHP 8.2 warns once at start: `Invalid quantity "10MB":
unknown multiplier "B", interpreting as "10" for backwards compatibility`; PHP 8.1 and older read
it so silently). `memory_limit = 128MB` is 128 bytes, which PHP refuses (`Failed to set memory
limit to 128 bytes (Current memory usage is 2097152 bytes)`): the previous value (the one below
it in the chain, else 128M) stays. php-fpm takes one unit suffix: `request_terminate_timeout =
1m30s` is 1 second and `30ms` is 30 seconds, without a word. Measured on PHP 8.2 (`php -r
'var_dump(ini_parse_quantity("10MB"));'`, `php-fpm -tt`).

## Example
```ini
upload_max_filesize = 10MB
request_terminate_timeout = 1m30s
```

## Use instead
```ini
upload_max_filesize = 10M
request_terminate_timeout = 90s
```

## Fix
None: the value meant is likely but not certain, and raising a limit is a decision.

## References
- https://www.php.net/manual/en/faq.using.php#faq.using.shorthandbytes
- https://github.com/php/php-src/blob/PHP-8.2/Zend/zend_operators.c (zend_ini_parse_quantity)
- https://github.com/php/php-src/blob/PHP-8.2/sapi/fpm/fpm/fpm_conf.c (fpm_conf_set_time)
"""

from collections.abc import Iterator

from gwlint.rule import (
    MEMORY_AT_START,
    Finding,
    Severity,
    Workspace,
    fpm_time,
    is_env_value,
    php_params,
    php_quantity,
    report,
)

CODE = "GW225"
NAME = "php-value-misread"
SEVERITY = Severity.ERROR

QUANTITIES = ("memory_limit", "upload_max_filesize", "post_max_size")
POOL_TIMES = ("request_terminate_timeout", "request_slowlog_timeout", "pm.process_idle_timeout")
GLOBAL_TIMES = ("process_control_timeout", "emergency_restart_interval")


def check(ws: Workspace) -> Iterator[Finding]:
    seen: set[tuple[str, int, str]] = set()
    for install in ws.installs:
        php = install.php_version
        settings = [install.php_ini.get(key) for key in QUANTITIES]
        for pool in install.pools:
            settings += [pool.get(f"{kind}[{key}]") for kind in ("php_value", "php_admin_value") for key in QUANTITIES]
            for key in POOL_TIMES:
                setting = pool.get(key)
                if setting is not None:
                    yield from _time(setting, seen)
        for key in GLOBAL_TIMES:
            setting = install.global_settings.get(key)
            if setting is not None:
                yield from _time(setting, seen)
        for setting in settings:
            if setting is not None:
                key = setting.key.partition("[")[2].rstrip("]") or setting.key
                yield from _quantity(setting, key, setting.value, php, seen)
    for _, block, pool in ws.route_pools():
        for param in php_params(block).values():
            for key, (value, directive) in param.items():
                if key in QUANTITIES:
                    yield from _quantity(directive, key, value, pool.install.php_version, seen)


def _quantity(at, key, value, php, seen):
    if is_env_value(value) or (at.path, at.line, key) in seen:
        return
    seen.add((at.path, at.line, key))
    number, warning = php_quantity(value, php or "8.2")
    refused = key == "memory_limit" and number != -1 and number < MEMORY_AT_START
    surprising = warning or php_quantity(value)[1]  # older PHP reads the same text silently
    if not surprising and not refused and not _odd(value):
        return
    said = f"PHP {php or '8.2'} reads {key} = {value} as {number} bytes"
    said += f' (its warning at start: "{warning}")' if warning else " (without a warning)"
    if refused:
        said += (f", below the memory PHP already uses at start, so it refuses the limit ('Failed to set "
                 f"memory limit to {number} bytes') and the previous memory_limit stays")
    elif key in ("upload_max_filesize", "post_max_size") and number < 1 << 20:
        said += ": requests with a larger " + ("file are refused (UPLOAD_ERR_INI_SIZE)" if key == "upload_max_filesize"
                                                else "body lose all their POST data and files")
    yield report(at, said)


def _odd(value: str) -> bool:
    """True when PHP reads the value silently but otherwise than it looks ("0x10", "017")."""
    text = value.strip().lstrip("+-")
    return len(text) > 1 and text[0] == "0" and text[1:2].isalnum() and text[1] not in "kKmMgG"


def _time(setting, seen):
    value = setting.value
    if is_env_value(value) or (setting.path, setting.line, setting.key) in seen:
        return
    seen.add((setting.path, setting.line, setting.key))
    seconds, error = fpm_time(value)
    if error is not None or _plain_time(value):
        return  # php-fpm refuses it: GW223 says so
    yield report(setting, f"php-fpm reads {setting.key} = {value} as {seconds}s: it takes one unit "
                          "suffix (s, m, h, d) after a whole number, and reads the rest up to the last "
                          "character as a number (`1m30s` is 1s, `30ms` is 30s, `1.5m` is 60s)")


def _plain_time(value: str) -> bool:
    text = value.strip()
    body = text[:-1] if text[-1:] in "smhd" else text
    return body.isdigit()
