"""A pool's unix socket is writable by every local account (`listen.mode` grants o+w).

## What it does
Flags a unix-socket pool whose effective `listen.mode` gives others write permission (0666,
0777, ...).

## Why is this bad?
Whoever can write the socket can speak FastCGI to the pool and run any PHP file as the pool's
user, with its php_admin_value settings bypassed (`PHP_VALUE`/`PHP_ADMIN_VALUE` params). Any
local account, or any compromised service on the host, gains the web application's identity.
A world-writable mode usually papers over an owner/group mismatch with the web server.

## Example
```ini
listen.owner = www-data
listen.group = www-data
listen.mode = 0666
```

## Use instead
```ini
listen.mode = 0660
```

## Fix
Clears the "other" bits (0666 -> 0660); none for a mode that is not octal (GW202). Safe when every nginx in the tree
that uses the pool may still connect afterwards (computed from owner, group and `etc/passwd`/`etc/group`); unsafe
otherwise, including when no nginx in the tree uses the pool. Then fix owner/group as GW320
suggests.

## References
- https://www.php.net/manual/en/install.fpm.configuration.php (listen.mode)
- https://nginx.org/en/docs/ngx_core_module.html#user
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, format_mode, parse_mode, related, report, set_ini

CODE = "GW203"
NAME = "fpm-socket-world-writable"
SEVERITY = Severity.WARNING


def check(ws: Workspace) -> Iterator[Finding]:
    clients = None
    for pool in ws.pools:
        setting = pool.get("listen.mode")
        if setting is None or pool.listen is None or pool.listen.kind != "unix":
            continue
        if clients is None:
            clients = ws.socket_clients()
        master = ws.fpm_master(pool.install)
        perms = ws.socket_perms(pool)
        if not perms.mode & 0o002:
            continue
        shown = f" ({perms})" if master.user or pool.value("listen.owner") else ""
        tighter = perms.replace(mode=perms.mode & ~0o007)
        workers = [ws.worker(instance)
                   for instance in dict.fromkeys(instance for instance, _ in clients.get(pool, []))]
        safe = bool(workers) and ws.accounts.known and all(tighter.grant(w)[0] for w in workers)
        message = (f"pool '{pool.name}': listen.mode = {setting.value} lets every local account write "
                   f"{pool.listen.path}{shown} and so run PHP as {_runs_as(pool, master)}")
        fix = None
        if parse_mode(setting.value)[1]:  # an invalid value is GW202's to fix
            fix = set_ini(ws, pool, "listen.mode", format_mode(tighter.mode),
                          f"set listen.mode = {format_mode(tighter.mode)}", safe)
        yield report(setting, message, [related(pool.get("listen"), "the socket")], fix)


def _runs_as(pool, master) -> str:
    """Who the pool's PHP runs as: its `user` under a root master, else the master's user."""
    if master.is_root and pool.value("user"):
        return f"the pool's user {pool.value('user')}"
    return f"the user php-fpm runs as, {master.user}" if master.user else "the (non-root) user php-fpm runs as"
