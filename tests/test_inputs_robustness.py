"""No input breaks gwlint: mutated configs (hypothesis) and named hostile cases.

Every run must end with exit 0, 1 or 2, never a traceback, and exit 2 must say `path:line: ...`.
The five property tests are derandomized (the same cases on every run) and generate
5 x 100 = 500 cases in about 8 s; GWLINT_FUZZ_EXAMPLES=N runs N random cases per property instead.
"""

import os
import re
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import rule_trees
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gwlint.cli import app
from gwlint.testing import CliRunner, write_tree

NGINX = """\
user www-data;
events {
    worker_connections 768;
}
http {
    include /etc/nginx/sites-enabled/*;
}
"""
SITE = """\
upstream php {
    server unix:/run/php/php8.2-fpm.sock;
}
server {
    listen 80 default_server;
    server_name "example.org" 'www.example.org';
    root /var/www/html;
    location ~ \\.php$ {
        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
        fastcgi_pass unix:/run/php/php8.1-fpm.sock;
    }
    location /api/ {
        fastcgi_pass php;
        fastcgi_read_timeout 60s;
    }
}
"""
POOL = rule_trees.POOL + 'php_admin_value[memory_limit] = "256M" ; comment\nrequest_terminate_timeout = 30s\n'
PHP_INI = "[PHP]\nmax_execution_time = 30\nmemory_limit = 128M\n"
TREE = {"etc/nginx/nginx.conf": NGINX, "etc/nginx/sites-enabled/site": SITE,
        "etc/php/8.2/fpm/pool.d/www.conf": POOL, "etc/php/8.2/fpm/php.ini": PHP_INI}
ERROR_LINE = re.compile(r"^gwlint: error: [^\n:]+:\d+: \S")
EXAMPLES = int(os.environ.get("GWLINT_FUZZ_EXAMPLES", 100))  # per property below
FAST = settings(max_examples=EXAMPLES, deadline=None, derandomize="GWLINT_FUZZ_EXAMPLES" not in os.environ, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def check(root: Path, *args: str):
    """Run `gwlint check` in-process; fail on a traceback, a strange exit code or a vague error."""
    result = CliRunner().invoke(app, ["check", str(root), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        assert ERROR_LINE.match(result.stderr), result.stderr
    return result


def check_mutated(target: str, data: bytes) -> None:
    """`check` on the tree with `target` replaced by `data`, in a temp dir removed afterwards
    (hypothesis calls the test once per example: tmp_path would be shared by all of them)."""
    with tempfile.TemporaryDirectory(prefix="gwlint-prop-") as tmp:
        root = write_tree({k: v for k, v in TREE.items() if k != target}, Path(tmp))
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        (root / target).write_bytes(data)
        check(root)


targets = st.sampled_from(sorted(TREE))
OTHER: dict[str, list[str]] = {}  # the unmutated other dump, given as a file next to the mutated one


@pytest.fixture(autouse=True, scope="module")
def _clean_dumps(tmp_path_factory):
    where = tmp_path_factory.mktemp("dumps")
    (where / "nginx.txt").write_text(NGINX_DUMP)
    (where / "fpm.txt").write_text(FPM_DUMP)
    OTHER["--nginx-dump"] = ["--fpm-dump", str(where / "fpm.txt")]
    OTHER["--fpm-dump"] = ["--nginx-dump", str(where / "nginx.txt")]


def _splice(text: str, at: int, insert: bytes, cut: int = 0) -> bytes:
    raw = text.encode()
    at = at % (len(raw) + 1)
    return raw[:at] + insert + raw[at + cut:]


@FAST
@given(targets, st.integers(min_value=0))
def test_truncated_files(target, at):
    text = TREE[target]
    check_mutated(target, text.encode()[: at % (len(text) + 1)])


@FAST
@given(targets, st.integers(min_value=0), st.binary(min_size=1, max_size=12), st.integers(0, 8))
def test_random_bytes(target, at, junk, cut):
    check_mutated(target, _splice(TREE[target], at, junk, cut))


@FAST
@given(targets, st.integers(min_value=0),
       st.lists(st.sampled_from(["{", "}", '"', "'", ";", "[", "]", "=", "\\", "#", "\n", "$"]), min_size=1, max_size=6))
def test_unbalanced_braces_and_quotes(target, at, chars):
    check_mutated(target, _splice(TREE[target], at, "".join(chars).encode()))


@FAST
@given(targets, st.integers(min_value=0), st.integers(1, 200_000), st.sampled_from(["x", " ", "{", "a=", "\t"]))
def test_very_long_lines(target, at, length, unit):
    check_mutated(target, _splice(TREE[target], at, (unit * length).encode()[:length]))


NGINX_DUMP = "".join(f"# configuration file /{rel}:\n{TREE[rel]}\n" for rel in
                     ("etc/nginx/nginx.conf", "etc/nginx/sites-enabled/site"))
FPM_DUMP = "".join(f"[22-Nov-2026 05:06:24] NOTICE: {line}\n" for line in
                   ("[global]", "\tpid = /run/php/php8.2-fpm.pid", " ", "[www]", "\tlisten = /run/php/php8.2-fpm.sock",
                    "\tlisten.mode = undefined", "\tphp_admin_value[memory_limit] = 256M", " "))


@FAST
@given(st.sampled_from(["--nginx-dump", "--fpm-dump"]), st.integers(min_value=0),
       st.one_of(st.binary(min_size=1, max_size=12),
                 st.sampled_from([b"# configuration file /:\n", b"# configuration file /etc/nginx/nginx.conf/x:\n",
                                  b"# configuration file ../../x:\n", b"NOTICE: [", b"ERROR: x\n", b"\n}\n"])),
       st.integers(0, 8))
def test_mutated_dumps(option, at, junk, cut):
    dump = NGINX_DUMP if option == "--nginx-dump" else FPM_DUMP
    result = CliRunner().invoke(app, ["check", option, "-", *OTHER[option]], input=_splice(dump, at, junk, cut))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        assert ERROR_LINE.match(result.stderr), result.stderr


def test_unmutated_dumps_find_the_mismatch():
    for option, dump in (("--nginx-dump", NGINX_DUMP), ("--fpm-dump", FPM_DUMP)):
        result = CliRunner().invoke(app, ["check", option, "-", *OTHER[option]], input=dump)
        assert result.exit_code == 1 and "etc/nginx/sites-enabled/site:10: GW301" in result.stdout


# named cases --------------------------------------------------------------------------------

def test_deep_nesting_5000_levels(tmp_path):
    depth = 5000
    site = "server {\n" + "location / {\n" * depth + "fastcgi_pass unix:/run/php/php8.1-fpm.sock;\n" + \
        "}\n" * depth + "}\n"
    root = write_tree({**TREE, "etc/nginx/sites-enabled/site": site}, tmp_path)
    result = check(root)
    assert result.exit_code == 1 and f"etc/nginx/sites-enabled/site:{depth + 2}: GW301" in result.stdout
    unclosed = write_tree({**TREE, "etc/nginx/sites-enabled/site": "server {\n" + "location / {\n" * depth},
                          tmp_path / "unclosed")
    assert check(unclosed).exit_code == 2


def test_long_line_of_braces_is_linear(tmp_path):
    """The template check was a regex that went quadratic here (157 s for this line): now linear."""
    import time
    root = write_tree({**TREE, "etc/nginx/sites-enabled/site": SITE + "{" * 200_000 + "\n"}, tmp_path)
    start = time.monotonic()
    result = check(root)
    assert time.monotonic() - start < 10
    assert result.exit_code == 2 and "etc/nginx/sites-enabled/site:17:" in result.stderr
    template = write_tree({**TREE, "etc/nginx/sites-enabled/site": SITE + "# {{ x\n{% if a %}\n"}, tmp_path / "t")
    assert "etc/nginx/sites-enabled/site:18: GW903" in check(template).stdout


def test_include_cycles(tmp_path):
    root = write_tree({**TREE, "etc/nginx/sites-enabled/site": "include /etc/nginx/sites-enabled/site;\n"
                               "include /etc/nginx/a.conf;\n",
                       "etc/nginx/a.conf": "include /etc/nginx/b.conf;\n",
                       "etc/nginx/b.conf": "include /etc/nginx/a.conf;\n"}, tmp_path)
    result = check(root)
    assert result.exit_code == 1
    assert "etc/nginx/sites-enabled/site:1: GW902" in result.stdout
    assert "etc/nginx/b.conf:1: GW902" in result.stdout


def test_symlink_loops(tmp_path):
    root = write_tree(TREE, tmp_path)
    enabled = root / "etc/nginx/sites-enabled"
    os.symlink("self", enabled / "self")
    os.symlink("b", enabled / "a")
    os.symlink("a", enabled / "b")
    os.symlink("/etc/nginx/sites-enabled", enabled / "dir-loop")
    (root / "etc/nginx/nginx.conf").write_text(NGINX.replace("http {\n", "http {\n    include sites-enabled/self;\n"))
    result = check(root)
    assert result.exit_code == 1
    assert "etc/nginx/nginx.conf:6: GW901" in result.stdout  # the looping link is no file
    assert "etc/nginx/sites-enabled/site:10: GW301" in result.stdout


def test_glob_matching_thousands_of_files(tmp_path):
    files = {f"etc/nginx/sites-enabled/s{i:04}": f"server {{ server_name s{i}; }}\n" for i in range(3000)}
    root = write_tree({**TREE, **files}, tmp_path)
    result = check(root)
    assert result.exit_code == 1 and result.stdout.count("GW301") == 1


def test_20_mb_file(tmp_path):
    comment = "    # " + "x" * 70 + "\n"
    lines = 20 * 1024 * 1024 // len(comment)
    site = SITE.replace("server {\n", "server {\n" + comment * lines, 1)
    root = write_tree({**TREE, "etc/nginx/sites-enabled/site": site}, tmp_path)
    assert (root / "etc/nginx/sites-enabled/site").stat().st_size > 20 * 1024 * 1024
    result = check(root)
    assert f"etc/nginx/sites-enabled/site:{10 + lines}: GW301" in result.stdout


def test_unreadable_file(tmp_path, monkeypatch):
    root = write_tree(TREE, tmp_path)
    site = root / "etc/nginx/sites-enabled/site"
    site.chmod(0)
    if os.geteuid() == 0:  # root reads a chmod 000 file anyway: refuse it as the kernel refuses others
        import builtins

        real_open, target = builtins.open, os.path.realpath(site)

        def refusing_open(file, *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and os.path.realpath(file) == target:
                raise PermissionError(13, "Permission denied", os.fspath(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", refusing_open)
    result = check(root)
    assert result.exit_code == 2
    assert "etc/nginx/nginx.conf:6: include" in result.stderr and "Permission denied" in result.stderr


def test_fifo_where_a_file_is_expected(tmp_path):
    """A fifo blocks open() forever: it must be refused before it is opened (run in a subprocess)."""
    root = write_tree(TREE, tmp_path)
    os.mkfifo(root / "etc/nginx/fifo.conf")
    (root / "etc/nginx/nginx.conf").write_text(NGINX.replace("http {\n", "http {\n    include fifo.conf;\n"))
    done = subprocess.run([sys.executable, "-m", "gwlint", "check", str(root)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith('gwlint: error: etc/nginx/nginx.conf:6: include "fifo.conf": ')
    assert "not a regular file" in done.stderr


def test_directories_where_files_are_expected(tmp_path):
    root = write_tree(TREE, tmp_path)
    (root / "etc/nginx/conf.d").mkdir()
    (root / "etc/php/8.2/fpm/pool.d/dir.conf").mkdir()  # pool glob: skipped like php-fpm's glob of files
    (root / "etc/nginx/nginx.conf").write_text(NGINX.replace("http {\n", "http {\n    include conf.d;\n"))
    result = check(root)
    assert result.exit_code == 2
    assert result.stderr.startswith('gwlint: error: etc/nginx/nginx.conf:6: include "conf.d": ')
    assert "is a directory" in result.stderr
    (root / "etc/nginx/nginx.conf").write_text(NGINX)
    assert check(root).exit_code == 1


def test_non_utf8_bytes_are_read_and_kept_as_nginx_reads_them(tmp_path):
    """nginx and php-fpm read bytes: a Latin-1 comment is no reason to stop, and a fix keeps it."""
    root = write_tree(TREE, tmp_path)
    site = root / "etc/nginx/sites-enabled/site"
    site.write_bytes(SITE.encode().replace(b"root /var", b"# caf\xe9 \xff\xfe\nroot /var")
                     .replace(b"8.1-fpm.sock;", b"8.1-fpm.sock;  # \xe9t\xe9"))
    pool = root / "etc/php/8.2/fpm/pool.d/www.conf"
    pool.write_bytes(b"; r\xe9glages\n" + pool.read_bytes())
    result = check(root)
    assert result.exit_code == 1 and "etc/nginx/sites-enabled/site:11: GW301" in result.stdout
    diff = subprocess.run([sys.executable, "-m", "gwlint", "check", str(root), "--diff"], capture_output=True)
    assert diff.returncode == 1 and b"+        fastcgi_pass unix:/run/php/php8.2-fpm.sock;  # \xe9t\xe9\n" in diff.stdout
    assert check(root, "--fix").exit_code == 0
    fixed = site.read_bytes()
    assert fixed == SITE.encode().replace(b"root /var", b"# caf\xe9 \xff\xfe\nroot /var").replace(
        b"php8.1-fpm.sock;", b"php8.2-fpm.sock;  # \xe9t\xe9")
    assert pool.read_bytes().startswith(b"; r\xe9glages\n")


@pytest.mark.parametrize("encode", [lambda t: t.replace("\n", "\r\n").encode(),
                                    lambda t: b"\xef\xbb\xbf" + t.encode()], ids=["crlf", "bom"])
def test_crlf_and_bom_keep_lines_and_bytes(tmp_path, encode):
    root = write_tree(TREE, tmp_path)
    for rel in TREE:
        (root / rel).write_bytes(encode(TREE[rel]))
    result = check(root)
    assert result.exit_code == 1 and "etc/nginx/sites-enabled/site:10: GW301" in result.stdout
    assert check(root, "--fix").exit_code == 0
    fixed = (root / "etc/nginx/sites-enabled/site").read_bytes()
    assert fixed == encode(SITE.replace("php8.1", "php8.2"))


def test_empty_tree_and_empty_files(tmp_path):
    (tmp_path / "empty").mkdir()
    assert check(tmp_path / "empty").exit_code == 0
    root = write_tree(dict.fromkeys(TREE, ""), tmp_path / "files")
    assert check(root).exit_code == 0


def test_missing_root_and_file_modes(tmp_path):
    result = CliRunner().invoke(app, ["check", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "no such file or directory" in result.stderr
    root = write_tree(TREE, tmp_path / "ro")
    site = root / "etc/nginx/sites-enabled/site"
    site.chmod(stat.S_IRUSR)
    assert check(root, "--diff").exit_code == 1
