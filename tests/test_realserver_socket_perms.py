"""The socket permission model against a real php-fpm: who may connect, as computed and as measured.

Needs root (php-fpm switches users and chowns the socket) and php-fpm; otherwise skipped, and
failed under CI=true.
"""

import glob
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from gwlint.load.accounts import load_accounts
from gwlint.load.fsroot import Root
from gwlint.model.sockperm import blocked_parent, socket_perms

pytestmark = pytest.mark.realserver

FPM = next(iter(sorted(glob.glob("/usr/sbin/php-fpm*"))), None)
USERS = [("www-data", "www-data"), ("nobody", "nogroup")]


@pytest.fixture(scope="module")
def host():
    missing = "php-fpm is not installed" if FPM is None else "needs root" if os.geteuid() != 0 else None
    if missing is None and not shutil.which("setpriv"):
        missing = "setpriv is missing"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"real-server test: {missing}")
        pytest.skip(missing)
    root = SimpleNamespace(path=Path("/"), read_text=lambda p: Path(p).read_text(), contains=lambda p: True,
                           read_optional=lambda rel: (Path("/") / rel).read_text() if (Path("/") / rel).is_file() else None)
    accounts = load_accounts(root)
    if any(u not in accounts.users or g not in accounts.groups for u, g in USERS):
        pytest.skip("host lacks www-data or nobody:nogroup")
    return accounts


def connects(path: str, user: str, group: str) -> bool:
    code = f"import socket; s = socket.socket(socket.AF_UNIX); s.connect({path!r})"
    done = subprocess.run(["setpriv", f"--reuid={user}", f"--regid={group}", "--init-groups",
                           "/usr/bin/python3", "-c", code], capture_output=True, text=True, timeout=10)
    assert done.returncode == 0 or "Permission denied" in done.stderr, done.stderr
    return done.returncode == 0


@pytest.mark.parametrize("settings", [
    {},
    {"listen.owner": "www-data"},
    {"listen.group": "nogroup"},
    {"listen.owner": "www-data", "listen.group": "www-data", "listen.mode": "0666"},
    {"listen.owner": "www-data", "listen.mode": "0460"},
    {"listen.owner": "nobody", "listen.mode": "0668"},
    {"listen.mode": "rw-rw-rw-"},
    {"listen.acl_users": "www-data", "listen.mode": "0600"},
    {"listen.acl_groups": "nogroup", "listen.owner": "www-data"},
])
def test_model_matches_php_fpm(host, settings):
    tmp_path = Path(tempfile.mkdtemp(prefix="gwlint-perms-"))  # pytest's own tmp dir is 0700
    tmp_path.chmod(0o755)
    try:
        with php_fpm(tmp_path, settings) as sock:
            pool = SimpleNamespace(value=lambda key, default=None: settings.get(key, default))
            perms = socket_perms(pool, host, "root")
            for user, group in USERS:
                assert perms.grant(host.identity(user, group))[0] == connects(str(sock), user, group), \
                    f"{user}:{group} vs {perms}"
    finally:
        shutil.rmtree(tmp_path)


def test_unsearchable_parent_directory_blocks_as_computed(host, tmp_path):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    with php_fpm(private, {"listen.owner": "www-data"}) as sock:
        who = host.identity("www-data", "www-data")
        blocked = blocked_parent(Root(Path("/")), str(sock), who, host)
        assert blocked is not None and not connects(str(sock), "www-data", "www-data")


@contextmanager
def php_fpm(tmp_path, settings):
    """Run a one-pool php-fpm listening on tmp_path/s.sock; yield the socket path."""
    sock = tmp_path / "s.sock"
    conf = tmp_path / "php-fpm.conf"
    lines = [f"{k} = {v}" for k, v in settings.items()]
    conf.write_text("\n".join(["[global]", f"error_log = {tmp_path}/fpm.log", "daemonize = no",
                               "[www]", "user = www-data", "group = www-data", f"listen = {sock}",
                               "pm = static", "pm.max_children = 1", *lines]) + "\n")
    proc = subprocess.Popen([FPM, "-n", "-F", "-y", str(conf), "-p", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.05)  # chown/chmod follow the bind
        yield sock
    finally:
        proc.terminate()
        proc.wait(timeout=5)
