"""The running system, read-only from /proc and stat(): php-fpm and nginx processes, the pools'
unix sockets as they are on disk, the TCP ports that listen; compared with the model.

Never connects anywhere and needs no root (sockets and /proc/net are world-readable; other users'
/proc/PID/cmdline too). Paths are taken as the configs write them: on the running system (ROOT
`/`) that is where the servers put them; a relocated copy's configs name its own paths.
"""

import grp
import os
import pwd
import stat
from dataclasses import dataclass, field
from pathlib import Path

from gwlint.load.accounts import load_accounts
from gwlint.model.sockperm import format_mode, socket_perms


@dataclass
class Process:
    pid: int
    user: str
    title: str
    conf: str | None = None  # php-fpm master: its config file (from the process title)


@dataclass
class Socket:
    path: str
    exists: bool
    owner: str | None = None
    group: str | None = None
    mode: int | None = None
    is_socket: bool = False


@dataclass
class Problem:
    """What live state shows against the model, at the config line it concerns."""

    cause: str
    path: str | None
    line: int | None
    next_step: str
    pool: object | None = None
    kind: str = ""


@dataclass
class LiveState:
    fpm_masters: list[Process] = field(default_factory=list)
    fpm_workers: list[Process] = field(default_factory=list)
    nginx_masters: list[Process] = field(default_factory=list)
    nginx_workers: list[Process] = field(default_factory=list)
    sockets: dict[str, Socket] = field(default_factory=dict)
    listening: set[tuple[str, int]] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    def listens_on(self, host: str | None, port: int) -> bool:
        wild = {"0.0.0.0", "::"}
        for h, p in self.listening:
            if p == port and (host in (None, "0.0.0.0", "::", "*") or h in wild or h == host
                              or (host == "localhost" and h in ("127.0.0.1", "::1"))):
                return True
        return False

    def as_dict(self) -> dict:
        def procs(items):
            return [{"pid": p.pid, "user": p.user, **({"config": p.conf} if p.conf is not None else {})} for p in items]
        return {
            "php_fpm_masters": procs(self.fpm_masters),
            "nginx": {"masters": procs(self.nginx_masters),
                      "worker_users": sorted({p.user for p in self.nginx_workers})},
            "sockets": [{"path": s.path, "exists": s.exists, "owner": s.owner, "group": s.group,
                         "mode": format_mode(s.mode) if s.mode is not None else None}
                        for s in self.sockets.values()],
            "listening": [f"{h}:{p}" if ":" not in h else f"[{h}]:{p}" for h, p in sorted(self.listening)],
        }


def _name(db, key: int) -> str:
    try:
        return db(key)[0]
    except KeyError:
        return str(key)


def processes(proc: Path = Path("/proc")) -> list[Process]:
    out = []
    for entry in os.scandir(proc):
        if not entry.name.isdigit():
            continue
        try:
            raw = (Path(entry.path) / "cmdline").read_bytes()
            status = (Path(entry.path) / "status").read_text()
        except OSError:  # gone, or hidden by hidepid
            continue
        title = raw.split(b"\0", 1)[0].decode(errors="replace") if raw else ""
        uid = next((int(line.split()[2]) for line in status.splitlines() if line.startswith("Uid:")), -1)
        out.append(Process(int(entry.name), _name(pwd.getpwuid, uid), title))
    return out


def listening(proc: Path = Path("/proc")) -> set[tuple[str, int]]:
    """(address, port) of every listening TCP socket, IPv4 and IPv6."""
    found = set()
    for name, v6 in (("tcp", False), ("tcp6", True)):
        try:
            lines = (proc / "net" / name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) < 4 or parts[3] != "0A":  # TCP_LISTEN
                continue
            addr, _, port = parts[1].partition(":")
            found.add((_address(addr, v6), int(port, 16)))
    return found


def _address(hexaddr: str, v6: bool) -> str:
    import ipaddress

    raw = bytes.fromhex(hexaddr)
    # the kernel prints each 32-bit word in host (little-endian) order
    raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    if not v6:
        return str(ipaddress.IPv4Address(raw))
    ip = ipaddress.IPv6Address(raw)
    return str(ip.ipv4_mapped or ip)


def socket_info(path: str) -> Socket:
    try:
        st = os.stat(path)
    except OSError:
        return Socket(path, False)
    return Socket(path, True, _name(pwd.getpwuid, st.st_uid), _name(grp.getgrgid, st.st_gid),
                  stat.S_IMODE(st.st_mode), stat.S_ISSOCK(st.st_mode))


def snapshot(ws, proc: Path = Path("/proc")) -> LiveState:
    """Read the running system and compare it with the workspace."""
    state = LiveState()
    for p in processes(proc):
        if p.title.startswith("php-fpm: master process"):
            p.conf = p.title.partition("(")[2].rpartition(")")[0] or None
            state.fpm_masters.append(p)
        elif p.title.startswith("php-fpm: pool "):
            state.fpm_workers.append(p)
        elif p.title.startswith("nginx: master process"):
            state.nginx_masters.append(p)
        elif p.title.startswith("nginx: worker process"):
            state.nginx_workers.append(p)
    state.listening = listening(proc)
    accounts = load_accounts(ws.root)
    for install in ws.installs:
        master = _master_of(ws, install, state)
        for pool in install.pools:
            listen, setting = pool.listen, pool.get("listen")
            if listen is None or setting is None:
                continue
            if listen.kind == "unix":
                sock = state.sockets.setdefault(listen.path, socket_info(listen.path))
                _check_socket(state, pool, setting, sock, master, install, accounts, ws)
            elif not state.listens_on(listen.host, listen.port):
                state.problems.append(Problem(
                    f"nothing listens on {listen}, where pool '{pool.name}' should: "
                    + (_no_master(install) if master is None else f"the php-fpm master (pid {master.pid}) has not "
                       "loaded this pool (it runs an older config)"),
                    setting.path, setting.line, _start_step(install, master), pool, "port-not-listening"))
    _check_nginx(ws, state)
    return state


def _master_of(ws, install, state: LiveState) -> Process | None:
    for p in state.fpm_masters:
        if p.conf and install.conf and _rel(ws, p.conf) == install.conf:
            return p
    return None


def _rel(ws, path: str) -> str:
    return ws.root.rel(path).lstrip("/")


def _no_master(install) -> str:
    return f"no php-fpm master runs {install.conf or 'these pool files'} (php-fpm is not running)"


def _start_step(install, master) -> str:
    if master is None:
        return "start php-fpm (systemctl start php*-fpm), then read its log if it stops again"
    return "restart php-fpm so that it loads the pool files as they are now (systemctl restart php*-fpm)"


def _check_socket(state, pool, setting, sock: Socket, master, install, accounts, ws) -> None:
    if not sock.exists:
        why = _no_master(install) if master is None else (
            f"php-fpm runs (pid {master.pid}) but has not created it: it has not loaded this pool as configured")
        state.problems.append(Problem(f"pool '{pool.name}' socket {sock.path} does not exist: {why}",
                                      setting.path, setting.line, _start_step(install, master), pool, "socket-missing"))
        return
    master_user = master.user if master is not None else ws.options.fpm_master_user
    want = socket_perms(pool, accounts, master_user)
    if want.has_acl:
        return  # ACL entries are not in stat(); owner/group are ignored by php-fpm then
    mode = format_mode(sock.mode) if sock.mode is not None else "?"
    differs = [(key, have, should) for key, have, should in (
        ("listen.owner", sock.owner, want.owner), ("listen.group", sock.group, want.group),
        ("listen.mode", mode, format_mode(want.mode))) if have != should]
    if not differs:
        return
    at = next((pool.get(key) for key, _, _ in differs if pool.get(key) is not None), setting)
    state.problems.append(Problem(
        f"socket {sock.path} is {sock.owner}:{sock.group} {mode} on disk, but pool '{pool.name}' "
        f"says {want}: php-fpm has not been restarted since the pool file changed",
        at.path, at.line, "restart php-fpm (systemctl restart php*-fpm) so the socket is created as configured",
        pool, "socket-perms"))


def _check_nginx(ws, state: LiveState) -> None:
    users = {p.user for p in state.nginx_workers}
    for instance in ws.nginx if state.nginx_masters and users else ():
        d = instance.user
        if d is not None and d.args and d.args[0] not in users and not d.args[0].isdigit():
            state.problems.append(Problem(
                f"nginx workers run as {', '.join(sorted(users))}, but `user {d.args[0]}` is configured: the "
                "running nginx has not loaded this config", d.path, d.line,
                "nginx -t && systemctl reload nginx", None, "nginx-user"))
    reported = set()
    for route in ws.routes:
        for backend in route.backends:
            e = backend.endpoint
            if e is None or e.kind != "tcp" or backend.pools or not (e.is_loopback or e.is_wildcard):
                continue
            if not state.listens_on(e.host, e.port):
                if (e.host, e.port) in reported:
                    continue
                reported.add((e.host, e.port))
                state.problems.append(Problem(
                    f"nothing listens on {e}, where {backend.directive.name} {backend.directive.args[0]} sends "
                    "requests: the backend is not running", backend.directive.path, backend.directive.line,
                    "start the backend service that should listen there", None, "backend-down"))
