"""What a run reads: a `/`-like root as its services read it (never a walk), repos of several hosts
(one model each), and fail-closed verdicts (nothing read is never a pass)."""

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import rule_trees

from gwlint.cli import app
from gwlint.load.roots import find_roots
from gwlint.testing import CliRunner, write_tree

SITE = """\
server {
    listen 80;
    location ~ \\.php$ {
        fastcgi_pass unix:/run/php/php8.2-fpm.sock;
    }
}
"""
NGINX = "user www-data;\nevents {}\nhttp {\n    include /etc/nginx/sites-enabled/*;\n}\n"
GROUP = "root:x:0:\nwww-data:x:33:\n"
PASSWD = "root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n"
BROKEN = "http { server { listen 80;\n"  # unclosed: exit 2 if it were ever read
DECOYS = {  # each place a live / keeps configs no service reads (broken ones too)
    "proc/1/root/etc/nginx/nginx.conf": BROKEN, "sys/kernel/nginx.conf": BROKEN, "dev/shm/php-fpm.conf": "[x\n",
    "run/nginx/nginx.conf": BROKEN, "tmp/gwlint-prop-1/etc/nginx/nginx.conf": "\x9f\x00binary",
    "home/u/project/etc/nginx/nginx.conf": BROKEN, "root/old/etc/php/7.4/fpm/php-fpm.conf": "[www]\nlisten=1\n",
    "srv/other/docker-compose.yml": "services: [unclosed\n", "opt/app/etc/nginx/nginx.conf": BROKEN,
    "usr/share/doc/nginx/examples/nginx.conf": BROKEN, "usr/lib/python3/dist-packages/x/php-fpm.conf": "[\n",
    "var/lib/docker/overlay2/a/etc/nginx/nginx.conf": BROKEN, "mnt/backup/etc/nginx/nginx.conf": BROKEN,
    "media/usb/nginx.conf": BROKEN, "snap/core/etc/nginx/nginx.conf": BROKEN,
    "etc/nginx/sites-available/not-enabled": BROKEN,  # nginx reads sites-enabled only
}
DECOY_TOPS = ("proc", "sys", "dev", "run/nginx", "tmp", "home", "root", "srv/other", "opt", "usr/share",
              "usr/lib/python3", "var", "mnt", "media", "snap", "etc/nginx/sites-available/not-enabled")

_events: list[tuple[str, str]] = []
_recording = False


def _audit(event, args):
    if _recording and event in ("open", "os.listdir", "os.scandir") and args and \
            isinstance(args[0], (str, bytes, os.PathLike)):
        _events.append((event, os.fsdecode(args[0])))


sys.addaudithook(_audit)


def recorded(fn):
    """(result of fn, every path opened or listed while it ran)."""
    global _recording
    _events.clear()
    _recording = True
    try:
        return fn(), list(_events)
    finally:
        _recording = False


def check(*args):
    return CliRunner().invoke(app, ["check", *map(str, args)])


def system_tree(root: Path) -> Path:
    return write_tree({
        "etc/nginx/nginx.conf": NGINX, "etc/nginx/sites-enabled/app": SITE,
        "etc/php/8.2/fpm/php-fpm.conf": rule_trees.FPM_CONF, "etc/php/8.2/fpm/pool.d/www.conf": rule_trees.POOL,
        "etc/php/8.2/fpm/php.ini": "[PHP]\nmax_execution_time = 30\n",
        "etc/php/8.2/fpm/conf.d/10-opcache.ini": "opcache.enable = 1\n",
        "etc/passwd": PASSWD, "etc/group": GROUP, "etc/hosts": "127.0.0.1 localhost\n",
        "etc/systemd/system/app.service": "[Service]\nWorkingDirectory=/srv/app\n"
                                          "ExecStart=/usr/bin/docker compose up\n",
        "srv/app/docker-compose.yml": "services:\n  api:\n    ports: ['127.0.0.1:3000:3000']\n",
        **DECOYS}, root)


def test_a_slash_like_root_reads_what_the_services_read_and_nothing_else(tmp_path):
    root = system_tree(tmp_path / "root")
    result, events = recorded(lambda: check(root, "--verbose"))
    assert result.exit_code == 0, result.output
    touched = {os.path.relpath(path, root) for _, path in events if path.startswith(str(root))}
    for decoy in DECOY_TOPS:
        assert not [t for t in touched if t == decoy or t.startswith(decoy + "/")], (decoy, sorted(touched))
    for needed in ("etc/nginx/nginx.conf", "etc/nginx/sites-enabled/app", "etc/php/8.2/fpm/pool.d/www.conf",
                   "etc/php/8.2/fpm/php.ini", "etc/php/8.2/fpm/conf.d/10-opcache.ini", "etc/group",
                   "srv/app/docker-compose.yml"):  # the compose file a unit starts is a backend file
        assert needed in touched, needed
    assert "backend: compose service api publishes 127.0.0.1:3000" in result.stderr
    assert "Checked nginx: 2 files, 1 server; php-fpm 8.2: 1 pool, php.ini + 1 conf.d file." in result.stdout


@pytest.mark.skipif(not Path("/etc/nginx/nginx.conf").is_file(), reason="no nginx installed here")
def test_live_slash_finishes_under_a_second_of_cpu(tmp_path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run([sys.executable, "-m", "gwlint", "check", "/", "--no-cache"], capture_output=True,
                         text=True, timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert run.returncode in (0, 1), run.stderr
    assert "Checked nginx:" in run.stdout and cpu < 1.0, (cpu, run.stdout[-300:])


# repos of several hosts ------------------------------------------------------------------------

def host(version: str, pool_socket: str, site_socket: str) -> dict[str, str]:
    return {"etc/nginx/nginx.conf": NGINX, "etc/nginx/sites-enabled/app": SITE.replace(
                "/run/php/php8.2-fpm.sock", site_socket),
            f"etc/php/{version}/fpm/php-fpm.conf": f"[global]\ninclude=/etc/php/{version}/fpm/pool.d/*.conf\n",
            f"etc/php/{version}/fpm/pool.d/www.conf": rule_trees.POOL.replace("/run/php/php8.2-fpm.sock", pool_socket),
            "etc/passwd": PASSWD, "etc/group": GROUP}


def prefixed(prefix: str, files: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}/{rel}": text for rel, text in files.items()}


def test_each_host_of_a_repo_is_its_own_model(tmp_path):
    # web1's nginx points at a socket only web2's pool has: a 502 on web1, whatever web2 holds;
    # both hosts use the same socket path for their own pools: no GW305 across machines
    repo = write_tree({**prefixed("hosts/web1", host("8.2", "/run/php/php8.2-fpm.sock", "/run/php/php8.3-fpm.sock")),
                       **prefixed("hosts/web2", host("8.3", "/run/php/php8.3-fpm.sock", "/run/php/php8.3-fpm.sock")),
                       **prefixed("hosts/web3", host("8.2", "/run/php/php8.3-fpm.sock", "/run/php/php8.3-fpm.sock")),
                       "README.md": "hosts\n"}, tmp_path / "repo")
    result = check(repo, "--format", "json")
    found = [(f["code"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [("GW301", "hosts/web1/etc/nginx/sites-enabled/app", 4)], result.stdout
    text = check(repo).stdout
    assert "Checked hosts/web1: nginx: 2 files, 1 server; php-fpm 8.2: 1 pool, no php.ini." in text
    assert "Checked hosts/web3:" in text


def test_root_search_skips_vcs_dependencies_and_hidden_dirs(tmp_path):
    files = host("8.2", "/run/php/php8.2-fpm.sock", "/run/php/php8.2-fpm.sock")
    repo = write_tree({**prefixed("deploy/prod", files), **prefixed(".git/x", files),
                       **prefixed("node_modules/pkg", files), **prefixed("vendor/lib", files),
                       **prefixed(".cache/y", files), **prefixed("deploy/prod/srv/inner", files)}, tmp_path)
    assert find_roots(str(repo)) == [f"{repo}/deploy/prod"]  # a found root is not searched further


def test_nginx_and_php_dirs_side_by_side_stay_one_project(tmp_path):
    repo = write_tree({"nginx/nginx.conf": "events {}\n", "php/php-fpm.d/www.conf": "[www]\nlisten = 9000\n"},
                      tmp_path)
    assert find_roots(str(repo)) == [str(repo)]


def test_repeated_root_option_lints_each_tree_on_its_own(tmp_path, monkeypatch):
    write_tree({**prefixed("a", host("8.2", "/run/php/php8.2-fpm.sock", "/run/php/php8.1-fpm.sock")),
                **prefixed("b", host("8.2", "/run/php/php8.1-fpm.sock", "/run/php/php8.2-fpm.sock"))}, tmp_path)
    monkeypatch.chdir(tmp_path)
    result = check("--root", "a", "--root", "b", "--format", "json")
    found = [(f["code"], f["path"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [("GW301", "a/etc/nginx/sites-enabled/app"), ("GW301", "b/etc/nginx/sites-enabled/app")]


# fail closed ------------------------------------------------------------------------------------

@pytest.mark.parametrize("files", [{}, {"README.md": "x\n", "src/app.php": "<?php\n", "etc/hosts": "127.0.0.1 a\n"}],
                         ids=["empty", "no-config"])
def test_nothing_to_lint_is_exit_2_naming_the_layouts_looked_for(tmp_path, files):
    root = write_tree(files, tmp_path / "t")
    root.mkdir(exist_ok=True)
    result = check(root)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "no nginx or PHP-FPM configuration found" in result.stderr
    assert "etc/php/*/fpm/php-fpm.conf" in result.stderr


def test_php_ini_without_fpm_config_is_exit_2(tmp_path):
    root = write_tree({"etc/nginx/nginx.conf": "events {}\n", "php.ini": "memory_limit = 1G\n"}, tmp_path)
    result = check(root, "--php-ini", root / "php.ini")
    assert result.exit_code == 2 and "--php-ini: no PHP-FPM configuration found" in result.stderr


def test_unreadable_pool_dir_is_exit_2_not_zero_pools(tmp_path, monkeypatch):
    root = write_tree(rule_trees.tree(), tmp_path)
    pool_dir = str(root / "etc/php/8.2/fpm/pool.d")
    real = os.listdir

    def listdir(path="."):
        if os.fspath(path) == pool_dir:  # as the kernel answers a user without r on the dir (root reads it)
            raise PermissionError(13, "Permission denied", pool_dir)
        return real(path)

    monkeypatch.setattr(os, "listdir", listdir)
    result = check(root)
    assert result.exit_code == 2, result.output
    assert result.stderr == "gwlint: error: etc/php/8.2/fpm/pool.d: cannot read directory: Permission denied\n"


def test_unreadable_nginx_include_dir_is_exit_2(tmp_path, monkeypatch):
    root = write_tree({**rule_trees.tree(nginx_conf=NGINX), "etc/nginx/sites-enabled/app": SITE}, tmp_path)
    enabled = str(root / "etc/nginx/sites-enabled")
    real = os.listdir

    def listdir(path="."):
        if os.fspath(path) == enabled:
            raise PermissionError(13, "Permission denied", enabled)
        return real(path)

    monkeypatch.setattr(os, "listdir", listdir)
    result = check(root)
    assert result.exit_code == 2 and "etc/nginx/sites-enabled: cannot read directory" in result.stderr


def test_install_with_no_pool_is_gw907(tmp_path):
    files = rule_trees.tree()
    files["etc/php/8.2/fpm/pool.d/www.conf.disabled"] = files.pop("etc/php/8.2/fpm/pool.d/www.conf")
    result = check(write_tree(files, tmp_path), "--format", "json")
    assert result.exit_code == 1
    found = {(f["code"], f["path"], f["line"]): f["message"] for f in json.loads(result.stdout)["findings"]}
    message = found[("GW907", "etc/php/8.2/fpm/php-fpm.conf", 2)]
    assert "php-fpm refuses to start (ERROR: No pool defined" in message and "502 Bad Gateway" in message
    assert "(2: No such file or directory)" in message


def test_include_name_longer_than_the_file_system_allows_is_a_short_finding(tmp_path):
    name = "a" * 20000
    conf = f"events {{}}\nhttp {{ include /etc/nginx/{name}.conf; }}\n"
    root = write_tree({**rule_trees.tree(), "etc/nginx/nginx.conf": conf}, tmp_path)
    result = check(root)
    assert result.exit_code == 1, result.output
    line = next(ln for ln in result.stdout.splitlines() if "GW901" in ln)
    assert line.startswith("etc/nginx/nginx.conf:2: GW901 error: include") and len(line) < 400
    assert "File name too long" in line
