"""Two PHP-FPM pools (in one php-fpm or in several) listen on the same socket or port.

## What it does
Compares the `listen` of every pool found in the tree, across all FPM configs: the same unix
socket path, or the same TCP port on overlapping addresses (equal hosts, or either one every
address: `9000`, `0.0.0.0:9000`, `[::]:9000`). Reports the later pool, with the earlier one as
related. Pools whose `listen` cannot be read (`${ENV}`) are skipped. A pool's port bound by nginx or
another service: GW306.

## Why is this bad?
The second bind fails and that php-fpm refuses to start (exit 78). Measured with php-fpm 8.2:
- in one php-fpm: the same `listen` string logs `[pool b] unable to set listen address as it's
  already used in another pool 'a'` (`php-fpm -t` catches only this case); `127.0.0.1:9000` and
  `9000` log `unable to bind listening socket for address '9000': Address already in use (98)`
  (`php-fpm -t` passes). Every pool of that php-fpm is down: each PHP request is a **502 Bad
  Gateway**, nginx logging `connect() ... failed (2: No such file or directory)` or
  `(111: Connection refused) while connecting to upstream`.
- in two php-fpm services (php7.4 and php8.2 side by side): the second to start fails with
  `Another FPM instance seems to already listen on /run/php/php-fpm.sock` or the `(98)` line.
  Requests to the shared endpoint reach whichever started first, with its PHP version, user and
  settings, and the other service's remaining pools are down (502).

## Example
```ini
; /etc/php/7.4/fpm/pool.d/www.conf          ; /etc/php/8.2/fpm/pool.d/www.conf
listen = /run/php/php-fpm.sock               listen = /run/php/php-fpm.sock
```

## Use instead
```ini
listen = /run/php/php7.4-fpm.sock            listen = /run/php/php8.2-fpm.sock
```

## Fix
None: which pool moves, and which nginx locations follow it, is a decision.

## References
- https://www.php.net/manual/en/install.fpm.configuration.php (listen)
"""

from collections import defaultdict
from collections.abc import Iterator

from gwlint.rule import ANY_ADDRESSES, Finding, Severity, Workspace, consequence, related, report, run_path

CODE = "GW305"
NAME = "fpm-pools-share-endpoint"
SEVERITY = Severity.ERROR


def _overlap(a, b) -> bool:
    if a.kind == "unix":
        return True  # grouped by path already
    return a.host in ANY_ADDRESSES or b.host in ANY_ADDRESSES or a.host == b.host


def check(ws: Workspace) -> Iterator[Finding]:
    groups = defaultdict(list)
    for pool in ws.pools:
        listen = pool.listen
        if listen is not None:
            groups[(listen.kind, run_path(listen.path or "") if listen.kind == "unix" else listen.port)].append(pool)
    for pools in groups.values():
        for i, later in enumerate(pools):
            earlier = next((p for p in pools[:i] if _overlap(p.listen, later.listen)), None)
            if earlier is not None:
                yield _finding(earlier, later)


def _finding(earlier, later):
    mine, theirs = later.get("listen"), earlier.get("listen")
    if earlier.install is later.install:
        if mine.value.strip() == theirs.value.strip():
            log = (f"[pool {later.name}] unable to set listen address as it's already used in another pool "
                   f"'{earlier.name}'")
        else:
            log = f"unable to bind listening socket for address '{mine.value.strip()}': Address already in use (98)"
        outcome = (f"this php-fpm refuses to start (FPM log: {log}), so every PHP request to its pools gets "
                   f"{consequence.BAD_GATEWAY}")
    else:
        log = (f"Another FPM instance seems to already listen on {later.listen.path}" if later.listen.kind == "unix"
               else "unable to bind listening socket ...: Address already in use (98)")
        outcome = (f"the php-fpm started second refuses to start (FPM log: {log}); {later.listen} then serves "
                   f"whichever pool started first (its PHP version, user and settings), and the other php-fpm's "
                   f"pools get {consequence.BAD_GATEWAY}")
    message = (f"pool '{later.name}' listens on {later.listen}, as pool '{earlier.name}' ({theirs.path}:"
               f"{theirs.line}) does: {outcome}")
    return report(mine, message, [related(theirs, f"pool '{earlier.name}' listens here first")])
