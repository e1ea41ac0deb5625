"""Inline suppressions in nginx (`#`) and INI (`;`) files: scope, reason, unused and invalid ones."""

from gwlint.engine import runner as engine
from gwlint.engine.config import from_dict
from gwlint.engine.finding import Severity, report
from gwlint.engine.registry import Rule, load_rules
from gwlint.model.workspace import load_workspace
from gwlint.testing import write_tree

POOL = """[www]
user = www-data
listen = /run/php/php8.2-fpm.sock
listen.owner = www-data
listen.group = www-data
pm = static
pm.max_children = 5
"""
SITE = """user www-data;
events {}
http {
    server {
        listen 80;
        location ~ \\.php$ {
            fastcgi_pass unix:/run/php/php8.1-fpm.sock;%s
        }
    }
}
"""
PHP_INI = "[PHP]\nmemory_limit = 128M\n"


def listen_rule() -> Rule:
    """A test rule with a finding on every pool's `listen` line and on php.ini's memory_limit."""
    def check(ws):
        for pool in ws.pools:
            yield report(pool.get("listen"), "listen seen")
        for install in ws.installs:
            if "memory_limit" in install.php_ini:
                yield report(install.php_ini["memory_limit"], "memory_limit seen")
    return Rule("GW299", "listen-seen", Severity.WARNING, check, "Listen seen.\n", "test")


def lint(tmp_path, site_comment="", pool=POOL, php_ini=PHP_INI, nginx_head="", config=None):
    root = write_tree({
        "etc/nginx/nginx.conf": nginx_head + SITE % site_comment,
        "etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
        "etc/php/8.2/fpm/pool.d/www.conf": pool,
        "etc/php/8.2/fpm/php.ini": php_ini,
    }, tmp_path)
    rules = [*load_rules(), listen_rule()]
    cfg = from_dict(config or {}, engine.known_codes(rules))
    return [(f.code, f.path.rsplit("/", 1)[-1], f.line) for f in engine.run(load_workspace(root), rules, cfg)]


BASE = [("GW301", "nginx.conf", 7), ("GW299", "php.ini", 2), ("GW299", "www.conf", 3)]


def test_without_suppressions_every_finding_is_reported(tmp_path):
    assert sorted(lint(tmp_path)) == sorted(BASE)


def test_trailing_disable_with_reason_suppresses_only_that_code_on_that_line(tmp_path):
    got = lint(tmp_path, "  # gwlint: disable=GW301 -- pool lives in a container")
    assert sorted(got) == sorted(BASE[1:])


def test_disable_next_line_in_nginx_and_trailing_disable_in_ini(tmp_path):
    site = SITE.replace("            fastcgi_pass", "            # gwlint: disable-next-line=GW301 -- reason\n"
                                                     "            fastcgi_pass")
    pool = POOL.replace("listen = /run/php/php8.2-fpm.sock", "listen = /run/php/php8.2-fpm.sock ; gwlint: disable=GW299 -- ok")
    got = lint(tmp_path, pool=pool,
               php_ini="[PHP]\n; gwlint: disable-next-line=GW299 -- sized by ops\nmemory_limit = 128M\n")
    assert ("GW299", "www.conf", 3) not in got and ("GW299", "php.ini", 3) not in got
    assert sorted(got) == [("GW301", "nginx.conf", 7)]
    (tmp_path / "etc/nginx/nginx.conf").write_text(site % "")
    assert engine.run(load_workspace(tmp_path), [*load_rules(), listen_rule()]) == []


def test_disable_file_at_the_top_suppresses_the_whole_file(tmp_path):
    got = lint(tmp_path, pool="; gwlint: disable-file=GW299 -- generated file\n" + POOL)
    assert ("GW299", "www.conf", 4) not in got and ("GW299", "php.ini", 2) in got
    got = lint(tmp_path, nginx_head="# gwlint: disable-file=GW301 -- legacy vhost\n")
    assert [c for c in got if c[1] == "nginx.conf"] == []


def test_disable_file_below_the_first_directive_is_invalid_and_suppresses_nothing(tmp_path):
    got = lint(tmp_path, pool=POOL + "; gwlint: disable-file=GW299 -- too late\n")
    assert ("GW912", "www.conf", 8) in got and ("GW299", "www.conf", 3) in got


def test_a_reason_is_required(tmp_path):
    got = lint(tmp_path, "  # gwlint: disable=GW301")
    assert ("GW911", "nginx.conf", 7) in got and ("GW301", "nginx.conf", 7) in got
    got = lint(tmp_path, "  # gwlint: disable=GW301 --   ")
    assert ("GW911", "nginx.conf", 7) in got


def test_unused_suppression_is_reported_unless_its_rule_is_not_selected(tmp_path):
    got = lint(tmp_path, pool=POOL.replace("user = www-data", "user = www-data ; gwlint: disable=GW299 -- x"))
    assert ("GW910", "www.conf", 2) in got and ("GW299", "www.conf", 3) in got
    got = lint(tmp_path, pool=POOL.replace("user = www-data", "user = www-data ; gwlint: disable=GW299 -- x"),
               config={"ignore": ["GW299"]})
    assert [c for c in got if c[0] == "GW910"] == []
    got = lint(tmp_path, pool=POOL.replace("user = www-data", "user = www-data ; gwlint: disable=GW299 -- x"),
               config={"ignore": ["GW910"]})
    assert [c for c in got if c[0] == "GW910"] == []


def test_unknown_code_and_bad_syntax_are_invalid_suppressions(tmp_path):
    got = lint(tmp_path, "  # gwlint: disable=GW399 -- typo")
    assert ("GW912", "nginx.conf", 7) in got and ("GW301", "nginx.conf", 7) in got
    got = lint(tmp_path, "  # gwlint: disabel=GW301 -- typo")
    assert ("GW912", "nginx.conf", 7) in got and ("GW301", "nginx.conf", 7) in got


def test_a_comment_after_other_text_is_read_and_an_ordinary_comment_is_not(tmp_path):
    got = lint(tmp_path, "  # old socket; gwlint: disable=GW301,GW299 -- migrating")
    assert ("GW301", "nginx.conf", 7) not in got and ("GW910", "nginx.conf", 7) in got  # GW299 unused
    assert sorted(lint(tmp_path, "  # gwlint is great")) == sorted(BASE)
    assert sorted(lint(tmp_path, "  # see the gwlint: docs")) == sorted(BASE)
