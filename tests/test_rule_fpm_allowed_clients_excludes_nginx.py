from functools import partial

from gwlint import testing

# Reachability rules, tested apart from the pool-validity and socket rules: these pools are minimal
lint = partial(testing.lint, ignore=("GW201", "GW223"))

POOL = """[www]
user = www-data
listen = 127.0.0.1:9000
listen.allowed_clients = CLIENTS  ; expect: GW304
"""

NGINX = """events {}
http {
    server {
        listen 80;
        location ~ \\.php$ {
            PASS
        }
    }
}
"""


def tree(clients, pass_line="fastcgi_pass 127.0.0.1:9000;", listen="127.0.0.1:9000", flagged=True):
    pool = POOL if flagged else POOL.replace("  ; expect: GW304", "")
    return {"etc/nginx/nginx.conf": NGINX.replace("PASS", pass_line),
            "etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
            "etc/php/8.2/fpm/pool.d/www.conf": pool.replace("CLIENTS", clients).replace("127.0.0.1:9000", listen)}


def test_list_without_loopback_is_flagged_and_fixed(tmp_path):
    r = lint(tree("10.0.0.2"), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "nginx connects from 127.0.0.1" in f.message and "(104: Connection reset by peer)" in f.message
    assert (f.path, f.line) == ("etc/php/8.2/fpm/pool.d/www.conf", 4)
    assert [(x.path, x.line) for x in f.related] == [("etc/nginx/nginx.conf", 6)]
    assert r.fixed_line("etc/php/8.2/fpm/pool.d/www.conf", 4) == \
        "listen.allowed_clients = 10.0.0.2,127.0.0.1  ; expect: GW304"
    assert r.relint().findings == []


def test_space_after_comma_drops_the_entry(tmp_path):
    # measured: php-fpm 8.2 rejects ' 127.0.0.1' and nginx gets 502 (104)
    r = lint(tree("10.0.0.2, 127.0.0.1"), tmp_path)
    r.assert_expected()
    assert "php-fpm ignores ' 127.0.0.1'" in r.findings[0].message
    assert r.fixed_line("etc/php/8.2/fpm/pool.d/www.conf", 4) == \
        "listen.allowed_clients = 10.0.0.2,127.0.0.1  ; expect: GW304"


def test_fastcgi_bind_is_the_source(tmp_path):
    r = lint(tree("127.0.0.1", "fastcgi_bind 10.0.0.9;\n            fastcgi_pass 10.0.0.5:9000;",
                  listen="9000"), tmp_path)
    r.assert_expected()
    assert "nginx connects from 10.0.0.9" in r.findings[0].message


def test_remote_target_with_loopback_only_list_is_flagged_without_fix(tmp_path):
    r = lint(tree("127.0.0.1", "fastcgi_pass php:9000;", listen="9000"), tmp_path)
    r.assert_expected()
    assert r.findings[0].fix is None


def test_covered_clients_are_clean(tmp_path):
    assert lint(tree("127.0.0.1", flagged=False), tmp_path / "a").findings == []
    assert lint(tree("::ffff:127.0.0.1", flagged=False), tmp_path / "b").findings == []
    assert lint(tree("10.0.0.2", "fastcgi_pass php:9000;", listen="9000", flagged=False), tmp_path / "c").findings == []


def test_name_mapped_to_loopback_in_etc_hosts_connects_from_loopback(tmp_path):
    files = tree("10.0.0.2", "fastcgi_pass php:9000;", listen="9000") | {"etc/hosts": "127.0.0.1 localhost php\n"}
    r = lint(files, tmp_path)
    r.assert_expected()
    assert "nginx connects from 127.0.0.1" in r.findings[0].message


def test_any_allows_nobody(tmp_path):
    # measured: php-fpm 8.2 with `listen.allowed_clients = any` drops every connection (502)
    r = lint(tree("any"), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "allows only nobody" in f.message and "`any` is no keyword" in f.message
    assert f.fix.safe is False
    assert r.fixed_line("etc/php/8.2/fpm/pool.d/www.conf", 4, unsafe=True) == \
        "listen.allowed_clients = 127.0.0.1  ; expect: GW304"
