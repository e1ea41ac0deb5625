"""`listen.mode` is not an octal file mode.

## What it does
Flags a `listen.mode` that is not 1 to 4 octal digits (`0660`), and says which mode php-fpm
really gives the socket.

## Why is this bad?
`php-fpm -t` accepts any value. php-fpm reads it like `strtoul(value, NULL, 8)`, which stops
at the first character that is not an octal digit (measured): `0668` becomes 066, so the socket
is `---rw-rw-`; `rw-rw----` and `0o660` become 0, a socket nobody but root may open. Clients
then get **502 Bad Gateway** with `connect() to unix:... failed (13: Permission denied)`.

## Example
```ini
listen.mode = rw-rw----
```

## Use instead
```ini
listen.mode = 0660
```

## Fix
Rewrites a symbolic mode (`rw-rw----`) or a `0o660` literal to octal (safe). None for other
values: the intent is not clear.

## References
- https://www.php.net/manual/en/install.fpm.configuration.php (listen.mode)
- php-src sapi/fpm/fpm/fpm_unix.c (fpm_unix_resolve_socket_permissions)
"""

import re
from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, format_mode, parse_mode, report, set_ini

CODE = "GW202"
NAME = "fpm-listen-mode-invalid"
SEVERITY = Severity.ERROR

_SYMBOLIC = r"[r-][w-][x-][r-][w-][x-][r-][w-][x-]"
_PY_OCTAL = r"0[oO]([0-7]{1,4})"


def intended_mode(value: str) -> int | None:
    """The mode a symbolic (`rw-rw----`) or `0o660` value clearly means, else None."""
    if re.fullmatch(_SYMBOLIC, value):
        return sum(1 << (8 - i) for i, ch in enumerate(value) if ch != "-")
    m = re.fullmatch(_PY_OCTAL, value)
    return int(m.group(1), 8) if m else None


def check(ws: Workspace) -> Iterator[Finding]:
    for pool in ws.pools:
        setting = pool.get("listen.mode")
        if setting is None:
            continue
        mode, valid = parse_mode(setting.value)
        if valid:
            continue
        message = (f"pool '{pool.name}': listen.mode = {setting.value!r} is not an octal mode; php-fpm -t "
                   f"accepts it but reads it as {format_mode(mode)} (it stops at the first non-octal "
                   "character)")
        if pool.listen is not None and pool.listen.kind == "unix":
            message += (f", so clients not allowed by {format_mode(mode)} get "
                        f"{consequence.connect_denied(pool.endpoint.path or '')}")
        fix = None
        meant = intended_mode(setting.value)
        if meant is not None:
            fix = set_ini(ws, pool, "listen.mode", format_mode(meant), f"write listen.mode as {format_mode(meant)}")
        yield report(setting, message, fix=fix)
