"""`fastcgi_pass` points at a socket or port on which no PHP-FPM pool listens.

## What it does
Resolves every `fastcgi_pass` (directly, or through each `server` of an `upstream {}` block) to
a unix socket or TCP port and checks that a PHP-FPM pool found in the tree listens there: one
finding per unreachable upstream server (servers marked `down` are never contacted: skipped).
Runs only when FPM configs were found. A target that is one variable whose every value is a
literal address (`set $php unix:...;`, a `map` of addresses; nothing else assigns it) is checked
per value, at the `set`/`map` line holding it; other targets with variables are skipped, not
guessed. A pool
on the right port that listens on loopback only while nginx connects to another address is
GW303's finding, not this one. A missing `backup` server is a warning, not an error: the site
serves while its primary servers are up (measured: 200), and fails only when they fail over.

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
Rewrites the target to the pool's endpoint when exactly one pool is the clear match (safe): the
only pool of the target's kind or on its port, or the only one that fits a renamed pool (of the
target's kind, used by no site, of the PHP version the target's path names, running as the user of
the pools this site already reaches); otherwise each candidate pool is offered as an unsafe fix.
None for a `backup` server: the tree works, only its failover does not, and which pool should
stand by is not a typo to correct.

## References
- https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_pass
- https://www.php.net/manual/en/install.fpm.configuration.php (listen)
"""

import re
from collections import Counter
from collections.abc import Iterator
from itertools import islice

from gwlint.rule import (
    ANY_ADDRESSES,
    LOOPBACK_NAMES,
    Endpoint,
    Finding,
    NearestEndpoint,
    Severity,
    Workspace,
    bound_address,
    consequence,
    is_ip,
    related,
    report,
    retarget_pass,
)

CODE = "GW301"
NAME = "fastcgi-pass-no-pool"
SEVERITY = Severity.ERROR


def _reachable(listen: Endpoint, target: Endpoint) -> bool:
    """Whether a pool listening at `listen` (its bound address) accepts a connection aimed at
    `target` (same port)."""
    if listen.kind == "unix" or listen.host in ANY_ADDRESSES or listen.host == target.host:
        return True
    if target.host in LOOPBACK_NAMES:
        return listen.is_loopback
    if listen.is_loopback and not target.is_loopback:
        return True  # there is a pool on that port, on loopback only: GW303 says why nginx cannot reach it
    return not is_ip(target.host)  # a service name: where it resolves is not ours to know


def _bound(ws, listen: Endpoint) -> tuple[Endpoint | None, str]:
    """The endpoint a pool really listens on: a host name (`localhost:9000`) is bound to the first
    address it resolves to (runtime.bound_address); None when the tree does not say which."""
    if listen.kind == "unix" or listen.host is None or listen.host in ANY_ADDRESSES or is_ip(listen.host):
        return listen, ""
    bound = bound_address(ws, listen.host)
    if bound.address is None:
        return None, bound.where
    return Endpoint("tcp", host=bound.address, port=listen.port), bound.where


def check(ws: Workspace) -> Iterator[Finding]:
    pools = ws.pools
    if not pools:
        return
    listening = {}  # where each pool really listens (a host name as the address it binds)
    named = {}  # those bound from a host name: how gwlint knows the address
    for pool in reversed(pools):
        if pool.listen is not None:
            bound, where = _bound(ws, pool.listen)
            listening[bound or pool.listen] = pool
            if bound is not None and bound != pool.listen:
                named[bound] = f"listen = {pool.listen} binds {bound.host}: {where}"
    used = ws.pool_sites()
    nearest = NearestEndpoint(list(listening))
    site_pools = ws.site_pools()
    per_kind = Counter(e.kind for e in listening)
    per_port = Counter(e.port for e in listening if e.kind == "tcp")
    for route in ws.php_routes():
        for backend in route.live_backends:
            target = backend.endpoint
            if target is None:
                continue
            placed = [(p, *_bound(ws, p.endpoint)) for p in backend.pools]
            if any(b is not None and _reachable(b, target) for _, b, _ in placed):
                continue
            uncertain = [(p, where) for p, b, where in placed if b is None]
            if uncertain:
                if target.is_loopback:
                    yield _uncertain(route, backend, target, *uncertain[0])
                continue
            via = route.via(backend)
            message = (f"{via}: no PHP-FPM pool listens on {target}; every PHP request here gets "
                       f"{consequence.connect_failure(target)}")
            if backend.backup:
                message = (f"{via}: no PHP-FPM pool listens on {target}; this backup server is a latent risk: "
                           f"the site serves while the primary servers are up, and when nginx fails over to it "
                           f"PHP requests get {consequence.connect_failure(target)}")
            rel, fix = [], None
            if route.upstream:
                rel.append(related(route.directive, "used by this fastcgi_pass"))
            mine = site_pools.get(id(route.directive.ancestor("server")), [])
            best = nearest(target, rank=lambda e, mine=mine: _preference(listening[e], used, mine))
            if best is not None and not backend.backup:
                pool = listening[best]
                setting = pool.get("listen")
                message += f"; did you mean {best} (pool '{pool.name}')?"
                rel.append(related(setting, named.get(best) or f"pool '{pool.name}' listens on {best}"))
                safe = (len(listening) == 1 or _clear_match(target, best, per_kind, per_port)
                        or _only_fit(listening, target, used, mine) is pool) \
                    and not _serves_another_site(used, pool, route)
                unresolved = best.kind == "tcp" and best.host not in ANY_ADDRESSES and not is_ip(best.host)
                # a host name the tree does not resolve: writing it would only trade this finding for GW103's
                fix = None if unresolved else retarget_pass(ws, backend.directive, target, best, safe=safe)
                if not safe:  # no clear match: name the alternatives too (the fix takes the nearest)
                    others = list(islice((e for e in listening if e != best and e.kind == target.kind), 3))
                    if others:
                        message += " Other pools: " + ", ".join(f"{e} ('{listening[e].name}')" for e in others) + "."
                        rel += [related(listening[e].get("listen"), f"pool '{listening[e].name}' listens on {e}")
                                for e in others]
            yield report(backend.directive, message, rel, fix,
                         at_most=Severity.WARNING if backend.backup else None)


def _only_fit(listening, target: Endpoint, used, mine):
    """The one pool that fits a renamed or moved pool, else None: of the target's kind, used by no
    site, of the PHP version the target's path names (php8.2-fpm.sock) when it names one, and
    running as the user of the pools this site already reaches when it reaches any."""
    m = re.search(_TARGET_VERSION, target.path or "") if target.kind == "unix" else None
    version = (int(m.group(1)), int(m.group(2))) if m else None
    users = {p.value("user") for p in mine}
    fits = [pool for e, pool in listening.items() if e.kind == target.kind and id(pool) not in used
            and (version is None or pool.install.version == version)
            and (not users or pool.value("user") in users)]
    return fits[0] if len(fits) == 1 else None


_TARGET_VERSION = r"php(\d)\.?(\d)"  # compiled on first use (re caches it): few passes miss


def _clear_match(target: Endpoint, best: Endpoint, per_kind: Counter, per_port: Counter) -> bool:
    """One pool is the clear match: the only one of the target's kind, or the only one on its port."""
    if per_kind[target.kind] == 1:
        return True
    return target.kind == "tcp" and per_port[target.port] == 1 and best.port == target.port


def _uncertain(route, backend, target, pool, where):
    """A pool on a host name whose address the tree does not settle: a warning, no fix."""
    via = route.via(backend)
    listen = pool.listen
    message = (f"{via}: pool '{pool.name}' listens on {listen}, which php-fpm binds to the first address "
               f"{listen.host} resolves to on its host: {target.host} where /etc/hosts lists only that, but ::1 "
               f"where it lists `::1 {listen.host}` (Debian's and Docker's default), and then every PHP request "
               f"here gets {consequence.connect_failure(target)}; {where}, so this works only on some hosts: write "
               f"listen = {target.host}:{listen.port} to make it certain")
    return report(backend.directive, message, [related(pool.get("listen"), f"pool '{pool.name}' listens on {listen}")],
                  at_most=Severity.WARNING)


def _serves_another_site(used, pool, route) -> bool:
    return bool(used.get(id(pool), set()) - {id(route.directive.ancestor("server"))})


def _preference(pool, used, site_pools) -> tuple:
    """Rank a candidate pool for a "did you mean": one no site uses (left over after a change)
    before one another site uses, then one running as the user of the pools this site already
    reaches."""
    users = {p.value("user") for p in site_pools}
    return (id(pool) not in used, bool(users) and pool.value("user") in users)
