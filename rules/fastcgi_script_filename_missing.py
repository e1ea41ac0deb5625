"""A PHP route sends no `SCRIPT_FILENAME`, so php-fpm has no script to run.

## What it does
For every `fastcgi_pass` that reaches a PHP-FPM pool (or sits in a location whose pattern names
`php`), looks at the `fastcgi_param`s in effect there: the location's own, else the nearest
enclosing level's (nginx's array-like inheritance), including what `include` brings in. Flags the
route when params are in effect and none sets `SCRIPT_FILENAME`. Stays quiet when an include at
one of those levels could not be read (the params it would set are unknown; GW901 reports the
include), and on a bare `fastcgi_pass` with no params in scope at all (a sketch, not a deployed
config; not flagged).

## Why is this bad?
Debian's and the upstream `fastcgi_params` set `SCRIPT_NAME` and friends but no `SCRIPT_FILENAME`
(`fastcgi.conf` is the same file plus that line). With `include fastcgi_params;` alone, php-fpm
cannot find a script: every PHP request answers **404 Not Found** with the body `File not found.`, and
nginx's error.log says `FastCGI sent in stderr: "Primary script unknown"`. `nginx -t` and
`php-fpm -t` both pass.

## Example
```nginx
location ~ \\.php$ {
    include fastcgi_params;
    fastcgi_pass unix:/run/php/php8.2-fpm.sock;
}
```

## Use instead
```nginx
location ~ \\.php$ {
    include fastcgi_params;
    fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
    fastcgi_pass unix:/run/php/php8.2-fpm.sock;
}
```
or `include fastcgi.conf;` (or Debian's `snippets/fastcgi-php.conf`).

## Fix
Adds `fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;` as the location's first
directive when the location itself defines the params (an include or `fastcgi_param` lines in its
own block): safe, the one line `fastcgi.conf` adds. Params inherited from server or http are left
to the user (adding one at the location would drop the inherited ones).

## References
- https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_param
- https://github.com/php/php-src/blob/master/sapi/fpm/fpm/fpm_main.c (init_request_info)
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, fastcgi_params, insert_directive, param, report

CODE = "GW380"
NAME = "fastcgi-script-filename-missing"
SEVERITY = Severity.ERROR

SCRIPT_FILENAME = ["SCRIPT_FILENAME", "$document_root$fastcgi_script_name"]


def _is_php_route(route) -> bool:
    if any(b.pools for b in route.backends):
        return True
    location = route.directive.ancestor("location")
    return location is not None and "php" in " ".join(location.args).lower()


def check(ws: Workspace) -> Iterator[Finding]:
    for route in ws.php_routes():
        block = route.block
        if block is None or not _is_php_route(route):
            continue
        params, certain = fastcgi_params(block)
        if not certain or not params or param(params, "SCRIPT_FILENAME") is not None:
            continue
        where = f"the fastcgi_params in effect ({params[0].where}) set none"
        own = block.name == "location" and params and params[0].parent is block
        fix = insert_directive(ws, block, "fastcgi_param", SCRIPT_FILENAME,
                               "add fastcgi_param SCRIPT_FILENAME") if own else None
        yield report(route.directive,
                     f"fastcgi_pass {' '.join(route.directive.args)} sends no SCRIPT_FILENAME ({where}; "
                     "fastcgi_params, unlike fastcgi.conf, does not set it): php-fpm finds no script and every "
                     f"PHP request here gets {consequence.NO_SCRIPT}", fix=fix)
