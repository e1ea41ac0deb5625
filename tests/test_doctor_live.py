"""Live state from a /proc-like tree and stat(): processes, listening ports, sockets against pools."""

import os
import pwd
import socket
from pathlib import Path

from gwlint.doctor.live import listening, processes, snapshot
from gwlint.model.workspace import load_workspace
from gwlint.testing import write_tree

TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:2328 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1
   2: 0100007F:1F90 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000     0        0 3 1
"""
TCP6 = """\
  sl  local_address                         remote_address                        st tx_queue rx_queue
   0: 00000000000000000000000001000000:1F40 00000000000000000000000000000000:0000 0A 00000000:00000000
   1: 0000000000000000FFFF00000100007F:22B8 00000000000000000000000000000000:0000 0A 00000000:00000000
"""


def fake_proc(tmp_path: Path, procs: dict[int, tuple[str, int]]) -> Path:
    proc = tmp_path / "proc"
    (proc / "net").mkdir(parents=True)
    (proc / "net/tcp").write_text(TCP)
    (proc / "net/tcp6").write_text(TCP6)
    for pid, (title, uid) in procs.items():
        d = proc / str(pid)
        d.mkdir()
        (d / "cmdline").write_bytes(title.encode() + b"\0")
        (d / "status").write_text(f"Name:\tx\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n")
    return proc


def test_listening_ipv4_ipv6_and_mapped(tmp_path):
    found = listening(fake_proc(tmp_path, {}))
    assert found == {("127.0.0.1", 9000), ("0.0.0.0", 80), ("::1", 8000), ("127.0.0.1", 8888)}


def test_processes_titles_and_users(tmp_path):
    proc = fake_proc(tmp_path, {10: ("php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)", 0),
                                11: ("php-fpm: pool www", 33), 20: ("nginx: master process /usr/sbin/nginx", 0)})
    got = {p.pid: (p.title, p.user) for p in processes(proc)}
    assert got[10] == ("php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)", "root")
    assert got[11][1] == _user(33)


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


POOL = """\
[www]
user = www-data
group = www-data
listen = {sock}
listen.owner = {owner}
listen.mode = 0660
pm = static
pm.max_children = 2
[api]
user = www-data
group = www-data
listen = 127.0.0.1:{port}
pm = static
pm.max_children = 2
"""


def test_snapshot_against_pools(tmp_path):
    sock = tmp_path / "www.sock"
    me = pwd.getpwuid(os.getuid()).pw_name
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(sock))
        os.chmod(sock, 0o660)
        root = write_tree({"etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=pool.d/*.conf\n",
                           "etc/php/8.2/fpm/pool.d/www.conf": POOL.format(sock=sock, owner="nobody", port=9000),
                           "etc/passwd": f"{me}:x:{os.getuid()}:{os.getgid()}::/:/bin/sh\n"
                                         "nobody:x:65534:65534::/:/bin/sh\n",
                           "etc/group": "nogroup:x:65534:\n"}, tmp_path / "root")
        ws = load_workspace(root)
        master = f"php-fpm: master process ({root}/etc/php/8.2/fpm/php-fpm.conf)"
        proc = fake_proc(tmp_path, {10: (master, os.getuid())})
        state = snapshot(ws, proc)
    assert [p.pid for p in state.fpm_masters] == [10]
    [perm] = [p for p in state.problems if p.kind == "socket-perms"]
    assert (perm.path, perm.line) == ("etc/php/8.2/fpm/pool.d/www.conf", 5)
    assert f"is {me}:" in perm.cause and "says nobody:nogroup 0660" in perm.cause
    # 127.0.0.1:9000 listens in the fake /proc/net/tcp: the api pool is fine
    assert not [p for p in state.problems if p.kind == "port-not-listening"]
    sock.unlink()
    state = snapshot(ws, proc)
    [missing] = [p for p in state.problems if p.kind == "socket-missing"]
    assert "has not created it" in missing.cause
    assert (missing.path, missing.line) == ("etc/php/8.2/fpm/pool.d/www.conf", 4)
    state = snapshot(ws, fake_proc(tmp_path / "other", {}))
    [missing] = [p for p in state.problems if p.kind == "socket-missing"]
    assert "no php-fpm master runs etc/php/8.2/fpm/php-fpm.conf" in missing.cause
    # a master named by an absolute path outside the tree (ROOT / is the usual case): matched by
    # its path under the root, and never a crash on a path the root does not hold
    host = fake_proc(tmp_path / "host", {11: ("php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)", 0)})
    state = snapshot(ws, host)
    [missing] = [p for p in state.problems if p.kind == "socket-missing"]
    assert [p.pid for p in state.fpm_masters] == [11] and "has not created it" in missing.cause
