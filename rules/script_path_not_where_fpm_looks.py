"""The script path nginx sends is not where php-fpm looks for the script.

## What it does
For every PHP route whose `SCRIPT_FILENAME` is built from `$document_root` (or is
`$request_filename`), works out the path php-fpm will open and flags it when:
- no `root` is in scope: `$document_root` is nginx's compiled default `html`, under its prefix
  (`/usr/share/nginx/html` on Debian and RHEL, `/etc/nginx/html` in the official image);
- `root` is relative: it too resolves against nginx's prefix, not the config's directory;
- a pool it reaches sets `chroot` and `root` lies under that chroot: php-fpm resolves the path
  inside the chroot, so `/var/www/site/index.php` under `chroot = /var/www` is opened as
  `/var/www/var/www/site/index.php` (unless the tree holds that directory);
- the tree holds the application but not the `root` directory: only on a tree laid out like `/`
  whose route reaches a pool of the tree (no chroot), when nothing is at the root's path (not even
  a dangling symlink, such as a deploy tool's `current`) and the nearest directory above it that
  the tree holds is at least two levels deep (`/var/www`, `/srv/app`; never `/`, `/var`, `/srv`)
  with a `.php` file within three levels (e.g. root `/var/www/app/public` where the tree holds
  `/var/www/app/index.php` but no `public/`). Config-only trees, which hold no `/var/www`, are
  never judged.
Locations with `alias` are skipped (`$document_root` means something else there).

## Why is this bad?
php-fpm finds no file at the path it is given: every PHP request gets **404 Not Found** with the body
`File not found.`, and nginx's error.log says `FastCGI sent in stderr: "Primary script
unknown"` (with a `try_files` check in the location, nginx answers 404 itself, before php-fpm).
Both `nginx -t` and `php-fpm -t` pass.

## Example
```nginx
server {
    listen 80;
    location ~ \\.php$ { include fastcgi.conf; fastcgi_pass unix:/run/php/php8.2-fpm.sock; }
}
```

## Use instead
```nginx
server {
    listen 80;
    root /var/www/html;
    location ~ \\.php$ { include fastcgi.conf; fastcgi_pass unix:/run/php/php8.2-fpm.sock; }
}
```
With `chroot = /var/www/site`, send the path as the chrooted process sees it:
`fastcgi_param SCRIPT_FILENAME /public$fastcgi_script_name;`. Point `root` at the directory that
holds the scripts (`root /var/www/app;`), or deploy the application where `root` says.

## Fix
None: where the application lives is not in the tree.

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#root
- https://www.php.net/manual/en/install.fpm.configuration.php (chroot)
"""

from collections.abc import Iterator
from pathlib import PurePosixPath

from gwlint.rule import Finding, Severity, Workspace, consequence, fastcgi_params, param, related, report

CODE = "GW381"
NAME = "script-path-not-where-fpm-looks"
SEVERITY = Severity.WARNING

CONSEQUENCE = f"every PHP request here gets {consequence.NO_SCRIPT}"
CHECKED = "every PHP request here gets nginx's 404 (try_files finds no script there)"


def _built_from_root(script) -> bool:
    value = script.args[1] if len(script.args) > 1 else ""
    return value.startswith("$document_root") or value == "$request_filename"


def _chroot_problem(ws, pool, root_path: str):
    chroot = pool.get("chroot")
    if chroot is None or "$" in chroot.value.replace("$pool", ""):
        return None
    base = chroot.value.replace("$pool", pool.name).rstrip("/")
    if not base.startswith("/") or not (root_path + "/").startswith(base + "/"):
        return None
    seen_inside = base + root_path
    if ws.tree_has_dir(seen_inside):
        return None  # the tree holds the application inside the chroot too: a deliberate layout
    return chroot, seen_inside


def check(ws: Workspace) -> Iterator[Finding]:
    seen = set()
    for route in ws.php_routes():
        block = route.block
        if block is None or id(block) in seen:
            continue
        seen.add(id(block))
        params, certain = fastcgi_params(block)
        script = param(params, "SCRIPT_FILENAME")
        if not certain or script is None or not _built_from_root(script) or block.inherited("alias"):
            continue
        root = block.inherited("root")
        rel = [related(script, "SCRIPT_FILENAME")]
        checked = any(d.name == "try_files" for d in block.walk())
        outcome = CHECKED if checked else CONSEQUENCE
        if root is None or not root.args:
            yield report(route.directive, "no root in scope, so $document_root is nginx's compiled default "
                         "<prefix>/html (/usr/share/nginx/html on Debian), where the scripts are looked for: "
                         + outcome, rel)
            continue
        value = root.args[0]
        if "$" in value:
            continue
        if not value.startswith("/"):
            yield report(root, f"root {value} is relative: nginx resolves it against its prefix "
                         f"(<prefix>/{value}), not this file's directory, and the script path php-fpm gets is "
                         "there: unless the application lives there, " + outcome, rel)
            continue
        root_path = str(PurePosixPath(value))
        pools = list({id(p): p for b in route.backends for p in b.pools}.values())
        for pool in pools:
            problem = _chroot_problem(ws, pool, root_path)
            if problem is not None:
                chroot, inside = problem
                yield report(script, f"pool '{pool.name}' runs in chroot {chroot.value}, so it opens "
                             f"{inside}/... for root {root_path}: " + CONSEQUENCE,
                             [related(chroot, f"pool '{pool.name}' chroot"), related(root, "root")])
                break
        else:
            if pools and not any(p.get("chroot") is not None for p in pools):
                missing = ws.missing_app_dir(root_path)
                if missing is not None:
                    yield report(root, f"root {root_path} does not exist in the tree, which holds the application "
                                 f"around it ({missing.ancestor}, e.g. {missing.sample}): the script paths php-fpm "
                                 "gets are under a missing directory, so " + outcome, rel)
