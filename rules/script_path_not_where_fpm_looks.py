"""The script path nginx sends is not where php-fpm looks for the script.

## What it does
For every PHP route whose `SCRIPT_FILENAME` is built from `$document_root` (or is
`$request_filename`), works out the path php-fpm will open and flags it when:
- no `root` is in scope: `$document_root` is nginx's compiled default `html`, under its prefix
  (`/usr/share/nginx/html` on Debian and RHEL, `/etc/nginx/html` in the official image);
- `root` is relative: it too resolves against nginx's prefix, not the config's directory;
- a pool it reaches sets `chroot` and `root` lies under that chroot: php-fpm resolves the path
  inside the chroot, so `/var/www/site/index.php` under `chroot = /var/www` is opened as
  `/var/www/var/www/site/index.php` (unless the tree holds that directory); with `root` outside
  the chroot, php-fpm opens chroot + root too, flagged when the tree holds the chroot's
  application elsewhere (the rule for a missing directory below, applied to chroot + root);
- the tree holds the application but not the `root` directory: only on a tree laid out like `/`
  whose route reaches a pool of the tree (no chroot), when nothing is at the root's path (not even
  a dangling symlink, such as a deploy tool's `current`) and the nearest directory above it that
  the tree holds is at least two levels deep (`/var/www`, `/srv/app`; never `/`, `/var`, `/srv`)
  with a `.php` file within three levels (e.g. root `/var/www/app/public` where the tree holds
  `/var/www/app/index.php` but no `public/`). Config-only trees, which hold no `/var/www`, are
  never judged;
- in a compose tree (`docker-compose.yml`, `compose.yaml`..., with the `*.override.yml` beside it
  merged as compose does), nginx's service mounts the application at `root` and the route's PHP
  service mounts the same source at another path, or (a stock `php:*-fpm` image) not at all.
  nginx's service is the one whose volumes carry the tree's nginx config (else the one `nginx*`
  image); the PHP service is the one `fastcgi_pass` names by host (service name, alias,
  `container_name`, `links`), or for a unix socket the one sharing the socket's directory with
  nginx. Sources compare as compose resolves them: relative host paths against the compose
  file's directory, named volumes by name (or the directory they bind), `volumes_from` followed,
  short and long syntax alike.
  Unknown is not wrong: nothing is said when a service's volumes use `${VAR}` interpolation,
  `extends` or `volumes_from: container:...`, when another compose file beside it (merged with
  `-f`) sets them too, when nginx does not mount `root` or the PHP service mounts nothing at all
  (an image may hold the code), or when the PHP service mounts only part of the application or
  another source at or above `root`. When the PHP image is built or not a stock php-fpm image,
  the finding is **info**: that image may hold the application at `root`.
Locations with `alias` are skipped (`$document_root` means something else there).

## Why is this bad?
php-fpm finds no file at the path it is given: every PHP request gets **404 Not Found** with the body
`File not found.`, and nginx's error.log says `FastCGI sent in stderr: "Primary script
unknown"` (with a `try_files` check in the location, nginx answers 404 itself, before php-fpm).
Both `nginx -t` and `php-fpm -t` pass. In the compose case nginx's own container holds the file,
so `try_files` passes and php-fpm answers the 404; this was reproduced on one host with two file
systems (tests/realserver/test_script_rules.py: a pool `chroot` stands for the php container,
which has the script at `/var/www/index.php`, while nginx serves it from `/var/www/html`: 404 and
`Primary script unknown`, then 200 with the manual fix below).

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
In compose, mount the application at the same path in both services:
```yaml
services:
  nginx: {image: "nginx:1.27", volumes: ["./src:/var/www/html:ro"]}
  php: {image: "php:8.2-fpm", volumes: ["./src:/var/www/html"]}
```
or keep nginx's `root` (its static files and `try_files` need its own path) and send the path as
the php container sees it: `fastcgi_param SCRIPT_FILENAME /var/www$fastcgi_script_name;`.
Pointing nginx's `root` at the php container's path works only if nginx has the files there too.

## Fix
None: where the application lives is not in the tree, and in compose which side to move is the
user's choice (both fixes above are manual).

## References
- https://nginx.org/en/docs/http/ngx_http_core_module.html#root
- https://www.php.net/manual/en/install.fpm.configuration.php (chroot)
- https://docs.docker.com/reference/compose-file/services/#volumes
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, clean_path, consequence, fastcgi_params, param, related, report

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
    if not base.startswith("/"):
        return None
    seen_inside = base + root_path
    if not (root_path + "/").startswith(base + "/"):
        # root outside the chroot: wrong only where the tree holds the chroot's application elsewhere
        missing = ws.missing_app_dir(seen_inside)
        return (chroot, seen_inside, f", which the tree does not hold (it holds {missing.sample})") if missing else None
    if ws.tree_has_dir(seen_inside):
        return None  # the tree holds the application inside the chroot too: a deliberate layout
    return chroot, seen_inside, ""


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
        finding = _absolute_root(ws, route, script, root, clean_path(value), outcome)
        if finding is not None:
            yield finding


def _absolute_root(ws, route, script, root, root_path: str, outcome: str) -> Finding | None:
    """The finding for a route whose `root` is the absolute `root_path`: a pool chroot, a missing
    application directory, compose services mounting the application at different paths."""
    pools = list({id(p): p for b in route.backends for p in b.pools}.values())
    for pool in pools:
        problem = _chroot_problem(ws, pool, root_path)
        if problem is not None:
            chroot, inside, evidence = problem
            return report(script, f"pool '{pool.name}' runs in chroot {chroot.value}, so it opens "
                          f"{inside}/... for root {root_path}{evidence}: " + CONSEQUENCE,
                          [related(chroot, f"pool '{pool.name}' chroot"), related(root, "root")])
    missing = ws.missing_app_dir(root_path) if pools and all(p.get("chroot") is None for p in pools) else None
    if missing is not None:
        return report(root, f"root {root_path} does not exist in the tree, which holds the application "
                      f"around it ({missing.ancestor}, e.g. {missing.sample}): the script paths php-fpm "
                      "gets are under a missing directory, so " + outcome, [related(script, "SCRIPT_FILENAME")])
    mismatch = ws.mount_mismatch(route, root_path)
    return _mount_finding(root, mismatch) if mismatch is not None else None


def _mount_finding(root, m) -> Finding:
    """nginx's container holds the script (try_files passes); the PHP container has no file there."""
    mount, php = m.nginx_mount, m.php
    rel = [related(mount, f"service {m.nginx.name} mounts {mount.written} at {mount.target}")]
    said = f"root {m.docroot} is compose service {m.nginx.name}'s mount of {mount.written}, "
    if m.php_path is not None:
        rel += [related(x, f"service {php.name} mounts {x.written} at {x.target}") for x in m.php_mounts]
        said += (f"which service {php.name} has at {m.php_path}: php-fpm is sent {m.docroot}/<script>, "
                 "a path its container does not hold")
    else:
        rel.append(related(php, f"service {php.name}"))
        said += (f"which service {php.name} ({php.image}) does not mount: php-fpm's container holds no script "
                 f"under {m.docroot}")
    if not m.stock:
        said += f" (unless its image holds the application at {m.docroot}: it is not a stock php-fpm image)"
    return report(root, said + ", so " + CONSEQUENCE, rel, at_most=None if m.stock else Severity.INFO)
