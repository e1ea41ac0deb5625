"""Paths the running system makes equal, so that a socket reached through an alias is one socket.

Measured on Debian 12 (nginx 1.22, php-fpm 8.2):
- `/var/run` is a symlink to `/run` on every systemd distro (and in the Debian and Alpine
  container images): `unix:/var/run/php/php8.2-fpm.sock` is `unix:/run/php/php8.2-fpm.sock`.
- Debian's `php*-fpm.service` runs, after start,
  `ExecStartPost=-/usr/lib/php/php-fpm-socket-helper install /run/php/php-fpm.sock
  /etc/php/8.2/fpm/pool.d/www.conf 82`. The helper reads the literal `listen = ...` line of that
  file (`sed -n 's/^listen[[:space:]]*=[[:space:]]*\\([^[:space:]]*\\)/\\1/p'`), and only when it
  names an existing unix socket makes `/run/php/php-fpm.sock` an alternatives symlink to it; the
  highest priority wins (one link for all installed versions).
"""

import posixpath
import re

from gwlint.load import systemd
from gwlint.load.ini import Setting
from gwlint.records import Record

HELPER = "php-fpm-socket-helper"
DEBIAN_LINK = "/run/php/php-fpm.sock"
_HELPER_LISTEN = r"(?m)^listen[ \t]*=[ \t]*(.*)$"  # the rest of the line stays: sed s//\1/p (compiled on first use)


def run_path(path: str) -> str:
    """`path` with `/var/run` spelled `/run`, as the symlink makes it."""
    if path == "/var/run" or path.startswith("/var/run/"):
        return path[4:]
    return path


class SocketAlias(Record):
    """A symlink the runtime creates to a pool's socket (Debian's php-fpm.sock)."""

    __slots__ = ("link", "listen", "priority", "source", "target")

    def __init__(self, link: str, target: str, priority: int, listen: Setting, source: Setting | None) -> None:
        self.link = link  # as the unit (or the convention) names it
        self.target = target  # the pool's literal listen path
        self.priority = priority
        self.listen = listen  # the `listen` line the helper reads
        self.source = source  # the ExecStartPost line; None when assumed from Debian's layout

    def __str__(self) -> str:
        how = "php-fpm-socket-helper" if self.source else "Debian's php-fpm-socket-helper (assumed from the layout)"
        return f"unix:{self.link} -> unix:{self.target} ({how}, priority {self.priority})"


def socket_aliases(ws) -> dict[str, SocketAlias]:
    """Link path (as `run_path` spells it) -> the alias that wins there.

    From the helper lines of the tree's php*-fpm units when it has such units; else, in a Debian layout
    (etc/php/X.Y/fpm/php-fpm.conf with pool.d/www.conf), the helper every Debian php-fpm package
    installs (priority XY).
    """
    candidates = _from_units(ws)
    if candidates is None:
        candidates = _by_convention(ws)
    winners: dict[str, SocketAlias] = {}
    for alias in candidates:
        key = run_path(alias.link)
        if key not in winners or alias.priority > winners[key].priority:
            winners[key] = alias
    return winners


def _from_units(ws) -> list[SocketAlias] | None:
    """The aliases the tree's php-fpm units install; None when the tree holds no such unit."""
    root = ws.root
    units = ws.units.named(systemd.FPM_UNIT)
    if not units:
        return None
    lines = [s for unit in units for s in unit.all("Service", "ExecStartPost") if HELPER in s.value]
    out = []
    for line in lines:
        words = line.value.split()
        at = next((i for i, w in enumerate(words) if w.endswith(HELPER)), None)
        if at is None or len(words) < at + 5 or words[at + 1] not in ("install", "start") \
                or not words[at + 4].isdigit():
            continue
        alias = _alias(ws, words[at + 2], root.map_config_path(words[at + 3], root.path), int(words[at + 4]), line)
        if alias is not None:
            out.append(alias)
    return out


def _by_convention(ws) -> list[SocketAlias]:
    out = []
    for install in ws.installs:
        version = _debian_version(install.conf or "")
        if version:
            www = posixpath.join(ws.root.path, install.conf.rsplit("/", 1)[0], "pool.d/www.conf")
            alias = _alias(ws, DEBIAN_LINK, www, int(version[0] + version[1]), None)
            if alias is not None:
                out.append(alias)
    return out


def _debian_version(conf: str) -> tuple[str, str] | None:
    """("8", "2") for Debian's etc/php/8.2/fpm/php-fpm.conf, else None (string tests: a pattern
    compiled for it cost ~0.4 M instructions of every run)."""
    head, tail = "etc/php/", "/fpm/php-fpm.conf"
    if not (conf.startswith(head) and conf.endswith(tail)):
        return None
    major, dot, minor = conf[len(head):-len(tail)].partition(".")
    return (major, minor) if dot and major.isdecimal() and minor.isdecimal() else None


def _alias(ws, link: str, pool_file, priority: int, source: Setting | None) -> SocketAlias | None:
    """The alias when the pool file's literal listen line names a socket a pool of the tree
    creates (the helper checks `-S`: a TCP listen, or none, makes no link)."""
    if not ws.root.is_file(pool_file):
        return None
    rel = ws.root.rel(ws.root.canonical(pool_file))
    listens = [s for pool in ws.pools for s in pool.assignments("listen") if s.path == rel]
    literal = [v.rstrip("\r") for v in re.findall(_HELPER_LISTEN, ws.root.read_text(ws.root.canonical(pool_file)))]
    if len(literal) != 1 or not literal[0].startswith("/") or re.search(r"\s", literal[0]) or not listens:
        return None  # several lines, none, or a comment after the path: the helper's `[ -S ]` fails
    target = run_path(literal[0])
    if not any(pool.listen is not None and pool.listen.kind == "unix" and run_path(pool.listen.path) == target
               for pool in ws.pools):
        return None  # no pool creates that socket (a later file moved the listen): no link
    return SocketAlias(link, literal[0], priority, listens[0], source)


class Bound(Record):
    """The address php-fpm binds for a `listen` that names a host: the first one getaddrinfo()
    gives, so `localhost` is ::1 where /etc/hosts lists `::1 localhost` (Debian's default, Docker's)
    and 127.0.0.1 where it lists only that (measured, php-fpm 8.2: "Found multiple addresses for
    localhost, 127.0.0.1 ignored"). `address` None: the tree's etc/hosts does not say."""

    __slots__ = ("address", "where")

    def __init__(self, address: str | None, where: str) -> None:
        self.address = address
        self.where = where  # how gwlint knows, for messages


def bound_address(ws, host: str) -> Bound:
    """The address php-fpm binds for `listen = host:port`, judged by the tree's etc/hosts."""
    hosts = ws.hosts
    if hosts is None:
        return Bound(None, "the tree holds no etc/hosts")
    addresses = hosts.get(host.lower())
    if not addresses:
        return Bound(None, f"etc/hosts does not list {host}")
    v6 = [a for a, _ in addresses if ":" in a]
    if v6 and len(v6) != len(addresses) and not all(_loopback(a) for a, _ in addresses):
        return Bound(None, f"etc/hosts lists {host} in both address families")  # order depends on the network
    first, line = (next(x for x in addresses if ":" in x[0]) if v6 else addresses[0])  # RFC 6724: ::1 first
    return Bound(first, f"etc/hosts:{line} lists {host} as {first} first")


def _loopback(address: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class Master(Record):
    """Who runs a php-fpm master (and so owns the sockets of pools without `listen.owner`)."""

    __slots__ = ("stated", "user", "why")

    def __init__(self, user: str | None, stated: bool, why: str) -> None:
        self.user = user  # None: not root, and the tree does not say who
        self.stated = stated  # said by the user or the tree (a unit's User=, a Dockerfile's USER), not assumed
        self.why = why

    @property
    def is_root(self) -> bool:
        return self.user in ("root", "0")

    def __str__(self) -> str:
        return self.user or "a user that is not root (the tree does not say which; set fpm-master-user)"


def fpm_master(ws, install) -> Master:
    """Who runs `install`'s master: --fpm-master-user / fpm-master-user, else User= of its unit,
    else the tree's Dockerfile USER; else a pool without `user` proves a master that is not root
    (php-fpm refuses it under root: "[pool www] user has not been defined", measured), else root
    (php-fpm's packages start it as root)."""
    if ws.options.fpm_master_user:
        return Master(ws.options.fpm_master_user, True, "fpm-master-user")
    for unit in ws.units.fpm_for(install):
        user = unit.get("Service", "User")
        if user is not None:
            return Master(user.value, True, f"User= at {user.path}:{user.line}")
    container = ws.container_user
    if container is not None:
        return Master(container.value, True, f"USER at {container.path}:{container.line}")
    userless = next((p for p in install.pools if p.get("user") is None), None)
    if userless is not None:
        return Master(None, False, f"pool '{userless.name}' sets no user, which php-fpm refuses under a root master, "
                                   "so this php-fpm runs as a user that is not root")
    return Master("root", False, "php-fpm started as root, as its packages do")
