"""`gwlint check --nginx-dump/--fpm-dump`: dumps made by the real `nginx -T` and `php-fpm -tt`.

The fixtures are copied to a temp dir and relocated there (absolute paths, pid, logs, temp paths
and listen ports rewritten in place, line numbers unchanged) so that the real binaries can dump
them without touching the host.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gwlint.cli import app
from gwlint.errors import InputError
from gwlint.load.dumps import fpm_dump_ini, split_nginx_dump
from gwlint.testing import CliRunner

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
PHP_FPM = next(iter(sorted(Path("/usr/sbin").glob("php-fpm*"))), None) if Path("/usr/sbin").is_dir() else None


def _need(binary):
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("nginx/php-fpm missing under CI: install them (make servers)")
        pytest.skip("nginx/php-fpm not installed")
    return str(binary)


def relocate(fixture: str, tmp: Path) -> Path:
    """A copy of the fixture whose absolute paths point into the copy; lines stay where they were."""
    tree = tmp / "srv"
    shutil.copytree(FIXTURES / fixture, tree, symlinks=True)
    rw = tmp / "rw"
    rw.mkdir()
    ports = iter(range(20000 + os.getpid() % 20000, 65000))
    for link in (p for p in tree.rglob("*") if p.is_symlink() and os.readlink(p).startswith("/")):
        target = os.readlink(link)
        link.unlink()
        link.symlink_to(f"{tree}{target}")
    for path in sorted(p for p in tree.rglob("*") if p.is_file() and not p.is_symlink()):
        text = path.read_text()
        text = text.replace("/etc/", f"{tree}/etc/")
        text = re.sub(r"(?m)^pid .*;", f"pid {rw}/nginx.pid;", text)
        text = re.sub(r"/var/log/[\w./-]+", lambda m: f"{rw}/{Path(m.group(0)).name}", text)
        text = re.sub(r"(?m)^http \{", "http { " + " ".join(
            f"{kind}_temp_path {rw}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")), text)
        text = re.sub(r"listen\s+(\[::\]:)?\d+", lambda m: f"listen 127.0.0.1:{next(ports)}", text)
        path.write_text(text)
    return tree


def nginx_dump(tree: Path, tmp: Path) -> str:
    conf = tree / "etc/nginx/nginx.conf"
    done = subprocess.run([_need(NGINX), "-T", "-p", f"{tmp}/rw/", "-e", f"{tmp}/rw/error.log", "-c", str(conf)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stderr + done.stdout  # as `nginx -T 2>&1` shows it: stderr lines come first


def fpm_dump(conf: Path) -> str:
    done = subprocess.run([_need(PHP_FPM), "-n", "-tt", "-p", str(conf.parent), "-y", str(conf)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stderr


def fpm_dump_files(tree: Path, tmp: Path) -> list[str]:
    """`--fpm-dump FILE` arguments: one -tt dump per php-fpm master of the tree."""
    args = []
    for number, conf in enumerate(sorted(tree.glob("etc/php/*/fpm/php-fpm.conf"))):
        (tmp / f"fpm{number}.txt").write_text(fpm_dump(conf))
        args += ["--fpm-dump", str(tmp / f"fpm{number}.txt")]
    return args


def run(args, stdin=None):
    result = CliRunner().invoke(app, ["check", *args], input=stdin)
    assert not result.exception or isinstance(result.exception, SystemExit), result.exception
    return result


def findings(result) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["code"]) for f in json.loads(result.stdout)["findings"]]


def test_nginx_and_fpm_dumps_report_original_paths_and_lines(tmp_path):
    tree = relocate("debian-socket-mismatch", tmp_path)
    (tmp_path / "nginx.txt").write_text(nginx_dump(tree, tmp_path))
    fpm = fpm_dump(tree / "etc/php/8.2/fpm/php-fpm.conf")
    result = run(["--nginx-dump", str(tmp_path / "nginx.txt"), "--fpm-dump", "-", "--format", "json"], fpm)
    assert result.exit_code == 1, result.output
    site = f"{tree}/etc/nginx/sites-enabled/default".lstrip("/")  # the path as nginx -T names it
    assert findings(result) == [(site, 18, "GW301")]
    assert "fastcgi_pass unix:/run/php/php8.1-fpm.sock" in (tree / "etc/nginx/sites-enabled/default") \
        .read_text().splitlines()[18 - 1]
    doc = json.loads(result.stdout)
    assert doc["root"] == "/"
    [rel] = doc["findings"][0]["related"]
    assert rel["path"] == "<stdin>" and fpm.splitlines()[rel["line"] - 1].endswith("listen = /run/php/php8.2-fpm.sock")


def test_dump_finds_what_the_tree_finds(tmp_path):
    from_tree = run([str(FIXTURES / "debian-socket-mismatch"), "--format", "json"])
    tree = relocate("debian-socket-mismatch", tmp_path)
    from_dump = run(["--nginx-dump", "-", *fpm_dump_files(tree, tmp_path), "--format", "json"],
                    nginx_dump(tree, tmp_path))
    # the tree reports at the symlink's target, the dump at the name nginx read it under
    assert [(line, code) for _, line, code in findings(from_dump)] == \
        [(line, code) for _, line, code in findings(from_tree)] == [(18, "GW301")]


@pytest.mark.parametrize("fixture", ["debian-clean", "layout-debian-multiphp"])
def test_clean_fixture_dumps_are_clean(tmp_path, fixture):
    tree = relocate(fixture, tmp_path)
    dump = nginx_dump(tree, tmp_path)
    result = run(["--nginx-dump", "-", *fpm_dump_files(tree, tmp_path)], dump)
    assert result.exit_code == 0, result.output
    enabled = sorted(p.name for p in (tree / "etc/nginx/sites-enabled").iterdir())
    assert [p for p, _, _ in split_nginx_dump(dump, "d") if "/sites-enabled/" in p] == \
        [f"{tree}/etc/nginx/sites-enabled/{name}" for name in enabled]  # what real nginx loaded


# the parsers, on hand-made dumps -----------------------------------------------------------

def test_split_keeps_lines_and_missing_final_newline():
    dump = ("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
            "# configuration file /etc/nginx/nginx.conf:\nhttp {\n    include /etc/nginx/a;\n}\n\n"
            "# configuration file /etc/nginx/a:\nserver {}\n"
            "# configuration file /etc/nginx/a:\nserver {}\n")
    assert split_nginx_dump(dump, "d") == [
        ("/etc/nginx/nginx.conf", "http {\n    include /etc/nginx/a;\n}\n", 2),
        ("/etc/nginx/a", "server {}", 7)]


def test_syntax_error_in_a_dump_points_at_the_original_file_and_line():
    dump = "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp {\n    server {\n}\n\n"
    result = run(["--nginx-dump", "-"], dump)
    assert result.exit_code == 2
    assert result.stderr.strip() == 'gwlint: error: etc/nginx/nginx.conf:2: "http" block is never closed ' \
                                    '(unexpected end of file, expecting "}")'


def test_not_a_dump_is_exit_2():
    result = run(["--nginx-dump", "-"], "nginx: [emerg] unknown directive \"foo\"\nnginx: test failed\n")
    assert result.exit_code == 2 and result.stderr.startswith("gwlint: error: <stdin>:1: no '# configuration file")
    result = run(["--fpm-dump", "-"], "[01-Jan-2026 00:00:00] ERROR: [pool www] cannot get uid for user 'x'\n")
    assert result.exit_code == 2 and "<stdin>:1: php-fpm reported ERROR: [pool www] cannot get uid" in result.stderr


def test_dump_paths_never_leave_the_temp_tree(tmp_path):
    outside = tmp_path / "x.conf"
    dump = f"# configuration file /etc/nginx/nginx.conf:\nevents {{}}\n\n" \
           f"# configuration file /../../..{outside}:\nevents {{}}\n\n"
    assert run(["--nginx-dump", "-"], dump).exit_code == 0
    assert not outside.exists()


def test_dump_excludes_root_and_fix():
    for args in (["somewhere", "--nginx-dump", "-"], ["--nginx-dump", "-", "--fix"],
                 ["--fpm-dump", "-", "--diff"], ["--nginx-dump", "-", "--fpm-dump", "-"],
                 ["--fpm-dump", "a", "--fpm-dump", "-", "--fpm-dump", "-"]):
        result = run(args, "")
        assert result.exit_code == 2 and result.stderr.startswith("gwlint: error: "), args


def test_fpm_dump_ini_keeps_dump_lines_and_drops_defaults():
    dump = ("[22-Nov-2026 05:06:24] NOTICE: [global]\n"
            "[22-Nov-2026 05:06:24] NOTICE: \tpid = /run/php/php8.2-fpm.pid\n"
            "[22-Nov-2026 05:06:24] NOTICE:  \n"
            "[22-Nov-2026 05:06:24] NOTICE: [www]\n"
            "[22-Nov-2026 05:06:24] NOTICE: \tlisten.mode = undefined\n"
            "[22-Nov-2026 05:06:24] NOTICE: \taccess.format = %R; \"%m\"\n"
            "[22-Nov-2026 05:06:24] NOTICE: \tphp_value[display_errors] = 0\n"
            "[22-Nov-2026 05:06:24] NOTICE: configuration file /etc/php/8.2/fpm/php-fpm.conf test is successful\n")
    from gwlint.load.ini import parse_ini
    ini = parse_ini(fpm_dump_ini(dump, "d"), "d")
    assert [(s.section, s.key, s.value, s.line) for s in ini.settings] == [
        ("global", "pid", "/run/php/php8.2-fpm.pid", 2), ("www", "access.format", '%R; "%m"', 6),
        ("www", "php_value[display_errors]", "0", 7)]
    journal = "\n".join(f"Nov 22 05:06:24 host php-fpm8.2[812]: {line}" for line in dump.splitlines()) + "\n"
    assert fpm_dump_ini(journal, "d") == fpm_dump_ini(dump, "d")
    assert fpm_dump_ini(journal.replace("\t", "#011"), "d") == fpm_dump_ini(dump, "d")
    with pytest.raises(InputError, match="not `php-fpm -tt` output"):
        fpm_dump_ini("php-fpm: nothing\n", "d")


def test_fpm_dump_with_php_ini_files_builds_the_model(tmp_path):
    from gwlint.load.dumps import materialize
    from gwlint.model.workspace import load_workspace

    tree = relocate("layout-debian-multiphp", tmp_path)
    dump = fpm_dump(tree / "etc/php/8.1/fpm/php-fpm.conf")
    (tmp_path / "fpm.txt").write_text(dump)
    chain = [tree / "etc/php/8.1/fpm/php.ini", tree / "etc/php/8.1/fpm/conf.d/20-app.ini"]
    with materialize(None, [str(tmp_path / "fpm.txt")], chain) as tree_in:
        ws = load_workspace(tree_in.root, fpm=tree_in.fpm, php_ini=tree_in.php_ini)
    [pool] = ws.pools
    assert pool.name == "www" and str(pool.listen) == "unix:/run/php/php8.1-fpm.sock"
    assert pool.get("listen").path == str(tmp_path / "fpm.txt").lstrip("/")  # the dump, as given
    assert dump.splitlines()[pool.get("listen").line - 1].endswith("listen = /run/php/php8.1-fpm.sock")
    assert "listen.mode" not in pool.settings  # -tt's "undefined": the default applies
    setting = pool.php_ini("memory_limit")
    assert (setting.value, setting.path) == ("192M", f"{tree}/etc/php/8.1/fpm/conf.d/20-app.ini".lstrip("/"))
