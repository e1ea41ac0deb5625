"""Users and groups under the root (etc/passwd, etc/group), and who the nginx worker runs as."""

from gwlint.records import Record


class Identity(Record):
    """A process's user, its group (the gid) and every group it belongs to."""

    __slots__ = ("group", "groups", "guessed_group", "uid", "user")

    def __init__(self, user: str, group: str, groups: frozenset[str], uid: int | None = None,
                 guessed_group: bool = False) -> None:
        self.user = user
        self.group = group
        self.groups = groups
        self.uid = uid
        self.guessed_group = guessed_group  # the group is a guess: no etc/passwd to read the user's gid from

    @property
    def is_root(self) -> bool:
        return self.user == "root" or self.uid == 0

    def __str__(self) -> str:
        extra = sorted(self.groups - {self.group})
        return f"{self.user}:{self.group}" + (f" (also in {', '.join(extra)})" if extra else "")


class Accounts(Record):
    """The passwd and group databases of the root; empty (and unknown) when the files are absent."""

    __slots__ = ("group_path", "groups", "passwd_path", "users")

    def __init__(self, users: dict[str, tuple[int, int]] | None = None,
                 groups: dict[str, tuple[int, tuple[str, ...]]] | None = None, passwd_path: str | None = None,
                 group_path: str | None = None) -> None:
        self.users = {} if users is None else users  # name -> (uid, gid)
        self.groups = {} if groups is None else groups  # name -> (gid, members)
        self.passwd_path = passwd_path  # root-relative, when read
        self.group_path = group_path

    @property
    def known(self) -> bool:
        """True when both etc/passwd and etc/group were read: membership is facts, not guesses."""
        return self.passwd_path is not None and self.group_path is not None

    def lacks(self, who: Identity) -> bool:
        """True when etc/passwd or etc/group is present and lacks `who`'s user or group."""
        return (self.passwd_path is not None and who.user not in self.users and not who.user.isdigit()) or \
            (self.group_path is not None and who.group not in self.groups and not who.group.isdigit())

    def user_name(self, value: str) -> str:
        """A user name for a name or a numeric uid (the number itself when unknown)."""
        if value.isdigit():
            return next((n for n, (uid, _) in self.users.items() if uid == int(value)), value)
        return value

    def group_name(self, value: str | int) -> str:
        """A group name for a name or a numeric gid (the number itself when unknown)."""
        text = str(value)
        if text.isdigit():
            return next((n for n, (gid, _) in self.groups.items() if gid == int(text)), text)
        return text

    def primary_group(self, user: str) -> tuple[str, bool]:
        """The user's group from etc/passwd, and whether it is a guess (a same-named group)."""
        entry = self.users.get(user)
        if entry is None:
            return user, True
        return self.group_name(entry[1]), False

    def identity(self, user: str, group: str | None = None) -> Identity:
        """Who a process started as `user` (with `group`, else the user's own) runs as.

        Supplementary groups are those of etc/group that list the user (initgroups()); without
        etc/group the process is assumed to be in its own group only.
        """
        user = self.user_name(user)
        guessed = False
        if group is None:
            group, guessed = self.primary_group(user)
        else:
            group = self.group_name(group)
        members = {name for name, (_, names) in self.groups.items() if user in names}
        uid = self.users[user][0] if user in self.users else None
        return Identity(user, group, frozenset({group} | members), uid, guessed)


def load_accounts(root) -> Accounts:
    """Read ROOT/etc/passwd and ROOT/etc/group when present (unreadable files count as absent)."""
    accounts = Accounts()
    passwd = root.read_optional("etc/passwd")
    if passwd is not None:
        accounts.passwd_path = "etc/passwd"
        for fields in _records(passwd):
            if len(fields) >= 4 and fields[2].isdigit() and fields[3].isdigit():
                accounts.users.setdefault(fields[0], (int(fields[2]), int(fields[3])))
    group = root.read_optional("etc/group")
    if group is not None:
        accounts.group_path = "etc/group"
        for fields in _records(group):
            if len(fields) >= 3 and fields[2].isdigit():
                members = tuple(m for m in (fields[3].split(",") if len(fields) > 3 else ()) if m)
                accounts.groups.setdefault(fields[0], (int(fields[2]), members))
    return accounts


def _records(text: str):
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "+", "-")):
            yield line.split(":")
