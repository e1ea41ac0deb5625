"""A `*_pass` names an upstream that does not exist: a typo of a defined `upstream {}` name.

## What it does
For every `proxy_pass`, `fastcgi_pass`, `uwsgi_pass`, `scgi_pass` and `grpc_pass` without
variables whose target is a bare name (no port, no dot, not an IP, not `localhost`) that no
`upstream {}` block of the same nginx defines, looks for a defined upstream with a close name
(`backnd` for `backend`, `php_fpm` for `php-fpm`; similarity >= 0.8). Names with no close upstream
are left alone: a single-label name may be a docker service (`app` next to an upstream `api`).

## Why is this bad?
A name that is not an upstream is a host name to nginx, resolved once at start-up. nginx refuses
to start or reload (a reload keeps the old config running, so the change silently never ships):
`proxy_pass http://backnd` gives `[emerg] host not found in upstream "backnd"` and
`fastcgi_pass php_fpm` `[emerg] no port in upstream "php_fpm"` (both measured, nginx 1.22). If a
`proxy_pass` name does resolve (a search domain, a container of that name), requests go to the
wrong backend. Either way the intended upstream block sits unused. `nginx -t` reports it only on
a machine whose DNS fails the name, which is why configs for other networks skip it.

## Example
```nginx
upstream backend { server 127.0.0.1:8080; }
location / { proxy_pass http://backnd; }
```

## Use instead
```nginx
location / { proxy_pass http://backend; }
```

With variables (`fastcgi_pass $backend;`), nginx looks the value up per request: a value that
is no upstream and has no port (and no scheme to give one) is a **500 Internal Server Error**,
error.log `no port in upstream "php_fpm"` (measured, nginx 1.22). Each such value the tree's `set`
and `map` lines can give is flagged at the `*_pass`, with the line giving it.

## Fix
Unsafe: renames the target to the closest upstream name (the name could be a real host). None for
a value from a variable.

## References
- https://nginx.org/en/docs/http/ngx_http_upstream_module.html#upstream
- https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
"""

import re
from collections.abc import Iterator

from gwlint.rule import LOOPBACK_NAMES, Finding, Severity, Workspace, is_ip, related, report, set_args

CODE = "GW101"
NAME = "pass-to-unknown-upstream"
SEVERITY = Severity.ERROR


def check(ws: Workspace) -> Iterator[Finding]:
    yield from _variable_values(ws)
    for instance in ws.nginx:
        names = list(instance.upstreams)
        if not names:
            continue
        for route in instance.routes:
            target = route.target
            if (target is None or route.upstream is not None or target.path is not None or target.port is not None
                    or not target.host or "." in target.host or is_ip(target.host) or target.host in LOOPBACK_NAMES):
                continue
            guess = _normalised_match(target.host, names) or _close_name(target.host, names)
            if guess is None:
                continue
            upstream = instance.upstreams[guess]
            if target.scheme:  # a scheme gives a default port: nginx looks the name up in DNS
                emerg = (f'[emerg] host not found in upstream "{target.host}" (or, if the name resolves, requests '
                         f'go to that host)')
            else:
                emerg = f'[emerg] no port in upstream "{target.host}"'
            message = (f'{route.kind} {route.directive.args[0]}: no upstream "{target.host}" is defined, so nginx '
                       f'takes it for a host name: nginx refuses to start or reload, {emerg}; did you mean upstream '
                       f'"{guess}"?')
            arg = route.directive.args[0]
            pattern = rf"^((?:[a-z]+://)?){re.escape(target.host)}(?=/|$)"
            new = re.sub(pattern, lambda m: m.group(1) + guess, arg)  # noqa: B023 (called at once)
            fix = set_args(ws, route.directive, [new, *route.directive.args[1:]],
                           f'use upstream "{guess}"', safe=False) if new != arg else None
            yield report(route.directive, message, [related(upstream, f'upstream "{guess}" is defined here')], fix)


def _close_name(host: str, names: list[str]) -> str | None:
    """A typo-close upstream name; stricter than a generic suggestion, since `app` next to an
    upstream `api` is more likely a docker service than a typo."""
    import difflib  # only when a *_pass names no upstream: difflib is 10 ms of start-up

    matches = difflib.get_close_matches(host, names, n=1, cutoff=0.8)
    return matches[0] if matches else None


def _normalised_match(host: str, names: list[str]) -> str | None:
    """`php_fpm` for `php-fpm`, `Backend` for `backend`: the same name up to case and - / _."""
    key = host.lower().replace("_", "-")
    return next((n for n in names if n.lower().replace("_", "-") == key), None)


def _variable_values(ws):
    """`*_pass` arguments with variables whose value is a bare name: 500, no port in upstream."""
    for instance in ws.nginx:
        for route in instance.routes:
            bad = next((o for o in route.outcomes or () if o.kind == "no-port"), None)
            if bad is not None:
                yield _no_port(instance, route, bad)


def _no_port(instance, route, bad):
    names = list(instance.upstreams)
    message = (f'{route.kind} {route.directive.args[0]}: the value "{bad.host}" names no upstream and has no '
               f'port: every request here gets 500 Internal Server Error, error.log: no port in upstream '
               f'"{bad.host}"')
    guess = _normalised_match(bad.host, names) or _close_name(bad.host, names)
    if guess is not None:
        message += f'; did you mean upstream "{guess}"?'
    return report(route.directive, message, [related(s, f'"{bad.host}" comes from here') for s in bad.sources[-1:]])
