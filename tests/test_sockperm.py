"""Table-driven tests of the socket permission computation and identities."""

from types import SimpleNamespace

import pytest

from gwlint.load.accounts import Accounts, Identity
from gwlint.model.sockperm import SocketPerms, parse_mode, socket_perms

ACCOUNTS = Accounts(
    users={"root": (0, 0), "www-data": (33, 33), "nobody": (65534, 65534), "alice": (1000, 1000)},
    groups={"root": (0, ()), "www-data": (33, ("alice",)), "nogroup": (65534, ()),
            "alice": (1000, ()), "web": (1001, ("nobody",))},
    passwd_path="etc/passwd", group_path="etc/group")


def ident(user, group=None):
    return ACCOUNTS.identity(user, group)


@pytest.mark.parametrize("perms, who, allowed, via", [
    (SocketPerms("root", "root", 0o660), ident("www-data"), False, "other"),
    (SocketPerms("root", "root", 0o666), ident("www-data"), True, "other"),
    (SocketPerms("www-data", "www-data", 0o660), ident("www-data"), True, "owner"),
    (SocketPerms("www-data", "www-data", 0o460), ident("www-data"), False, "owner"),  # owner bits decide
    (SocketPerms("root", "www-data", 0o660), ident("www-data"), True, "group"),
    (SocketPerms("root", "www-data", 0o606), ident("www-data"), False, "group"),  # group bits decide
    (SocketPerms("root", "web", 0o660), ident("nobody", "nogroup"), True, "group"),  # supplementary
    (SocketPerms("root", "www-data", 0o660), ident("alice"), True, "group"),  # supplementary
    (SocketPerms("www-data", "www-data", 0o660), ident("nobody", "nogroup"), False, "other"),
    (SocketPerms("root", "root", 0o660, acl_users=("www-data",)), ident("www-data"), True, "ACL user"),
    (SocketPerms("root", "root", 0o660, acl_groups=("web",)), ident("nobody"), True, "ACL group"),
    (SocketPerms("root", "root", 0o660, acl_groups=("web",)), ident("www-data"), False, "other"),
    (SocketPerms("www-data", "www-data", 0o000), ident("root"), True, "root"),
])
def test_who_may_connect(perms, who, allowed, via):
    assert perms.grant(who) == (allowed, via)


def pool(**settings):
    values = {k.replace("_", ".", 1): v for k, v in settings.items()}
    return SimpleNamespace(value=lambda key, default=None: values.get(key, default))


@pytest.mark.parametrize("settings, master, expected", [
    ({}, "root", "root:root 0660"),
    ({"listen_owner": "www-data"}, "root", "www-data:www-data 0660"),  # measured: owner's own group
    ({"listen_group": "www-data"}, "root", "root:www-data 0660"),  # measured
    ({"listen_owner": "33", "listen_group": "65534"}, "root", "www-data:nogroup 0660"),
    ({"listen_mode": "0666"}, "root", "root:root 0666"),
    ({"listen_mode": "0668"}, "root", "root:root 0066"),  # measured: strtoul stops at 8
    ({"listen_mode": "rw-rw----"}, "root", "root:root 0000"),  # measured
    ({"listen_owner": "nobody", "listen_acl_users": "www-data"}, "root",
     "root:root 0660, ACL users www-data"),  # measured: owner ignored with ACLs
    ({}, "www-data", "www-data:www-data 0660"),
])
def test_effective_socket(settings, master, expected):
    assert str(socket_perms(pool(**settings), ACCOUNTS, master)) == expected


@pytest.mark.parametrize("value, mode, valid", [
    ("0660", 0o660, True), ("660", 0o660, True), ("0666", 0o666, True),
    ("0668", 0o66, False), ("0o660", 0, False), ("rw-rw----", 0, False), ("", 0, False),
])
def test_parse_mode(value, mode, valid):
    assert parse_mode(value) == (mode, valid)


@pytest.mark.parametrize("accounts, user, group, expected", [
    (ACCOUNTS, "nobody", None, Identity("nobody", "nogroup", frozenset({"nogroup", "web"}), 65534)),
    (ACCOUNTS, "www-data", "www-data", Identity("www-data", "www-data", frozenset({"www-data"}), 33)),
    (ACCOUNTS, "alice", None, Identity("alice", "alice", frozenset({"alice", "www-data"}), 1000)),
    (Accounts(), "nginx", None, Identity("nginx", "nginx", frozenset({"nginx"}), None, True)),
    (Accounts(), "nginx", "web", Identity("nginx", "web", frozenset({"web"}), None, False)),
])
def test_identity(accounts, user, group, expected):
    assert accounts.identity(user, group) == expected
