"""Relocate a config tree into a temp sysroot, so that real nginx and php-fpm can run it on loopback.

The tree is copied, then rewritten in place, line for line (server messages keep the original
file:line): absolute paths point into the copy, listen ports and TCP backends move to free
loopback ports (one new port per original port, so a mismatch stays a mismatch), pid, logs and
temp paths land in the copy, and nginx gets `daemon off; worker_processes 1;`. Used by
`gwlint check --verify` and by the real-server tests.

Nothing outside the copy is read as config: a symlink with an absolute target (Debian's
`sites-enabled/default -> /etc/nginx/sites-available/default`) is pointed at the same path inside
the copy, a link to a file the copy lacks is removed (with a note), and an `include` the copy
lacks stays missing. A pool-only install (pool files without php-fpm.conf) gets a generated main
config that includes them, so that `php-fpm -t` tests it too.

Limits: distinct non-loopback IPs get distinct 127.0.0.N addresses (so a pool bound to 127.0.0.1
still refuses nginx's `fastcgi_pass 10.0.0.5:9000`, as on the real host); host names become
127.0.0.1; a wildcard FPM listen is bound on the one address nginx aims at on its port (the real
one accepts every address), on 127.0.0.1 when nginx aims at none or at several; users missing on
this host become `nobody`.
Ports of the backends the tree declares (systemd units, compose, PM2) get loopback ports too, so
that a test can start a stand-in where the app would listen.
"""

import grp
import ipaddress
import os
import pwd
import re
import shutil
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gwlint.engine.toolcodes import UNRENDERED_TEMPLATE
from gwlint.load.fpm import GLOBAL, _prefix_for
from gwlint.load.ini import Setting, parse_ini
from gwlint.load.nginx import PASS_DIRECTIVES, Directive
from gwlint.model import runtime
from gwlint.model.endpoint import ANY_ADDRESSES, Endpoint, parse_fpm_listen, parse_pass_target
from gwlint.model.workspace import Workspace

NGINX_ERROR_LOG = "logs/nginx-error.log"
NGINX_ACCESS_LOG = "logs/nginx-access.log"
TEMP_PATHS = {"client_body_temp_path": "body", "proxy_temp_path": "proxy", "fastcgi_temp_path": "fastcgi",
              "uwsgi_temp_path": "uwsgi", "scgi_temp_path": "scgi"}
# nginx directives whose first argument is a file the server reads: mapped into the copy when the
# copy has it, else left pointing at this host (e.g. /etc/ssl/certs, /usr/lib/nginx/modules)
NGINX_READ = frozenset({"include", "root", "alias", "ssl_certificate", "ssl_certificate_key",
                        "ssl_trusted_certificate", "ssl_client_certificate", "ssl_dhparam", "ssl_crl",
                        "ssl_password_file", "ssl_stapling_file", "ssl_session_ticket_key",
                        "auth_basic_user_file", "load_module", "working_directory"})
# ... and what it writes: always mapped into the copy
NGINX_WRITE = frozenset({"pid", "lock_file", "fastcgi_cache_path", "proxy_cache_path", *TEMP_PATHS})
FPM_PATHS = frozenset({"pid", "include", "slowlog", "access.log", "chdir", "chroot"})
PHP_INI_PATHS = frozenset({"error_log", "session.save_path", "upload_tmp_dir", "sys_temp_dir", "doc_root"})


@dataclass
class NginxRun:
    """How to start one relocated nginx: `nginx -p root/ -e error_log -c conf`."""

    conf: Path
    error_log: Path
    listens: list[Endpoint] = field(default_factory=list)

    def argv(self, binary: str, root: Path, *flags: str) -> list[str]:
        return [binary, "-p", f"{root}/", "-e", str(self.error_log), "-c", str(self.conf), *flags]


@dataclass
class FpmRun:
    """How to start one relocated php-fpm; `listens` are its pools' relocated endpoints."""

    conf: Path
    prefix: Path
    error_log: Path
    php_ini: Path | None
    scan_dir: Path | None
    listens: list[Endpoint] = field(default_factory=list)
    entry: str | None = None  # the tree file findings fall back to (a generated conf is not in the tree)
    php_version: str | None = None  # the PHP version the tree's paths name
    env_vars: tuple[str, ...] = ()  # the `${VAR}`s its settings read from the environment
    master: str | None = None  # the host user to run the master as, when the tree's is not root

    def unset_env(self) -> list[str]:
        """The environment variables the configs read that are not set here."""
        return [name for name in self.env_vars if name not in os.environ]

    def argv(self, binary: str, *flags: str) -> list[str]:
        ini = ["-c", str(self.php_ini)] if self.php_ini else ["-n"]
        argv = [binary, *ini, "-p", str(self.prefix), "-y", str(self.conf), *flags]
        if self.master is None:
            return argv
        entry = pwd.getpwnam(self.master)  # php-fpm refuses a pool without `user` under root
        return ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups", *argv]

    def hand_over(self, root: Path) -> None:
        """Give the copy to the master's user, as its runtime and log directories would be."""
        if self.master is None:
            return
        entry = pwd.getpwnam(self.master)
        for path in [root, *root.rglob("*")]:
            os.lchown(path, entry.pw_uid, entry.pw_gid)

    def env(self) -> dict[str, str]:
        return {**os.environ, "PHP_INI_SCAN_DIR": str(self.scan_dir or "")}


@dataclass
class Relocation:
    """A relocated copy of a tree: where it is, which ports it uses, how to start its servers."""

    root: Path
    workspace: Workspace  # the copy as loaded before rewriting (root-relative paths as in the tree)
    ports: dict[int, int]  # original port -> loopback port
    hosts: dict[str, str]  # original non-loopback IP -> 127.0.0.N
    nginx: list[NginxRun]
    fpm: list[FpmRun]
    notes: list[str] = field(default_factory=list)  # what the copy leaves out, and why

    def original(self, path: str) -> str | None:
        """The tree-relative path of a file inside the copy (symlinks resolved), else None."""
        if not self.workspace.root.contains(path):
            return None
        return self.workspace.root.rel(self.workspace.root.canonical(path))

    def addresses(self, host: str | None) -> list[str]:
        """The loopback addresses standing for `host` (None: every address, so all those in use)."""
        if host is None or host in ("0.0.0.0", "::", "*"):
            return ["127.0.0.1", *self.hosts.values()]
        return [self.hosts.get(host.strip("[]"), "127.0.0.1")]

    def unrelocate(self, text: str) -> str:
        """`text` with the copy's prefix removed, so its paths read as the original absolute ones."""
        return text.replace(str(self.root), "")


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports free on 127.0.0.1 right now."""
    socks = [socket.socket() for _ in range(count)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def _host_user(name: str) -> str:
    try:
        pwd.getpwnam(name)
        return name
    except KeyError:
        return "nobody"


def _host_group(name: str) -> str:
    try:
        grp.getgrnam(name)
        return name
    except KeyError:
        return "nogroup"


class _Editor:
    """Line-preserving edits of the copied files (every edit keeps the file's line count)."""

    def __init__(self, root: Path):
        self.root = root
        self.lines: dict[str, list[str]] = {}

    def _get(self, rel: str) -> list[str]:
        if rel not in self.lines:
            self.lines[rel] = (self.root / rel).read_text(errors="surrogateescape").splitlines(keepends=True)
        return self.lines[rel]

    def sub(self, node: Directive, old: str, new: str) -> None:
        """Replace the token `old` by `new` in the lines of `node` (first occurrence)."""
        if old == new:
            return
        lines = self._get(node.path)
        token = re.compile(r"(?<![^\s\"'{;])" + re.escape(old) + r"(?![^\s\"';{}])")
        for i in range(node.line - 1, max(node.line, node.end_line)):
            replaced, n = token.subn(lambda _: new, lines[i], count=1)
            if n:
                lines[i] = replaced
                return

    def blank(self, node: Directive, comment: str) -> None:
        """Comment a directive out (only when it is alone on its line)."""
        lines = self._get(node.path)
        if node.line == node.end_line and lines[node.line - 1].strip().endswith(";"):
            ending = "\n" if lines[node.line - 1].endswith("\n") else ""
            lines[node.line - 1] = f"# {comment}: {lines[node.line - 1].strip()}{ending}"

    def after_brace(self, node: Directive, text: str) -> None:
        """Insert `text` just after the `{` that opens `node`'s block."""
        lines = self._get(node.path)
        i = node.end_line - 1
        start = lines[i].find(node.name) + len(node.name) if node.line == node.end_line else 0
        brace = lines[i].index("{", start)
        lines[i] = f"{lines[i][:brace + 1]} {text}{lines[i][brace + 1:]}"

    def set_ini(self, setting, value: str) -> None:
        lines = self._get(setting.path)
        ending = "\n" if lines[setting.line - 1].endswith("\n") else ""
        lines[setting.line - 1] = f"{setting.key} = {value}{ending}"

    def append(self, rel: str, text: str) -> None:
        lines = self._get(rel)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append(text)

    def write(self) -> None:
        for rel, lines in self.lines.items():
            (self.root / rel).write_text("".join(lines), errors="surrogateescape")


class _Relocator:
    def __init__(self, ws: Workspace, dest: Path):
        self.ws, self.dest = ws, dest
        self.edit = _Editor(dest)
        self.ports: dict[int, int] = {}
        self.hosts: dict[str, str] = {}
        self.ipv6 = _has_ipv6_loopback()
        self.listens: list[Endpoint] = []  # of the nginx instance being relocated

    # mapping -----------------------------------------------------------------------------
    def path(self, value: str, base: Path, write: bool = False, host_fallback: bool = False) -> str:
        """An absolute config path inside the copy; with `host_fallback`, a file the copy lacks
        but this host has stays on the host (certificates, modules)."""
        if not value.startswith("/"):
            return value
        mapped = Path(self.ws.root.map_config_path(value, str(base)))
        if write:
            mapped.parent.mkdir(parents=True, exist_ok=True)
        elif host_fallback and not mapped.exists() and not re.search(r"[*?\[$]", value) and os.path.exists(value):
            return value
        return str(mapped)

    def host(self, host: str | None) -> str:
        """Loopback address standing for `host`: distinct non-loopback IPs stay distinct."""
        try:
            ip = ipaddress.ip_address(host or "")
        except ValueError:
            return "127.0.0.1"  # wildcard, host names
        if ip.version == 6 and ip.is_loopback and self.ipv6:
            return "::1"  # stays apart from 127.0.0.1: a pool bound to one refuses the other
        if ip.is_loopback or ip.is_unspecified:
            return "127.0.0.1"
        return self.hosts.setdefault(str(ip), f"127.0.0.{len(self.hosts) + 2}")

    def collect_ports(self) -> None:
        ports: set[int | None] = set()
        for node in self.ws.directives("listen"):
            endpoint = parse_fpm_listen(node.args[0]) if node.args else None
            if endpoint and endpoint.kind == "tcp":
                ports.add(endpoint.port)
        if self._servers_without_listen():
            ports.add(80)  # nginx's default
        for route in self.ws.routes:
            ports |= {b.endpoint.port for b in route.backends if b.endpoint and b.endpoint.kind == "tcp"}
        for pool in self.ws.pools:
            if pool.listen and pool.listen.kind == "tcp":
                ports.add(pool.listen.port)
        ports |= {d.port for d in self.ws.declarations}  # app backends a test may stand in for
        known = sorted(port for port in ports if port is not None)
        self.ports = dict(zip(known, free_ports(len(known)), strict=True))

    def _servers_without_listen(self) -> list[Directive]:
        return [node for node in self.ws.directives("server")
                if node.block is not None and node.parent is not None and node.parent.name == "http"
                and node.child("listen") is None]

    # nginx -------------------------------------------------------------------------------
    def nginx(self) -> list[NginxRun]:
        runs = []
        (self.dest / "logs").mkdir(exist_ok=True)
        for server in self._servers_without_listen():
            self.edit.after_brace(server, f"listen 127.0.0.1:{self.ports[80]};")
        for instance in self.ws.nginx:
            self.listens = []
            conf_dir = (self.dest / instance.entry).parent
            for node in instance.main.walk():
                self._nginx_directive(node, conf_dir, instance.upstreams)
            self._nginx_defaults(instance.main, instance.entry)
            if not self.listens and self._servers_without_listen():
                self.listens.append(Endpoint("tcp", host="127.0.0.1", port=self.ports[80]))
            runs.append(NginxRun(self.dest / instance.entry, self.dest / NGINX_ERROR_LOG, self.listens))
        return runs

    def _nginx_directive(self, node: Directive, conf_dir: Path, upstreams: dict) -> None:
        name, args = node.name, node.args
        if not args:
            return
        if name == "listen":
            self._listen(node)
        elif name in NGINX_READ:  # an include the copy lacks stays missing: never this host's config
            self.edit.sub(node, args[0], self.path(args[0], conf_dir, host_fallback=name != "include"))
        elif name in NGINX_WRITE:
            self.edit.sub(node, args[0], self.path(args[0], conf_dir, write=True))
        elif name == "error_log":
            self.edit.sub(node, args[0], str(self.dest / NGINX_ERROR_LOG))
        elif name == "access_log" and args[0] != "off":
            self.edit.sub(node, args[0], str(self.dest / NGINX_ACCESS_LOG))
        elif name == "worker_processes":
            self.edit.sub(node, args[0], "1")
        elif name == "daemon":
            self.edit.sub(node, args[0], "off")
        elif name == "user":  # a lone user means its same-named group: name the host's one
            group = _host_group(args[1] if len(args) > 1 else args[0])
            self.edit.sub(node, args[0], _host_user(args[0]) + ("" if len(args) > 1 else f" {group}"))
            if len(args) > 1:
                self.edit.sub(node, args[1], group)
        elif name in PASS_DIRECTIVES:
            self.edit.sub(node, args[0], self._target(args[0], upstreams))
        elif name == "server" and node.parent is not None and node.parent.name == "upstream":
            self.edit.sub(node, args[0], self._target(args[0], {}, default_port=80))
        elif args[-1].startswith("unix:") and (name == "set" or (node.parent is not None
                                                                 and node.parent.name == "map")):
            # a socket a variable *_pass uses (`set $php unix:/run/...;`, a map value)
            self.edit.sub(node, args[-1], self._target(args[-1], upstreams))

    def _listen(self, node: Directive) -> None:
        arg = node.args[0]
        if arg.startswith("unix:"):
            self.edit.sub(node, arg, "unix:" + self.path(arg[5:], self.dest, write=True))
            return
        endpoint = parse_fpm_listen(arg)
        if endpoint is None or endpoint.port not in self.ports:
            return
        port = self.ports[endpoint.port]
        if endpoint.host and ":" in endpoint.host:  # IPv6
            if self.ipv6:
                self.edit.sub(node, arg, f"[::1]:{port}")
            else:
                self.edit.blank(node, "gwlint relocate: no IPv6 loopback here")
            return
        host = self.host(endpoint.host)
        self.edit.sub(node, arg, f"{host}:{port}")
        self.listens.append(Endpoint("tcp", host=host, port=port))

    def _target(self, arg: str, upstreams: dict, default_port: int | None = None) -> str:
        """A `*_pass` or upstream `server` argument pointing into the copy / at loopback ports."""
        target = parse_pass_target(arg)
        if target is None or (target.port is None and target.host in upstreams):
            return arg
        if target.path is not None:
            return arg.replace(target.path, self.path(target.path, self.dest), 1)
        endpoint = target.endpoint()
        port = endpoint.port if endpoint else default_port
        if port not in self.ports:
            return arg
        scheme, sep, rest = arg.partition("://")
        if not sep:
            scheme, rest = "", arg
        _, slash, uri = rest.partition("/")
        new = _hostport(self.host(target.host), self.ports[port])
        return f"{scheme}{sep}{new}{slash}{uri}"

    def _nginx_defaults(self, main: Directive, entry: str) -> None:
        """Directives the copy must set that the tree may leave to compiled-in defaults."""
        missing = {"daemon": "off", "worker_processes": "1", "pid": str(self.dest / "run/nginx.pid"),
                   "lock_file": str(self.dest / "run/nginx.lock")}
        (self.dest / "run").mkdir(exist_ok=True)
        text = "".join(f"{k} {v};\n" for k, v in missing.items() if main.child(k) is None)
        if text:
            self.edit.append(entry, text)
        http = main.child("http")
        if http is None:
            return
        inside = [f"{name} {self.dest}/ngx-temp/{sub};" for name, sub in TEMP_PATHS.items()
                  if http.child(name) is None]
        if http.child("access_log") is None:
            inside.append(f"access_log {self.dest / NGINX_ACCESS_LOG};")
        (self.dest / "ngx-temp").mkdir(exist_ok=True)
        if inside:
            self.edit.after_brace(http, " ".join(inside))

    # php-fpm -----------------------------------------------------------------------------
    def fpm(self) -> list[FpmRun]:
        runs = []
        for n, install in enumerate(self.ws.installs):
            error_log = self.dest / f"logs/php-fpm-{n}.log"
            if install.conf is None:  # loose pool files: a main config that includes them
                runs.append(self._pool_only(n, install, error_log))
                continue
            conf = self.dest / install.conf
            prefix = Path(_prefix_for(str(conf)))
            for setting in self._global_settings(install):
                if setting.key == "error_log":
                    self.edit.set_ini(setting, str(error_log))
                elif setting.key in FPM_PATHS:
                    self.edit.set_ini(setting, self.path(setting.value, prefix, write=setting.key == "pid"))
            if "error_log" not in install.global_settings:
                self.edit.append(install.conf, f"[global]\nerror_log = {error_log}\n")
            master = self.ws.fpm_master(install)
            run = FpmRun(conf, prefix, error_log, None, None, php_version=install.php_version,
                         env_vars=_env_vars(install),
                         master=None if master.is_root else _host_user(master.user or "nobody"))
            for pool in install.pools:
                run.listens += self._pool(pool, prefix)
            self._php_ini(install, run)
            runs.append(run)
        return runs

    def _pool_only(self, n: int, install, error_log: Path) -> FpmRun:
        """Pool files without a main config: php-fpm gets one that includes each (pid and log in the copy)."""
        prefix = (self.dest / install.files[0]).parent if install.files else self.dest
        conf = self.dest / f"gwlint-fpm-{n}.conf"
        includes = "".join(f"include = {self.dest / rel}\n" for rel in install.files)
        conf.write_text(f"[global]\npid = {self.dest}/run/php-fpm-{n}.pid\nerror_log = {error_log}\n{includes}")
        (self.dest / "run").mkdir(exist_ok=True)
        master = self.ws.fpm_master(install)
        run = FpmRun(conf, prefix, error_log, None, None, entry=install.files[0] if install.files else None,
                     php_version=install.php_version, env_vars=_env_vars(install),
                     master=None if master.is_root else _host_user(master.user or "nobody"))
        for pool in install.pools:
            run.listens += self._pool(pool, prefix)
        self._php_ini(install, run)
        return run

    def _global_settings(self, install) -> list[Setting]:
        """Every [global] assignment (the model keeps only the last of each key)."""
        out = []
        for rel in install.files:
            ini = parse_ini((self.dest / rel).read_text(errors="surrogateescape"), rel)
            out += [s for s in ini.settings if s.section in (None, GLOBAL)]
        return out

    def _pool(self, pool, prefix: Path) -> list[Endpoint]:
        listens = []
        for key, history in pool.history.items():
            for setting in history:
                value = setting.value
                if key == "listen":
                    endpoint = parse_fpm_listen(value)
                    if endpoint is None:
                        continue
                    if endpoint.kind == "unix":
                        new = self.path(value, prefix, write=True)
                        endpoint = Endpoint("unix", path=new)
                    else:
                        assert endpoint.port is not None  # parse_fpm_listen gives every tcp listen a port
                        new, endpoint = self._fpm_tcp(endpoint)
                    self.edit.set_ini(setting, new)
                    if setting is pool.get("listen"):
                        listens.append(endpoint)
                elif key in FPM_PATHS:
                    self.edit.set_ini(setting, self.path(value, prefix, write=key != "chdir"))
                elif key in ("user", "listen.owner"):
                    self.edit.set_ini(setting, _host_user(value))
                elif key in ("group", "listen.group"):
                    self.edit.set_ini(setting, _host_group(value))
                elif key in ("listen.acl_users", "listen.acl_groups"):
                    host_name = _host_user if key == "listen.acl_users" else _host_group
                    names = dict.fromkeys(host_name(n.strip()) for n in value.split(","))  # no repeats: EINVAL
                    self.edit.set_ini(setting, ",".join(names))
                elif key.startswith("php_") and key.endswith("]") and key[key.index("[") + 1:-1] in PHP_INI_PATHS:
                    self.edit.set_ini(setting, self.path(value, prefix, write=True))
        return listens

    def _fpm_tcp(self, endpoint: Endpoint) -> tuple[str, Endpoint]:
        """A TCP listen's new value, and where php-fpm will accept: a host name stays a name (php-fpm
        binds the first address it resolves to, runtime.bound_address; 127.0.0.1 when the tree does
        not say), an address becomes its loopback stand-in."""
        assert endpoint.port is not None
        port = self.ports[endpoint.port]
        host = endpoint.host
        if host and host not in ("0.0.0.0", "::", "*") and not _is_ip(host):
            bound = runtime.bound_address(self.ws, host).address or "127.0.0.1"
            return f"{host}:{port}", Endpoint("tcp", host=self.host(bound), port=port)
        address = self._wildcard(endpoint.port) if host in ANY_ADDRESSES else self.host(host)
        return _hostport(address, port), Endpoint("tcp", host=address, port=port)

    def _wildcard(self, port: int) -> str:
        """Where a pool listening on every address is bound: the one stand-in address nginx aims at
        on `port` (the real pool accepts them all), else 127.0.0.1."""
        aimed = {self.host(b.endpoint.host) for route in self.ws.routes for b in route.backends
                 if b.endpoint is not None and b.endpoint.kind == "tcp" and b.endpoint.port == port}
        return aimed.pop() if len(aimed) == 1 else "127.0.0.1"

    def _php_ini(self, install, run: FpmRun) -> None:
        """Run with the tree's php.ini and scan dir (`-c`, PHP_INI_SCAN_DIR); `-n` without one."""
        for rel in install.php_ini_files:
            path = self.dest / rel
            if path.name == "php.ini" and run.php_ini is None:
                run.php_ini = path
            elif run.scan_dir is None:
                run.scan_dir = path.parent
        for key, setting in install.php_ini.items():
            if key in PHP_INI_PATHS and setting.value.startswith("/"):
                self.edit.set_ini(setting, self.path(setting.value, self.dest, write=True))


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def _runtime_links(dest: Path) -> None:
    """What every systemd distro (and the Debian/Alpine images) has: /var/run -> /run, unless the
    tree holds a var/run of its own."""
    var_run = dest / "var" / "run"
    if not var_run.exists() and not var_run.is_symlink():
        (dest / "run").mkdir(exist_ok=True)
        var_run.parent.mkdir(exist_ok=True)
        os.symlink("../run", var_run)


def relocate(src: Path, dest: Path, *, overlay: dict[str, str] | None = None,
             nginx: Sequence[str] = (), fpm: Sequence[str] = ()) -> Relocation:
    """Copy the tree `src` (with `overlay` texts, root-relative, written over it) to `dest` and relocate it.

    `nginx`/`fpm` name entry files (root-relative) as `gwlint check --nginx/--fpm` do.
    """
    dest = Path(os.path.abspath(dest))
    shutil.copytree(src, dest, symlinks=True, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", ".gwlint_cache"))
    os.chmod(dest, 0o755)  # worker users must traverse it
    _runtime_links(dest)
    for rel, text in (overlay or {}).items():
        (dest / rel).write_text(text, errors="surrogateescape")
    from gwlint import api

    ws = api.load(dest, {}, nginx=[dest / p for p in nginx], fpm=[dest / p for p in fpm])
    notes = _relink(ws, dest)
    for problem in ws.problems:  # a template is rendered before the servers read it: leave it out
        if problem.code == UNRENDERED_TEMPLATE.code and (dest / problem.path).is_file():
            (dest / problem.path).write_text("")  # (php-fpm refuses a `#` comment: leave nothing)
            notes.append(f"--verify: {problem.path} is an unrendered template; left out of the servers' config tests")
    mover = _Relocator(ws, dest)
    mover.collect_ports()
    nginx_runs = mover.nginx()
    fpm_runs = mover.fpm()
    mover.edit.write()
    return Relocation(dest, ws, mover.ports, mover.hosts, nginx_runs, fpm_runs, notes)


def _env_vars(install) -> tuple[str, ...]:
    """Names of the environment variables (`${VAR}`, `${VAR:-x}`) an install's settings read."""
    settings = [*install.global_settings.values(), *install.php_ini.values(),
                *(s for pool in install.pools for history in pool.history.values() for s in history)]
    names = (m.group(1) for s in settings if "${" in s.value for m in re.finditer(r"\$\{([^}:]+)", s.value))
    return tuple(sorted(set(names)))


def _relink(ws: Workspace, dest: Path) -> list[str]:
    """Point every symlink of the copy into the copy, as the tree means it (see Root.resolve);
    remove those whose target the copy lacks or that leave it. Notes say which were removed."""
    notes = []
    for dirpath, dirnames, filenames in os.walk(dest):
        for name in dirnames + filenames:
            link = Path(dirpath) / name
            if not link.is_symlink():
                continue
            target = os.readlink(link)
            resolved = ws.root.resolve(str(link))
            # a dangling link into a directory the tree holds fails on the server too: keep it, dangling
            if resolved is not None and (os.path.lexists(resolved) or os.path.isdir(os.path.dirname(resolved))):
                if target.startswith("/"):
                    link.unlink()
                    link.symlink_to(os.path.relpath(resolved, os.path.realpath(link.parent)))
                continue
            link.unlink()
            notes.append(f"--verify: {ws.root.rel(str(link))} links to {target}, which the tree does not hold; "
                         "left out of the servers' config tests")
    return notes
