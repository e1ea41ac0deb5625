"""`fastcgi_pass` points at a socket or port on which no PHP-FPM pool listens.

## What it does
Resolves every `fastcgi_pass` (directly, or through each `server` of an `upstream {}` block) to
a unix socket or TCP port and checks that a PHP-FPM pool found in the tree listens there: one
finding per unreachable upstream server (servers marked `down` are never contacted: skipped).
Runs only when FPM configs were found; targets with variables are skipped, not guessed. A pool
on the right port that listens on loopback only while nginx connects to another address is
GW303's finding, not this one.

`uwsgi_pass`, `scgi_pass`, `grpc_pass` and `proxy_pass` are not checked against pools: PHP-FPM
speaks only FastCGI, so an FPM pool is never their backend. GW302 flags the reverse mistake (one of
them aimed at a pool); whether their own backends exist is the proxy-target rules' job.

## Why is this bad?
nginx connects to the socket at request time, so `nginx -t` passes, and so does `php-fpm -t`.
Every PHP request then fails with **502 Bad Gateway** and error.log says
`connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file or directory) while
connecting to upstream` (a socket) or `connect() failed (111: Connection refused)` (a port).
The classic cause is a PHP upgrade: the pool now listens on `php8.2-fpm.sock`.

## Example
```nginx
fastcgi_pass unix:/run/php/php8.1-fpm.sock;   # pool: listen = /run/php/php8.2-fpm.sock
```

## Use instead
```nginx
fastcgi_pass unix:/run/php/php8.2-fpm.sock;
```

## Fix
Rewrites the target to the pool's endpoint when exactly one pool is the clear match (safe);
otherwise each candidate pool is offered as an unsafe fix.

## References
- https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_pass
- https://www.php.net/manual/en/install.fpm.configuration.php (listen)
"""

from collections import Counter
from itertools import islice

from gwlint.engine.finding import Severity, related, report
from gwlint.fix.edits import retarget_pass
from gwlint.model.consequence import connect_failure
from gwlint.model.endpoint import ANY_ADDRESSES, LOOPBACK_NAMES, Endpoint
from gwlint.model.suggest import NearestEndpoint
from gwlint.rules._reach import is_ip, live_backends

CODE = "GW301"
NAME = "fastcgi-pass-no-pool"
SEVERITY = Severity.ERROR


def _reachable(listen: Endpoint, target: Endpoint) -> bool:
    """Whether a pool listening at `listen` accepts a connection aimed at `target` (same port)."""
    if listen.kind == "unix" or listen.host in ANY_ADDRESSES or listen.host == target.host:
        return True
    if target.host in LOOPBACK_NAMES:
        return listen.is_loopback
    if listen.is_loopback and not target.is_loopback:
        return True  # there is a pool on that port, on loopback only: GW303 says why nginx cannot reach it
    return not is_ip(target.host)  # a service name: where it resolves is not ours to know


def check(ws):
    pools = ws.pools
    if not pools:
        return
    listening = {pool.listen: pool for pool in reversed(pools) if pool.listen is not None}
    nearest = NearestEndpoint(list(listening))
    per_kind = Counter(e.kind for e in listening)
    per_port = Counter(e.port for e in listening if e.kind == "tcp")
    for route in ws.php_routes():
        for backend in live_backends(route):
            target = backend.endpoint
            if target is None or any(_reachable(p.listen, target) for p in backend.pools):
                continue
            via = f"upstream {route.upstream.args[0]} server {backend.directive.args[0]}" if route.upstream \
                else f"fastcgi_pass {route.directive.args[0]}"
            message = (f"{via}: no PHP-FPM pool listens on {target}; every PHP request here gets "
                       f"{connect_failure(target)}")
            rel, fix = [], None
            if route.upstream:
                rel.append(related(route.directive, "used by this fastcgi_pass"))
            best = nearest(target)
            if best is not None:
                pool = listening[best]
                setting = pool.get("listen")
                message += f"; did you mean {best} (pool '{pool.name}')?"
                rel.append(related(setting, f"pool '{pool.name}' listens on {best}"))
                safe = len(listening) == 1 or _clear_match(target, best, per_kind, per_port)
                fix = retarget_pass(ws, backend.directive, target, best, safe=safe)
                if not safe:  # no clear match: name the alternatives too (the fix takes the nearest)
                    others = list(islice((e for e in listening if e != best and e.kind == target.kind), 3))
                    if others:
                        message += " Other pools: " + ", ".join(f"{e} ('{listening[e].name}')" for e in others) + "."
                        rel += [related(listening[e].get("listen"), f"pool '{listening[e].name}' listens on {e}")
                                for e in others]
            yield report(backend.directive, message, rel, fix)


def _clear_match(target: Endpoint, best: Endpoint, per_kind: Counter, per_port: Counter) -> bool:
    """One pool is the clear match: the only one of the target's kind, or the only one on its port."""
    if per_kind[target.kind] == 1:
        return True
    return target.kind == "tcp" and per_port[target.port] == 1 and best.port == target.port
