"""Run a relocated config tree on real nginx and php-fpm (loopback, child processes, stopped by PID)."""

import os
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from gwlint.load import systemd
from gwlint.model.endpoint import Endpoint
from gwlint.verify.nginx_t import find_nginx, find_php_fpm
from gwlint.verify.relocate import Relocation

READY_SECONDS = 10.0
STANDIN = Path(__file__).with_name("standin.py")
FPM_READY = "ready to handle connections"
# what systemd's PrivateTmp=true does: the service gets its own empty /tmp and /var/tmp (in the
# copy), in a mount namespace of its own; `sh -c SCRIPT COPY ARGV...`
PRIVATE_TMP = ('mount -t tmpfs -o mode=1777 private-tmp "$0/tmp" && '
               'mount -t tmpfs -o mode=1777 private-tmp "$0/var/tmp" && exec "$@"')


# the tree's etc/hosts as this process's /etc/hosts, in a mount namespace of its own
ETC_HOSTS = 'mount --bind "$0/etc/hosts" /etc/hosts && exec "$@"'


class ServerError(Exception):
    """A server did not start; the message holds its output and log."""


@dataclass
class Response:
    status: int
    body: str
    seconds: float


def missing_servers(need_root: bool = True) -> str | None:
    """Why real-server tests cannot run here, or None when they can."""
    missing = [name for name, found in (("nginx", find_nginx()), ("php-fpm", find_php_fpm())) if not found]
    if missing:
        return f"{' and '.join(missing)} not installed (Debian: apt-get install nginx php-fpm; `make test` does it as root)"
    if need_root and os.geteuid() != 0:
        return "not root: the servers must switch to the configs' users (www-data)"
    return None


def _connectable(endpoint: Endpoint) -> bool:
    family = socket.AF_UNIX if endpoint.kind == "unix" else socket.AF_INET6 if ":" in (endpoint.host or "") \
        else socket.AF_INET
    address = endpoint.path if endpoint.kind == "unix" else (endpoint.host or "127.0.0.1", endpoint.port)
    with socket.socket(family) as s:
        s.settimeout(0.2)
        try:
            s.connect(address)
            return True
        except OSError:
            return False


def _ready(endpoints: list[Endpoint], log: Path, line: str | None) -> bool:
    if line:
        return log.exists() and line in log.read_text(errors="replace")
    return all(_connectable(e) for e in endpoints)


class Servers:
    """php-fpm (every install with a main config), nginx (every instance) and a stand-in for each
    app backend the tree declares (standin.py: 200 `OK`), of one relocation. php-fpm and nginx get
    a private /tmp when the tree's service unit for them sets PrivateTmp=true.

    with Servers(relocation) as servers:
        response = servers.get("/index.php")
        servers.error_log()
    """

    def __init__(self, relocation: Relocation, fpm_last: bool = False):
        self.relocation = relocation
        self.fpm_last = fpm_last  # start php-fpm after nginx (to see it fail to bind beside nginx's listens)
        self.procs: list[tuple[str, subprocess.Popen, Path]] = []

    def __enter__(self) -> "Servers":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _spawn(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        out = self.relocation.root / f"logs/{name}-{len(self.procs)}.out"
        out.parent.mkdir(exist_ok=True)
        with open(out, "wb") as fh:
            proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        self.procs.append((name, proc, out))
        return proc

    def _wait(self, name: str, proc: subprocess.Popen, endpoints: list[Endpoint], log: Path,
              ready: str | None = None) -> None:
        """Until every endpoint accepts, or (`ready`) until the log holds that line."""
        deadline = time.monotonic() + READY_SECONDS
        while not _ready(endpoints, log, ready):
            if proc.poll() is not None or time.monotonic() > deadline:
                out = self.procs[-1][2].read_text(errors="replace")
                logged = log.read_text(errors="replace") if log.exists() else ""
                raise ServerError(f"{name} did not start (exit {proc.poll()}):\n{out}\n{logged}")
            time.sleep(0.005)

    def standins(self) -> list[Endpoint]:
        """Where the tree's app backends (systemd units, compose services, PM2 apps) listen in the
        copy: not the ports of nginx's own servers (a compose nginx service publishes them too) nor
        of FPM pools."""
        ws, reloc = self.relocation.workspace, self.relocation
        taken = {p.listen.port for p in ws.pools if p.listen and p.listen.kind == "tcp"}
        front = {e.port for run in reloc.nginx for e in run.listens}
        taken |= {old for old, new in reloc.ports.items() if new in front}
        out = []
        for decl in ws.declarations:
            if decl.path in ws.nginx_files or decl.port in taken or decl.port not in reloc.ports:
                continue
            for host in reloc.addresses(decl.host):
                endpoint = Endpoint("tcp", host=host, port=reloc.ports[decl.port])
                if endpoint not in out:
                    out.append(endpoint)
        return out

    def private_tmp(self, unit: str) -> bool:
        """Whether a service unit of the tree matching `unit` sets PrivateTmp=true."""
        return any(u.is_true("Service", "PrivateTmp") for u in self.relocation.workspace.units.named(unit))

    def _isolated(self, argv: list[str], unit: str) -> list[str]:
        """`argv`, run with a private /tmp when the tree's unit for it says PrivateTmp=true, and
        with the tree's etc/hosts as /etc/hosts when it has one (a name such as localhost then
        resolves as on the machine the tree describes)."""
        root = self.relocation.root
        if (root / "etc/hosts").is_file():
            argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", ETC_HOSTS, str(root), *argv]
        if not self.private_tmp(unit):
            return argv
        for sub in ("tmp", "var/tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", PRIVATE_TMP, str(root), *argv]

    def socket_helper(self) -> None:
        """Debian's `ExecStartPost=-/usr/lib/php/php-fpm-socket-helper install LINK POOL_FILE PRIORITY`
        of the tree's php-fpm units, done in the copy (the real helper runs update-alternatives on
        this host): LINK becomes a symlink to what the helper's own sed reads from POOL_FILE, when
        that is a socket; the highest priority wins."""
        root = self.relocation.workspace.root
        best: dict[Path, tuple[int, str]] = {}
        for unit in self.relocation.workspace.units.named(systemd.FPM_UNIT):
            for line in unit.all("Service", "ExecStartPost"):
                words = line.value.lstrip("-@:+!").split()
                if len(words) < 5 or not words[0].endswith("/php-fpm-socket-helper") or words[1] != "install":
                    continue
                pool_file = Path(root.map_config_path(words[3], root.path))
                if not pool_file.is_file() or not words[4].isdigit():
                    continue
                sed = subprocess.run(["sed", "-n", r"s/^listen[[:space:]]*=[[:space:]]*\([^[:space:]]*\)/\1/p",
                                      str(pool_file)], capture_output=True, text=True)
                socket_path = sed.stdout.removesuffix("\n")
                if not (os.path.exists(socket_path) and stat.S_ISSOCK(os.stat(socket_path).st_mode)):
                    continue
                link = Path(root.map_config_path(words[2], root.path))
                if link not in best or int(words[4]) > best[link][0]:
                    best[link] = (int(words[4]), socket_path)
        for link, (_, socket_path) in best.items():
            link.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(socket_path, link)

    def start(self) -> None:
        nginx_bin = find_nginx()
        for endpoint in self.standins():
            proc = self._spawn("standin", [sys.executable, str(STANDIN), endpoint.host, str(endpoint.port)])
            self._wait("standin", proc, [endpoint], Path(os.devnull))
        if not self.fpm_last:
            self._start_fpm()
        for run in self.relocation.nginx:
            proc = self._spawn("nginx", self._isolated(run.argv(nginx_bin, self.relocation.root), systemd.NGINX_UNIT))
            self._wait("nginx", proc, run.listens, run.error_log)
        if self.fpm_last:
            self._start_fpm()

    def _start_fpm(self) -> None:
        fpm_bin = find_php_fpm()
        for run in self.relocation.fpm:  # a private /tmp hides its socket: wait for its log line
            run.hand_over(self.relocation.root)  # a php-fpm that is not root owns its copy
            argv = self._isolated(run.argv(fpm_bin, "-F"), systemd.FPM_UNIT)
            proc = self._spawn("php-fpm", argv, run.env())
            # started last, its port may already answer (the other listener): wait for its log line too
            by_log = argv[0] == "unshare" or self.fpm_last
            self._wait("php-fpm", proc, run.listens, run.error_log, FPM_READY if by_log else None)
        self.socket_helper()

    def stop(self) -> None:
        """SIGTERM each server we started, by PID, newest first, and reap it."""
        for _, proc, _ in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.procs.clear()

    def get(self, path: str, port: int = 80, timeout: float = 30, body: bytes | None = None) -> Response:
        """GET `path` (POST `body`) from the server that listened on `port` in the original tree."""
        listens = [e for run in self.relocation.nginx for e in run.listens if e.port == self.relocation.ports[port]]
        url = f"http://{listens[0].host}:{listens[0].port}{path}"
        start = time.monotonic()
        try:
            with urllib.request.urlopen(url, data=body, timeout=timeout) as resp:
                status, body = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, body = err.code, err.read()
        return Response(status, body.decode(errors="replace"), time.monotonic() - start)

    def error_log(self) -> str:
        """nginx's error.log, with the copy's prefix removed from paths."""
        return self._read(self.relocation.nginx[0].error_log)

    def fpm_log(self) -> str:
        return "".join(self._read(run.error_log) for run in self.relocation.fpm)

    def _read(self, path: Path) -> str:
        return self.relocation.unrelocate(path.read_text(errors="replace")) if path.exists() else ""
