"""nginx connects to a non-loopback address, but the PHP-FPM pool listens on loopback only.

## What it does
For every `fastcgi_pass` (directly, or through each `server` of an `upstream {}` block) whose TCP
target is not a loopback address (`php:9000`, `10.0.0.5:9000`), finds the pools on that port. When
every one of them listens only on `127.0.0.1`, `::1` or `localhost`, the target is unreachable.
Reported at the pool's `listen` (the side the fix changes), with each nginx line as related. A
name that the tree's `etc/hosts` maps to a loopback address counts as loopback.

## Why is this bad?
A socket bound to 127.0.0.1 accepts connections from the same network namespace only. nginx in
another container or host (the docker `php:9000` layout), or connecting through a real interface
address, reaches a port where nothing listens: every PHP request is a **502 Bad Gateway** with
error.log `connect() failed (111: Connection refused) while connecting to upstream`. `php-fpm -t`
and `nginx -t` both pass. It typically appears when a pool file written for a one-host setup is
copied into a `php:*-fpm` image, whose own `zz-docker.conf` says `listen = 9000`.

## Example
```ini
; php-fpm.d/www.conf                      nginx: fastcgi_pass php:9000;
listen = 127.0.0.1:9000
```

## Use instead
```ini
listen = 9000                ; every address; restrict with a firewall or listen.allowed_clients
```

## Fix
Sets the pool's last `listen` (in an override file that reopens the pool, that line) to the bare
port: every address, so loopback clients keep working. Safe when exactly one edit can be meant and
nothing else holds the port: no other pool (any address, any PHP install), nginx `listen`, systemd
unit, PM2 app, compose port or configured backend is on it (the pool's own compose service, the one
nginx names, aside), no other site (`server {}`) uses the pool, and when the site reaches other
pools too, this one is of their PHP version and runs as their user (else it may be a leftover the
site no longer means). Unsafe otherwise, and the message names the other listeners: measured with
php-fpm 8.2, `listen = 9000` (or `0.0.0.0:9000`, `[::]:9000`) beside a process on
`127.0.0.1:9000` logs `unable to bind listening socket for address '9000': Address already in use
(98)` and php-fpm refuses to start; started first, it makes nginx's `listen 127.0.0.1:9000` fail
(`bind() to 127.0.0.1:9000 failed (98: Address already in use)`); GW306 reports the tree it makes.
Either way the port is then open to the network: limit who may connect (network policy,
`listen.allowed_clients`).

## References
- https://www.php.net/manual/en/install.fpm.configuration.php (listen)
- https://github.com/docker-library/php/blob/master/8.2/bookworm/fpm/Dockerfile (zz-docker.conf)
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, is_ip, is_loopback_host, related, report, set_ini

CODE = "GW303"
NAME = "fpm-pool-loopback-only"
SEVERITY = Severity.ERROR


def check(ws: Workspace) -> Iterator[Finding]:
    seen: dict[int, list] = {}  # pool -> the (route, backend) pairs that cannot reach it
    local_names = ws.loopback_names()
    for route in ws.php_routes():
        for backend in route.live_backends:
            target = backend.endpoint
            if target is None or target.kind != "tcp" or is_loopback_host(target.host) \
                    or (target.host or "").lower() in local_names:
                continue
            if backend.pools and all(p.endpoint.is_loopback for p in backend.pools):
                for pool in backend.pools:
                    seen.setdefault(id(pool), [pool]).append((route, backend))
    sites, site_pools = ws.pool_sites(), ws.site_pools()
    for pool, *users in seen.values():
        route, backend = users[0]
        target = backend.endpoint
        where = "a non-loopback address" if is_ip(target.host) else "from another host or container"
        message = (f"pool '{pool.name}' listens only on {pool.listen}, but nginx connects to {target}, {where} "
                   f"({route.via(backend)}): every PHP request there gets {consequence.connect_failure(target)}")
        rel = [related(b.directive, f"nginx connects to {b.endpoint} here") for _, b in users]
        others = _other_listeners(ws, pool, target)
        if others:
            held = "; ".join(f"{what} ({at.path}:{at.line})" if at.path else what for what, at in others)
            message += (f". The fix is unsafe: {held}; a listen on every address of port {target.port} fails beside "
                        "another listener (98: Address already in use): php-fpm or the other server would not start")
            rel += [related(at, what) for what, at in others if at.path]
        fix = set_ini(ws, pool, "listen", str(target.port),
                      f"make pool '{pool.name}' listen on port {target.port} on every address (open to the network "
                      "then: restrict it with listen.allowed_clients or a firewall)",
                      safe=not others and _one_fit(ws, pool, route, sites, site_pools))
        yield report(pool.get("listen"), message, rel, fix)


def _other_listeners(ws, pool, target) -> list[tuple]:
    """(what, where) of each other listener the tree knows on the target's port: other pools, nginx
    listens, declared backends; not the pool's own compose container (Workspace.listeners_on)."""
    out: list[tuple] = [(f"pool '{p.name}' listens on {p.listen}", p.get("listen"))
                                  for p in ws.pools_at(target) if p is not pool]
    return out + [(d.label, d) for d in ws.listeners_on(target.port, reached_as=target.host)]


def _one_fit(ws, pool, route, sites, site_pools) -> bool:
    """Whether only one edit can be meant: one site uses `pool`, and the other pools that site
    reaches (if any) share its PHP version and user (other listeners on the port: _other_listeners)."""
    if len(sites.get(id(pool), ())) != 1:
        return False
    others = [p for p in site_pools.get(id(route.directive.ancestor("server")), []) if p is not pool]
    return not others or (pool.install.version in {p.install.version for p in others}
                          and pool.value("user") in {p.value("user") for p in others})
