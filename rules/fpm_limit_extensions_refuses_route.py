"""A location sends scripts to a pool whose `security.limit_extensions` refuses them.

## What it does
For every regex location whose `fastcgi_pass` reaches a PHP-FPM pool and whose `SCRIPT_FILENAME`
ends in the request's script name (`$fastcgi_script_name`, `$uri`, `$request_filename`), finds
the script extensions the location's pattern accepts (`.php`, `.phtml`, `.php5`, `.html`, ...)
and flags those the pool's `security.limit_extensions` does not list. The pool's default is
`.php .phar` (fpm_conf.c; the list in Debian's www.conf comment is only an example); an empty
value turns the check off.

## Why is this bad?
php-fpm checks the script's extension before running it: a refused one gets **403 Forbidden**
with the body `Access denied.`, and php-fpm logs `Access to the script '...' has been denied (see
security.limit_extensions)` (nginx's error.log repeats it as `FastCGI sent in stderr`). Legacy
`.phtml` or `.php8` files, or a location copied from another stack, then fail while `.php` works.

## Example
```nginx
location ~ \\.(php|phtml)$ { include fastcgi.conf; fastcgi_pass unix:/run/php/php8.2-fpm.sock; }
```
with the pool's default `security.limit_extensions`.

## Use instead
```ini
security.limit_extensions = .php .phtml
```
or narrow the location to `\\.php$` if `.phtml` files are not meant to run.

## Fix
Adds the refused extensions to the pool's `security.limit_extensions` (unsafe: it widens what
php-fpm executes; narrowing the location may be what was meant).

## References
- https://www.php.net/manual/en/install.fpm.configuration.php (security.limit_extensions)
- https://github.com/php/php-src/blob/master/sapi/fpm/fpm/fpm_php.c (fpm_php_limit_extensions)
"""

from collections.abc import Iterator

from gwlint.rule import (
    DEFAULT_LIMIT_EXTENSIONS,
    Finding,
    Setting,
    Severity,
    Workspace,
    fastcgi_params,
    location_matches,
    param,
    related,
    report,
    set_ini,
)

CODE = "GW382"
NAME = "fpm-limit-extensions-refuses-route"
SEVERITY = Severity.WARNING

# extensions a PHP location is seen to accept in public configs
CANDIDATES = (".php", ".php3", ".php4", ".php5", ".php7", ".php8", ".phtml", ".phar", ".inc", ".html", ".htm")
# a script path ending in one (or in one and a newline) comes from the URI
_FROM_URI = ("$fastcgi_script_name", "$uri", "$request_filename")


def limit_extensions(pool) -> tuple[list[str] | None, Setting | None]:
    """The pool's allowed extensions (None: all) and the setting that says so (None: default)."""
    setting = pool.get("security.limit_extensions")
    if setting is None:
        return list(DEFAULT_LIMIT_EXTENSIONS), None
    items = setting.value.split()
    return (items or None), setting


def check(ws: Workspace) -> Iterator[Finding]:
    for route in ws.php_routes():
        location = route.directive.ancestor("location")
        if location is None or len(location.args) != 2 or location.args[0] not in ("~", "~*"):
            continue
        params, certain = fastcgi_params(route.block)
        script = param(params, "SCRIPT_FILENAME")
        if not certain or script is None or len(script.args) < 2 \
                or not script.args[1].removesuffix("\n").endswith(_FROM_URI):
            continue
        accepted = [ext for ext in CANDIDATES if location_matches(location, f"/index{ext}")]
        for pool in {id(p): p for b in route.backends for p in b.pools}.values():
            allowed, setting = limit_extensions(pool)
            if allowed is None:
                continue
            refused = [ext for ext in accepted if ext not in allowed]
            if not refused:
                continue
            said = f"security.limit_extensions = {setting.value}" if setting else \
                f"default security.limit_extensions ({' '.join(DEFAULT_LIMIT_EXTENSIONS)})"
            fix = set_ini(ws, pool, "security.limit_extensions", " ".join(allowed + refused),
                          f"allow {' '.join(refused)} in pool '{pool.name}'", safe=False)
            yield report(location,
                         f"location {' '.join(location.args)} sends {', '.join(refused)} scripts to pool "
                         f"'{pool.name}', whose {said} refuses them: those requests get 403 \"Access denied.\", "
                         "php-fpm log: Access to the script '...' has been denied (see security.limit_extensions)",
                         [related(setting or pool.header, f"pool '{pool.name}'")], fix)
