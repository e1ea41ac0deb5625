"""The pool's socket is in /tmp and no systemd unit under the root says whether /tmp is private.

## What it does
Flags pools listening on a unix socket under `/tmp` or `/var/tmp` when the root holds no php-fpm
service unit (or, for a pool nginx uses, no nginx.service) to check for `PrivateTmp=`. When the
units are present, GW321 decides instead.

## Why is this bad?
With `PrivateTmp=true` on either service (the default of RHEL and Fedora's php-fpm.service and
nginx.service) each sees its own /tmp, and every PHP request gets **502 Bad Gateway** with
`connect() to unix:/tmp/... failed (2: No such file or directory)`. /run (`/run/php/`,
`/run/php-fpm/`) is where distributions put FPM sockets.

## Example
```ini
listen = /tmp/php-fpm.sock
```

## Use instead
```ini
listen = /run/php/php8.2-fpm.sock
```
and point `fastcgi_pass` at the same path.

## Fix
None: moving the socket needs a directory that exists at boot and a matching `fastcgi_pass`.

## References
- https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#PrivateTmp=
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, report

CODE = "GW322"
NAME = "fpm-socket-in-tmp"
SEVERITY = Severity.WARNING


def check(ws: Workspace) -> Iterator[Finding]:
    pools = [p for p in ws.pools if p.listen is not None and p.listen.in_tmp]
    if not pools:
        return
    clients = ws.socket_clients()
    has_nginx_unit = bool(ws.units.nginx)
    for pool in pools:
        missing = [] if ws.units.fpm_for(pool.install) else ["php-fpm"]
        if clients.get(pool) and not has_nginx_unit:
            missing.append("nginx")
        if missing:
            yield report(pool.get("listen"),
                         f"pool '{pool.name}' listens on {pool.endpoint.path}; no {' or '.join(missing)} systemd "
                         "unit under the root to check: if it runs with PrivateTmp=true (RHEL/Fedora defaults) "
                         "nginx and php-fpm see different /tmp directories and every PHP request gets "
                         f"{consequence.connect_failure(pool.endpoint)}")
