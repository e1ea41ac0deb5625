"""Security: nothing outside ROOT is read or written (symlinks included); config is never executed."""

import os
import re
import sys
from pathlib import Path

import rule_trees

from gwlint.cli import app
from gwlint.testing import CliRunner, lint_tree, write_tree

PACKAGE = Path(__file__).resolve().parent.parent / "gwlint"
NGINX = """\
user www-data;
events {}
http {
    include /etc/nginx/sites-enabled/*;
}
"""
SITE = """\
server {
    location ~ \\.php$ {
        fastcgi_pass unix:/run/php/php8.1-fpm.sock;
    }
}
"""
POOL = rule_trees.POOL

_opened: list[str] = []
_recording = False


def _audit(event, args):
    if _recording and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


def _record(fn):
    global _recording
    _opened.clear()
    _recording = True
    try:
        return fn()
    finally:
        _recording = False


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    root = write_tree({"etc/nginx/nginx.conf": NGINX, "etc/nginx/sites-available/app": SITE,
                       "etc/php/8.2/fpm/pool.d/www.conf": POOL}, tmp_path / "root")
    outside = write_tree({"secret.conf": SITE.replace("php8.1", "php7.0")}, tmp_path / "outside")
    return root, outside


def test_absolute_symlink_is_followed_inside_root_like_a_chroot(tmp_path):
    # Debian links sites-enabled/x -> /etc/nginx/sites-available/x: inside ROOT, not on the host
    root, _ = _tree(tmp_path)
    (root / "etc/nginx/sites-enabled").mkdir()
    os.symlink("/etc/nginx/sites-available/app", root / "etc/nginx/sites-enabled/app")
    r = lint_tree(root)
    assert [(f.path, f.line, f.code) for f in r.findings] == [("etc/nginx/sites-available/app", 3, "GW301")]


def test_symlinks_to_outside_root_are_never_read(tmp_path):
    root, outside = _tree(tmp_path)
    enabled = root / "etc/nginx/sites-enabled"
    enabled.mkdir()
    os.symlink(outside / "secret.conf", enabled / "absolute")  # re-rooted: ROOT/<tmp>/outside/...
    os.symlink("../../../../outside/secret.conf", enabled / "dotdot")  # `..` stops at ROOT
    os.symlink(outside, root / "etc/nginx/conf.d")  # a linked directory
    (root / "etc/nginx/nginx.conf").write_text(NGINX.replace("http {\n", "http {\n    include conf.d/*.conf;\n"))
    r = _record(lambda: lint_tree(root))
    assert not [p for p in _opened if p.startswith(str(outside))]
    assert "php7.0" not in repr(r.findings)


def test_include_climbing_out_of_root_is_not_found(tmp_path):
    root, outside = _tree(tmp_path)
    rel_out = os.path.relpath(outside / "secret.conf", root / "etc/nginx")
    (root / "etc/nginx/nginx.conf").write_text(f"user www-data;\nevents {{}}\nhttp {{\n    include {rel_out};\n}}\n")
    r = _record(lambda: lint_tree(root))
    assert [(f.path, f.line, f.code) for f in r.findings] == [("etc/nginx/nginx.conf", 4, "GW901")]
    assert not [p for p in _opened if p.startswith(str(outside))]


def test_fix_through_symlink_writes_only_inside_root(tmp_path):
    root, outside = _tree(tmp_path)
    (root / "etc/nginx/sites-enabled").mkdir()
    os.symlink("/etc/nginx/sites-available/app", root / "etc/nginx/sites-enabled/app")
    os.symlink(outside / "secret.conf", root / "etc/nginx/sites-enabled/zz-outside")
    before = {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()}
    result = CliRunner().invoke(app, ["check", str(root), "--fix"])
    assert result.exit_code == 1 and "GW906" in result.output, result.output  # the outside link: reported, unread
    assert "php8.2-fpm.sock" in (root / "etc/nginx/sites-available/app").read_text()
    assert (root / "etc/nginx/sites-enabled/app").is_symlink()
    assert {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()} == before


def test_config_content_is_never_executed(tmp_path):
    canary = tmp_path / "pwned"
    evil = f'$(touch {canary}) `touch {canary}`; touch {canary}'
    root = write_tree({
        "etc/nginx/nginx.conf": f'events {{}}\nhttp {{ server {{ location / {{ fastcgi_pass "unix:{evil}"; '
                                f'fastcgi_param X "{evil}"; }} }} }}\n',
        "etc/php/8.2/fpm/pool.d/www.conf": f"[www]\nlisten = /run/x.sock\nuser = {evil}\n"
                                           f"php_admin_value[sendmail_path] = {evil}\n",
    }, tmp_path / "root")
    for args in (["check", str(root)], ["check", str(root), "--diff"], ["check", str(root), "--fix"]):
        result = CliRunner().invoke(app, args)
        assert (result.exit_code in (0, 1, 2) and not isinstance(result.exception, Exception)) or \
            isinstance(result.exception, SystemExit)
    assert not canary.exists()


def test_package_has_no_way_to_run_a_shell():
    """No shell and no eval; the one subprocess (--verify runs nginx -t/php-fpm -t) passes an argv list."""
    pattern = re.compile(r"\b(shell=True|os\.system|os\.popen|os\.exec\w*|os\.spawn\w*|eval\(|exec\()")
    hits = [f"{p.name}: {m.group(0)}" for p in PACKAGE.rglob("*.py") for m in pattern.finditer(p.read_text())]
    assert hits == []
    assert sorted(p.name for p in PACKAGE.rglob("*.py") if "subprocess" in p.read_text()) == ["nginx_t.py"]
