"""The nginx worker user may not open the PHP-FPM pool's unix socket.

## What it does
For every pool a `fastcgi_pass unix:` reaches, computes the socket as php-fpm creates it:
owner `listen.owner` and group `listen.group`, both defaulting to the FPM master's user and
group, mode `listen.mode` (default 0660), and the rw
entries of `listen.acl_users`/`listen.acl_groups` (which make php-fpm ignore owner and group).
Then checks the nginx worker (`user NAME [GROUP];`, default `nobody`) may write it, with group
membership from `etc/passwd` and `etc/group` under the root (without them: only the worker's
own group is assumed, and the message says so); a worker account missing from those files is
left to GW323. When the socket's parent directories exist under the root, their real modes are
checked for search permission too. A pool that sets `user` but no `listen.owner` under a root
master is GW201's finding (one cause, one finding), not this one.

The master is root unless `--fpm-master-user` (config `fpm-master-user`), the php-fpm unit's
`User=` or the tree's Dockerfile `USER` name another user. A pool without `user` proves a master
that is not root (php-fpm refuses such a pool under root: `[pool www] user has not been
defined`, measured), as in containers run as `nobody`; when nothing names that user, the socket's
owner is unknown and the finding is a **warning** that says so.

## Why is this bad?
Both `nginx -t` and `php-fpm -t` pass, then every PHP request fails with **502 Bad Gateway**
and error.log says `connect() to unix:/run/php/php8.2-fpm.sock failed (13: Permission denied)
while connecting to upstream` (measured: root:root 0660 socket, nginx as www-data; and
www-data:www-data 0660 with nginx as `nobody nogroup`).

## Example
```ini
[www]
user = www-data
listen = /run/php/php8.2-fpm.sock
listen.owner = root        ; nginx runs as www-data
listen.group = root
```

## Use instead
```ini
listen.owner = www-data
listen.group = www-data
listen.mode = 0660
```

## Fix
Sets `listen.owner`/`listen.group` to the worker's user and group and `listen.mode = 0660`
(or adds the worker to `listen.acl_users` when the pool uses ACLs). Safe when only this nginx
uses the pool and the worker's group is known; unsafe otherwise. None for a parent directory,
for a group the tree's etc/group lacks (`nobody` is `nogroup` on Debian: php-fpm would refuse to
start), and under a master that is not root, except `listen.group` for a group the master is in:
such a master cannot give its socket to another user (measured: `failed to chown() the socket`,
php-fpm refuses to start).

## References
- https://www.php.net/manual/en/install.fpm.configuration.php (listen.owner, listen.mode, listen.acl_users)
- https://nginx.org/en/docs/ngx_core_module.html#user
"""

from collections.abc import Iterator

from gwlint.rule import (
    DEFAULT_MODE,
    OWNER_KEYS,
    Finding,
    Severity,
    Workspace,
    consequence,
    format_mode,
    owner_left_to_root_master,
    related,
    report,
    set_inis,
)

CODE = "GW320"
NAME = "nginx-cannot-open-fpm-socket"
SEVERITY = Severity.ERROR

_WHY = {"owner": "is the owner but the mode gives the owner no write",
        "group": "is in the group but the mode gives the group no write",
        "other": "is neither owner nor in the group, and the mode gives others no write"}


def check(ws: Workspace) -> Iterator[Finding]:
    clients = ws.socket_clients()
    if not clients:
        return
    accounts = ws.accounts
    for pool, users in clients.items():
        perms = ws.socket_perms(pool)
        instances = list(dict.fromkeys(instance for instance, _ in users))
        for instance in instances:
            worker = ws.worker(instance)
            if accounts.lacks(worker):
                continue  # nginx does not start at all: GW323
            route = next(r for i, r in users if i is instance)
            finding = _judge(ws, pool, perms, instance, route, worker, len(instances) == 1)
            if finding is not None:
                yield finding


def _judge(ws, pool, perms, instance, route, worker, only_user):
    """The finding for one nginx instance's worker and one pool's socket, or None."""
    path = pool.listen.path
    rel = [related(route.directive, f"nginx connects here as {worker}")]
    if instance.user is not None:
        rel.append(related(instance.user, "nginx worker user"))
    note = "" if ws.accounts.known else \
        f" (no etc/passwd and etc/group under the root: assuming {worker.user} is only in group {worker.group})"
    if len(ws.nginx) > 1:
        note += f" (nginx {instance.entry})"
    master = ws.fpm_master(pool.install)
    if master.user is None and not any(pool.value(k) for k in OWNER_KEYS):
        return _unknown_owner(pool, perms, worker, rel, note, master)
    allowed, who = perms.grant(worker)
    if not allowed and owner_left_to_root_master(pool, master.user):
        return None  # the missing listen.owner is the cause: GW201's finding
    if not allowed:
        rel += [related(pool.get(k), f"socket {k}") for k in _SOCKET_KEYS if pool.get(k)]
        message = (f"pool '{pool.name}' creates {path} as {perms}{_default_note(pool, master)}; the nginx "
                   f"worker {worker} {_WHY[who]}{note}; every PHP request gets {consequence.connect_denied(path)}")
        fix = _fix(ws, pool, perms, worker, only_user and not worker.guessed_group, master, ws.accounts)
        return report(pool.get("listen"), message, rel, fix)
    blocked = ws.blocked_parent(path, worker)
    if blocked is not None:
        message = (f"the nginx worker {worker} cannot search directory {blocked} on the way to "
                   f"pool '{pool.name}' socket {path}{note}; every PHP request gets {consequence.connect_denied(path)}")
        return report(pool.get("listen"), message, rel)
    return None


_SOCKET_KEYS = ("listen.owner", "listen.group", "listen.mode", "listen.acl_users", "listen.acl_groups")


def _default_note(pool, master) -> str:
    if any(pool.value(k) for k in OWNER_KEYS):
        return ""
    if not master.is_root:
        return f" (no listen.owner: the user php-fpm runs as, {master.user}: {master.why})"
    return f" (no listen.owner: the FPM master's user {master.user}, not the pool's user)"


def _unknown_owner(pool, perms, worker, rel, note, master):
    """A master that is not root and not named: the socket is its user's; a warning unless the
    mode lets everyone in."""
    if perms.mode & 0o002:
        return None
    path = pool.listen.path
    message = (f"{master.why}; its socket {path} belongs to that user and its group, mode "
               f"{format_mode(perms.mode)}: the nginx worker {worker}{note} can connect only as that user or a "
               f"member of its group, else every PHP request gets {consequence.connect_denied(path)}; the tree "
               f"does not say who runs php-fpm: set fpm-master-user (or --fpm-master-user) to check it")
    return report(pool.get("listen"), message, rel, at_most=Severity.WARNING)


def _fix(ws, pool, perms, worker, safe, master, accounts):
    """listen.owner/group for the worker; a master that is not root may only give its socket a
    group it belongs to (measured: chown() to another user fails with EPERM and php-fpm refuses to
    start), and no group the tree's etc/group lacks (Debian has `nogroup`, not `nobody`)."""
    if accounts.known and worker.group not in accounts.groups and not worker.group.isdigit():
        return None
    if perms.has_acl:
        if not master.is_root:
            return None  # not measured for a master that is not root
        users = ",".join((*perms.acl_users, worker.user))
        return set_inis(ws, pool, {"listen.acl_users": users},
                        f"add {worker.user} to listen.acl_users", safe)
    values = {"listen.owner": worker.user, "listen.group": worker.group}
    if not master.is_root:
        if worker.group not in accounts.identity(master.user).groups:
            return None
        values = {"listen.group": worker.group}
    if pool.value("listen.mode") is not None and perms.mode != DEFAULT_MODE:
        values["listen.mode"] = "0660"
    values = {k: v for k, v in values.items() if pool.value(k) != v}
    return set_inis(ws, pool, values, f"make the socket {worker.user}:{worker.group} 0660", safe)
