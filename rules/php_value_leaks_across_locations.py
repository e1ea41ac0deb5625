r"""`fastcgi_param PHP_VALUE` in one location leaks into requests from other locations to the pool.

## What it does
For every PHP-FPM pool, looks at the nginx locations whose `fastcgi_pass` reaches it. When one
location sets a PHP setting per request (`fastcgi_param PHP_VALUE "k=v"` or `PHP_ADMIN_VALUE`,
in the location or inherited) and another location reaching the same pool does not set that
key, the finding names both.

## Why is this bad?
php-fpm does not restore the setting after the request: the worker keeps it, so the next
request it serves, from any location or virtual host, runs with the leaked value (measured with
PHP 8.2: after a request with `PHP_VALUE "max_execution_time=77"`, a plain request to the same
worker reports 77). Which value a request gets depends on which request that worker served
last: a `max_execution_time` or `memory_limit` meant for an admin upload page applies at random
to the public site, and a tight one can turn into sporadic 500s. PHP_VALUE also overrides the
pool's `php_admin_value` (measured), so admin values do not protect the other locations.

## Example
```nginx
location /admin/ { fastcgi_param PHP_VALUE "max_execution_time=600"; fastcgi_pass php; }
location ~ \.php$ { fastcgi_pass php; }
```

## Use instead
```ini
; a pool of its own for the admin pages
[admin]
php_admin_value[max_execution_time] = 600
```

## Fix
None

## References
- https://www.php.net/manual/en/install.fpm.configuration.php (php_value, php_admin_value)
- https://bugs.php.net/bug.php?id=51595
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, php_params, php_value, related, report

CODE = "GW342"
NAME = "php-value-leaks-across-locations"
SEVERITY = Severity.WARNING


def check(ws: Workspace) -> Iterator[Finding]:
    by_pool: dict[int, list] = {}
    for route, block, pool in ws.route_pools():
        if block is not None:
            by_pool.setdefault(id(pool), [pool, []])[1].append((route, block))
    for pool, routes in by_pool.values():
        keys = [(route, block, {k: v for p in php_params(block).values() for k, v in p.items()})
                for route, block in routes]
        for _route, _block, setting in keys:
            for key, (value, directive) in sorted(setting.items()):
                others = [other for other, _, other_keys in keys if key not in other_keys]
                if not others:
                    continue
                victim = others[0]
                normal = php_value(pool, key)
                rel = [related(victim.directive, f"this fastcgi_pass reaches pool '{pool.name}' without {key}")]
                yield report(directive, (
                    f"{directive.args[0]} sets {key}={value} per request, but pool '{pool.name}' keeps it in "
                    f"the worker: requests from {len(others)} other location(s) reaching the pool (first "
                    f"{victim.directive.where}) then run with {key}={value} instead of {normal}, depending on "
                    f"which request the worker served last"), rel)
