"""A pool runs as `user = root`: php-fpm refuses to start.

## What it does
Flags pools whose `user` is `root` or uid 0, unless the master is not root (php-fpm then
ignores `user`): `--fpm-master-user`, a unit's `User=`, a Dockerfile `USER`, or a pool of the same
php-fpm without `user` say so.

## Why is this bad?
`php-fpm -t` passes, but starting php-fpm fails with `ERROR: [pool www] please specify user and
group other than root` (exit 78, measured with php-fpm 8.2) unless it runs with
`-R`/`--allow-to-run-as-root`. With no php-fpm running, every PHP request gets **502 Bad
Gateway**. With `-R`, every PHP script runs as root.

## Example
```ini
[www]
user = root
```

## Use instead
```ini
[www]
user = www-data
group = www-data
```

## Fix
None: which unprivileged user should own the application's files is not gwlint's to choose.

## References
- https://www.php.net/manual/en/install.fpm.configuration.php (user)
- https://www.php.net/manual/en/install.fpm.php (-R, --allow-to-run-as-root)
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, report

CODE = "GW204"
NAME = "fpm-pool-user-root"
SEVERITY = Severity.ERROR


def check(ws: Workspace) -> Iterator[Finding]:
    for pool in ws.pools:
        user = pool.get("user")
        if user is not None and user.value in ("root", "0") and ws.fpm_master(pool.install).is_root:
            yield report(user, f"pool '{pool.name}' runs as root: php-fpm refuses to start (\"please specify "
                         "user and group other than root\") unless started with -R, and then every PHP "
                         "request is served as root; without it " + consequence.FPM_DOWN)
