"""A pool's unix socket as php-fpm creates it (owner, group, mode, ACL) and who may connect.

Measured with php-fpm 8.2 started as root: no listen.owner/group gives the master's user and
group (root:root), not the pool's; listen.owner alone also sets the group to the owner's own
group; listen.mode is read like strtoul(value, 8) (`0668` gives 066, `rw-rw----` gives 0);
listen.acl_users/acl_groups grant those users and groups rw and make php-fpm ignore
listen.owner/group ("ACL set, listen.owner = '...' is ignored"). Connecting needs write
permission on the socket and search permission on every parent directory.
"""

import re

from gwlint.load.accounts import Accounts, Identity
from gwlint.load.fsroot import parts_below
from gwlint.records import Record

DEFAULT_MODE = 0o660
_OCTAL = re.compile(r"[0-7]{1,4}")
_LEADING_OCTAL = re.compile(r"\s*[+]?([0-7]*)")


def parse_mode(value: str) -> tuple[int, bool]:
    """The mode php-fpm applies for a listen.mode value, and whether the value is a valid mode."""
    valid = bool(_OCTAL.fullmatch(value))
    leading = _LEADING_OCTAL.match(value)  # matches every string, maybe empty
    digits = leading.group(1) if leading else ""
    return (int(digits, 8) if digits else 0), valid


def format_mode(mode: int) -> str:
    return f"0{mode:03o}"


def acl_list(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


class SocketPerms(Record):
    """Who owns a pool's socket and with which mode; ACL entries grant read-write."""

    __slots__ = ("acl_groups", "acl_users", "group", "mode", "owner")

    def __init__(self, owner: str, group: str, mode: int, acl_users: tuple[str, ...] = (),
                 acl_groups: tuple[str, ...] = ()) -> None:
        self.owner = owner
        self.group = group
        self.mode = mode
        self.acl_users = acl_users
        self.acl_groups = acl_groups

    @property
    def has_acl(self) -> bool:
        return bool(self.acl_users or self.acl_groups)

    def __str__(self) -> str:
        text = f"{self.owner}:{self.group} {format_mode(self.mode)}"
        if self.acl_users:
            text += f", ACL users {','.join(self.acl_users)}"
        if self.acl_groups:
            text += f", ACL groups {','.join(self.acl_groups)}"
        return text

    def grant(self, who: Identity) -> tuple[bool, str]:
        """Whether `who` may write the socket (connect), and the permission class that decides."""
        return access(who, self.owner, self.group, self.mode, 0o2, self.acl_users, self.acl_groups)


def access(who: Identity, owner: str, group: str, mode: int, bit: int,
           acl_users=(), acl_groups=()) -> tuple[bool, str]:
    """POSIX permission check of `bit` (2 write, 1 search) for `who`; ACL entries grant rw."""
    if who.is_root:
        return True, "root"
    if who.user == owner:
        return bool(mode & (bit << 6)), "owner"
    if who.user in acl_users:
        return True, "ACL user"
    if who.groups & set(acl_groups):
        return True, "ACL group"
    if group in who.groups:
        return bool(mode & (bit << 3)), "group"
    return bool(mode & bit), "other"


def socket_perms(pool, accounts: Accounts, master_user: str) -> SocketPerms:
    """The effective owner, group, mode and ACL of the socket `pool` creates."""
    mode_value = pool.value("listen.mode")
    mode = parse_mode(mode_value)[0] if mode_value else DEFAULT_MODE
    acl_users = acl_list(pool.value("listen.acl_users"))
    acl_groups = acl_list(pool.value("listen.acl_groups"))
    master = accounts.user_name(master_user)
    owner, group = master, accounts.primary_group(master)[0]
    if not (acl_users or acl_groups):
        if pool.value("listen.owner"):
            owner = accounts.user_name(pool.value("listen.owner"))
            group = accounts.primary_group(owner)[0]
        if pool.value("listen.group"):
            group = accounts.group_name(pool.value("listen.group"))
    return SocketPerms(owner, group, mode, acl_users, acl_groups)


OWNER_KEYS = ("listen.owner", "listen.acl_users", "listen.acl_groups")


def owner_left_to_root_master(pool, master_user: str | None) -> bool:
    """The pool sets `user` but nothing that owns its socket, under a root master: the socket is
    root's, not the pool user's (GW201's cause; GW320 reports no second finding for it)."""
    listen = pool.listen
    return (master_user == "root" and listen is not None and listen.kind == "unix"
            and pool.get("user") is not None and not any(pool.value(k) for k in OWNER_KEYS))


class BlockedDir(Record):
    """A parent directory of a socket that the worker cannot search."""

    __slots__ = ("group", "mode", "owner", "path")

    def __init__(self, path: str, owner: str, group: str, mode: int) -> None:
        self.path = path
        self.owner = owner
        self.group = group
        self.mode = mode

    def __str__(self) -> str:
        return f"{self.path} ({self.owner}:{self.group} {format_mode(self.mode)})"


def blocked_parent(root, socket_path: str, who: Identity, accounts: Accounts) -> BlockedDir | None:
    """The first parent directory of `socket_path` present under the root that `who` cannot
    search (x), judged by its real mode and owner there; None when all present ones allow it."""
    parts = (parts_below(socket_path, "/") or [])[:-1]  # its directories, from the top
    for depth in range(1, len(parts) + 1):
        st = root.stat_dir("/".join(parts[:depth]))
        if st is None:
            return None
        owner = accounts.user_name(str(st.st_uid))
        group = accounts.group_name(st.st_gid)
        mode = st.st_mode & 0o7777
        if not access(who, owner, group, mode, 0o1)[0]:
            return BlockedDir("/" + "/".join(parts[:depth]), owner, group, mode)
    return None
