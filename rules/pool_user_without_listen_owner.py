"""A pool sets `user` but not `listen.owner`: its socket belongs to the FPM master's user.

## What it does
Flags pools listening on a unix socket that set `user` but neither `listen.owner` nor
`listen.acl_users`/`listen.acl_groups`, even when the pool's user is the nginx user. Skipped
when the master is not root (php-fpm then ignores `user`): `--fpm-master-user`, a unit's `User=`,
a Dockerfile `USER`, or a pool of the same php-fpm without `user` (which php-fpm refuses under
root) say so.

## Why is this bad?
`user` is who PHP runs as, not who owns the socket. Without `listen.owner`/`listen.group` the
socket belongs to the user and group of the FPM master, root:root with mode 0660 in most
installs (measured), so any web server not running as root gets **502 Bad Gateway** with
`connect() to unix:... failed (13: Permission denied) while connecting to upstream`.
Debian's stock www.conf avoids this only because it sets `listen.owner`/`listen.group`.

## Example
```ini
[www]
user = www-data
group = www-data
listen = /run/php/php8.2-fpm.sock
```

## Use instead
```ini
listen.owner = www-data
listen.group = www-data
```

## Fix
Adds `listen.owner`/`listen.group` for the nginx worker that uses the pool (safe when exactly
one nginx in the tree uses it and its group is known); with no such nginx, the pool's own
`user`/`group` (unsafe: the web server's identity is not known).

## References
- https://www.php.net/manual/en/install.fpm.configuration.php
  (listen.owner: "Default is the user running the master process")
"""

from collections.abc import Iterator

from gwlint.rule import Finding, Severity, Workspace, consequence, owner_left_to_root_master, related, report, set_inis

CODE = "GW201"
NAME = "pool-user-without-listen-owner"
SEVERITY = Severity.ERROR

def check(ws: Workspace) -> Iterator[Finding]:
    clients = None
    for pool in ws.pools:
        # a non-root master ignores `user`: the pool runs as the master, which owns the socket
        master = ws.fpm_master(pool.install)
        if not owner_left_to_root_master(pool, master.user):
            continue
        listen, user = pool.listen, pool.get("user")
        if listen is None or listen.path is None or user is None:  # (owner_left_to_root_master says not)
            continue
        if clients is None:
            clients = ws.socket_clients()
        perms = ws.socket_perms(pool)
        who = "root" if not pool.value("listen.group") else f"root and group {perms.group}"
        message = (f"pool '{pool.name}' sets user = {user.value} but no listen.owner: its socket {listen.path} "
                   f"is created as {perms} (the FPM master's user), not {user.value}'s; a client other than "
                   f"{who} gets {consequence.connect_denied(listen.path)}")
        yield report(user, message, [related(pool.get("listen"), "the socket")],
                     _fix(ws, pool, clients.get(pool, [])))


def _fix(ws, pool, users):
    instances = list(dict.fromkeys(instance for instance, _ in users))
    if len(instances) == 1:
        worker = ws.worker(instances[0])
        if ws.accounts.lacks(worker):
            return None
        owner, group, safe = worker.user, worker.group, not worker.guessed_group
    else:
        owner = pool.value("user")
        group, guessed = (pool.value("group"), False) if pool.value("group") else ws.accounts.primary_group(owner)
        safe = False
        if guessed:  # no etc/passwd: php-fpm gives the socket listen.owner's own group (`nobody`'s is `nogroup`)
            group = None
    values = {"listen.owner": owner}
    if not pool.value("listen.group") and group is not None:
        if ws.accounts.known and group not in ws.accounts.groups and not group.isdigit():
            return None  # a group the tree's etc/group lacks: php-fpm would refuse to start
        values["listen.group"] = group
    return set_inis(ws, pool, values, f"set listen.owner = {owner}" +
                    (f", listen.group = {group}" if "listen.group" in values else ""), safe)
