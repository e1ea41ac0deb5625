"""The pool's socket is in /tmp, and php-fpm or nginx runs with systemd's `PrivateTmp=true`.

## What it does
For pools listening on a unix socket under `/tmp` or `/var/tmp`, reads the php-fpm and nginx
service units under the root (`etc/systemd/system`, `run/systemd/system`, `usr/lib/systemd/system`,
`lib/systemd/system`, and their `*.service.d/*.conf` drop-ins; last assignment wins) and flags
the pool when either service that uses the socket has `PrivateTmp=true`.

## Why is this bad?
`PrivateTmp=true` gives the service its own /tmp and /var/tmp. php-fpm creates the socket in its
private /tmp (or nginx looks in its own), so nginx never finds it: every PHP request gets
**502 Bad Gateway** with `connect() to unix:/tmp/php-fpm.sock failed (2: No such file or
directory) while connecting to upstream`, although the socket exists when you look from a shell.
RHEL and Fedora ship php-fpm.service and nginx.service with `PrivateTmp=true`.

## Example
```ini
listen = /tmp/php-fpm.sock
```

## Use instead
```ini
listen = /run/php-fpm/www.sock
```
and point `fastcgi_pass` at the same path.

## Fix
None: moving the socket needs a directory that exists at boot and a matching `fastcgi_pass`.

## References
- https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#PrivateTmp=
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, related, report

CODE = "GW321"
NAME = "fpm-socket-in-private-tmp"
SEVERITY = Severity.ERROR


def check(ws: Workspace) -> Iterator[Finding]:
    pools = [p for p in ws.pools if p.listen is not None and p.listen.in_tmp]
    if not pools:
        return
    clients = ws.socket_clients()
    nginx_private = _private(ws.units.nginx)
    for pool in pools:
        private = _private(ws.units.fpm_for(pool.install))
        if clients.get(pool):
            private += nginx_private
        if not private:
            continue
        units = " and ".join(name for name, _ in private)
        runs = "runs" if len(private) == 1 else "run"
        message = (f"pool '{pool.name}' listens on {pool.endpoint.path} but {units} {runs} with PrivateTmp=true: "
                   "php-fpm and nginx see different /tmp directories, so nginx never finds the socket; "
                   f"every PHP request gets {consequence.connect_failure(pool.endpoint)}")
        rel = [related(s, f"{name}: PrivateTmp=true") for name, s in private]
        rel += [related(route.directive, "nginx connects here") for _, route in clients.get(pool, [])[:1]]
        yield report(pool.get("listen"), message, rel)


def _private(units) -> list:
    """(unit name, PrivateTmp setting) for the units that run with a private /tmp."""
    found = [(unit.name, unit.is_true("Service", "PrivateTmp")) for unit in units]
    return [(name, s) for name, s in found if s is not None]
