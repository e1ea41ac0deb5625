"""A PHP location passes PATH_INFO without checking that the script exists.

## What it does
Flags a location with `fastcgi_split_path_info` and a `PATH_INFO` param taken from
`$fastcgi_path_info` that has no check that the script exists (`try_files $fastcgi_script_name
=404;`, `try_files $uri =404;`, or an `if (!-f ...)` block), when one of two hazards applies to a
pool it reaches:
- the pool lets php-fpm run uploaded files: `cgi.fix_pathinfo` on (PHP's default) and
  `security.limit_extensions` emptied or widened to `.jpg`, `.png`, `.html`, ..., so
  `/uploads/avatar.jpg/x.php` runs the uploaded image as PHP;
- the install's PHP is one that CVE-2019-11043 affects (before 7.1.33, 7.2.24, 7.3.11): this
  location shape is the one its remote code execution needs.

## Why is this bad?
php-fpm with `cgi.fix_pathinfo=1` walks a missing `SCRIPT_FILENAME` back to the longest existing
file, so a request for `/uploads/avatar.jpg/x.php` executes `avatar.jpg`; only
`security.limit_extensions` stops it, and an empty list does not. With the split regex and no
existence check, PHP-FPM before the 2019 fixes could be driven to write past a buffer by a URL
with `%0a` (CVE-2019-11043, exploited in the wild as "PHuiP-FPizdaM").

## Example
```nginx
location ~ [^/]\\.php(/|$) {
    fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
    fastcgi_param PATH_INFO $fastcgi_path_info;
    include fastcgi.conf;
    fastcgi_pass php:9000;
}
```

## Use instead
```nginx
location ~ [^/]\\.php(/|$) {
    fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
    try_files $fastcgi_script_name =404;
    set $path_info $fastcgi_path_info;
    fastcgi_param PATH_INFO $path_info;
    include fastcgi.conf;
    fastcgi_pass php:9000;
}
```
(Debian's `snippets/fastcgi-php.conf` does exactly this), and keep `security.limit_extensions`.

## Fix
None: `try_files` resets `$fastcgi_path_info`, so the check needs the `set $path_info` step too.

## References
- https://nvd.nist.gov/vuln/detail/CVE-2019-11043
- https://www.php.net/manual/en/ini.core.php#ini.cgi.fix-pathinfo
- https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_split_path_info
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, fastcgi_params, param, related, report

CODE = "GW383"
NAME = "path-info-without-script-check"
SEVERITY = Severity.WARNING

# the first release of each branch with the CVE-2019-11043 fix; older branches never got one
CVE_2019_11043_FIXED = {(7, 1): "7.1.33", (7, 2): "7.2.24", (7, 3): "7.3.11"}


# what users upload: executable once security.limit_extensions lists it
UPLOAD_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".txt", ".html", ".htm", ".pdf"}


def _checks_script(block) -> bool:
    for d in block.walk():
        if d.name == "try_files" and any(a in ("$fastcgi_script_name", "$uri") or a.endswith("$fastcgi_script_name")
                                         for a in d.args[:-1]):
            return True
        if d.name == "if" and any(a in ("-f", "!-f", "-e", "!-e") for a in d.args):
            return True
    return False


def _fix_pathinfo_on(pool) -> bool:
    setting = pool.php_ini("cgi.fix_pathinfo")
    return setting is None or setting.value.strip().lower() not in ("0", "off", "false", "no", "none", "")


def _hazard(pool) -> tuple[str, object] | None:
    """Why this pool makes the shape dangerous, and the setting (or header) to point at."""
    limit = pool.get("security.limit_extensions")
    if limit is not None and _fix_pathinfo_on(pool):
        listed = limit.value.split()
        media = [ext for ext in listed if ext.lower() in UPLOAD_EXTENSIONS]
        if not listed or media:
            what = "empty" if not listed else f"listing {' '.join(media)}"
            return (f"with cgi.fix_pathinfo on and security.limit_extensions {what}, php-fpm runs the file the "
                    "path walks back to: /uploads/avatar.jpg/x.php executes the uploaded image", limit)
    version = pool.install.version
    if version is not None and (version < (7, 1) or version in CVE_2019_11043_FIXED):
        fixed = CVE_2019_11043_FIXED.get(version)
        php = f"PHP {version[0]}.{version[1]}"
        when = f"{php} before {fixed}" if fixed else f"{php} (no fix released)"
        return (f"this is the shape CVE-2019-11043 (remote code execution) needs, and {when} is affected", pool.header)
    return None


def check(ws: Workspace) -> Iterator[Finding]:
    seen = set()
    for route in ws.php_routes():
        block = route.block
        if block is None or id(block) in seen:
            continue
        seen.add(id(block))
        split = block.inherited("fastcgi_split_path_info")
        params, _ = fastcgi_params(block)
        path_info = param(params, "PATH_INFO")
        if split is None or path_info is None or "$fastcgi_path_info" not in " ".join(path_info.args[1:]):
            continue
        if _checks_script(block):
            continue
        for pool in {id(p): p for b in route.backends for p in b.pools}.values():
            hazard = _hazard(pool)
            if hazard is not None:
                why, at = hazard
                yield report(split, f"fastcgi_split_path_info with PATH_INFO and no check that the script exists "
                                    f"(try_files $fastcgi_script_name =404;): {why} (pool '{pool.name}')",
                             [related(at, f"pool '{pool.name}'"), related(path_info, "PATH_INFO")])
                break
