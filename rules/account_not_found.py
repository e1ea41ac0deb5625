"""nginx `user` or a pool's user/group names an account missing from etc/passwd or etc/group.

## What it does
When the root holds `etc/passwd` (for users) or `etc/group` (for groups), checks that they know
nginx's `user NAME [GROUP]` (without GROUP, nginx uses the group named like the user) and each
pool's `user`, `group`, `listen.owner`, `listen.group`, `listen.acl_users` and
`listen.acl_groups`. Numeric ids are accepted as they are.

## Why is this bad?
Neither server starts (measured): nginx stops with `[emerg] getpwnam("nginx") failed` or
`getgrnam("nobody") failed` (`user nobody;` on Debian, which calls the group `nogroup`);
php-fpm with `ERROR: [pool www] cannot get uid for user 'nginx'`, which `php-fpm -t` reports
too. Every request then fails. Users from NSS sources other than the files (LDAP, sssd) are not
visible to gwlint: they would be flagged.

## Example
```nginx
user nginx;   # a Debian host: the account is www-data
```

## Use instead
```nginx
user www-data;
```

## Fix
None: creating the account or choosing another is a deployment decision.

## References
- https://nginx.org/en/docs/ngx_core_module.html#user
- https://www.php.net/manual/en/install.fpm.configuration.php (user, group, listen.owner)
"""

from collections.abc import Collection, Iterator

from gwlint.rule import Finding, Related, Severity, Workspace, acl_list, consequence, report

CODE = "GW323"
NAME = "account-not-found"
SEVERITY = Severity.ERROR

_POOL_KEYS = {"user": "user", "group": "group", "listen.owner": "user", "listen.group": "group",
              "listen.acl_users": "user", "listen.acl_groups": "group"}


def check(ws: Workspace) -> Iterator[Finding]:
    accounts = ws.accounts
    if accounts.passwd_path is None and accounts.group_path is None:
        return
    known: dict[str, tuple[Collection[str], str | None]] = {
        "user": (accounts.users, accounts.passwd_path), "group": (accounts.groups, accounts.group_path)}

    def missing(kind: str, name: str) -> Related | None:
        table, path = known[kind]
        if path is None or name.isdigit() or name in table:
            return None
        return Related(path, 1, f"no {kind} {name} in {path}")

    for instance in ws.nginx:
        directive = instance.user
        if directive is None or not directive.args:
            continue
        user, group = directive.args[0], directive.args[1] if len(directive.args) > 1 else directive.args[0]
        for kind, name, call in (("user", user, "getpwnam"), ("group", group, "getgrnam")):
            rel = missing(kind, name)
            if rel is not None:
                implied = "" if len(directive.args) > 1 or kind == "user" else (
                    " (with no group argument nginx uses the group named like the user)")
                yield report(directive, f"nginx user: {kind} '{name}' does not exist{implied}; nginx refuses "
                             f"to start: [emerg] {call}(\"{name}\") failed", [rel])
    for pool in ws.pools:
        for key, kind in _POOL_KEYS.items():
            setting = pool.get(key)
            if setting is None:
                continue
            for name in acl_list(setting.value) if key.startswith("listen.acl") else [setting.value]:
                rel = missing(kind, name)
                if rel is not None:
                    yield report(setting, f"pool '{pool.name}': {key} names {kind} '{name}', which does not "
                                 f"exist; php-fpm refuses to start: ERROR: [pool {pool.name}] cannot get "
                                 f"{'uid' if kind == 'user' else 'gid'} for {kind} '{name}', and "
                                 f"{consequence.FPM_DOWN}", [rel])
