from functools import partial

from gwlint import testing

# Socket and account rules, tested apart from php-fpm's start-up checks (GW223): these pools omit pm.*
lint = partial(testing.lint, ignore=("GW223",))

NGINX = """user www-data;
events {}
http {
    server {
        location ~ \\.php$ {
            fastcgi_pass unix:/run/php/php8.2-fpm.sock;
        }
    }
}
"""

POOL = """[www]
user = www-data  ; expect: GW201
group = www-data
listen = /run/php/php8.2-fpm.sock
pm = static
"""
PATH = "etc/php/8.2/fpm/pool.d/www.conf"


def tree(pool=POOL, nginx=NGINX):
    files = {"etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n", PATH: pool}
    if nginx:
        files["etc/nginx/nginx.conf"] = nginx
    return files


def test_pool_user_equal_to_nginx_user_is_still_flagged(tmp_path):
    r = lint(tree(), tmp_path)
    f = next(f for f in r.findings if f.code == "GW201")
    assert (f.path, f.line) == (PATH, 2)
    assert "root:root 0660" in f.message and "(13: Permission denied)" in f.message
    assert [(x.path, x.line) for x in f.related] == [(PATH, 4)]


def test_fix_adds_owner_and_group_of_the_nginx_worker(tmp_path):
    r = lint(tree(), tmp_path)
    assert r.fixed_text(PATH).splitlines()[5:7] == ["listen.owner = www-data", "listen.group = www-data"]
    assert r.relint().findings == []


def test_without_nginx_the_fix_uses_the_pool_user_and_is_unsafe(tmp_path):
    r = lint(tree(nginx=None), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert not f.fix.safe and f.fix.title == "set listen.owner = www-data, listen.group = www-data"


def test_listen_group_alone_is_flagged_and_kept(tmp_path):
    pool = POOL + "listen.group = web\n"
    r = lint(tree(pool, nginx=None), tmp_path)
    (f,) = r.findings
    assert "root:web 0660" in f.message and "root and group web" in f.message
    assert f.fix.title == "set listen.owner = www-data"


def test_listen_owner_or_acl_is_clean(tmp_path):
    for extra in ("listen.owner = www-data\n", "listen.acl_users = www-data\n"):
        pool = POOL.replace("  ; expect: GW201", "") + extra
        assert [f.code for f in lint(tree(pool, nginx=None), tmp_path).findings] == []


def test_tcp_pool_is_clean(tmp_path):
    pool = POOL.replace("/run/php/php8.2-fpm.sock", "127.0.0.1:9000")
    assert lint(tree(pool, nginx=None), tmp_path).findings == []


def test_no_fix_towards_a_worker_missing_from_passwd(tmp_path):
    files = tree(nginx=NGINX.replace("user www-data;", "user nginx;"))
    files |= {"etc/passwd": "root:x:0:0::/:/bin/sh\nwww-data:x:33:33::/:/bin/false\n", "etc/group": "root:x:0:\n"}
    (f,) = [f for f in lint(files, tmp_path).findings if f.code == "GW201"]
    assert f.fix is None


def test_non_root_master_is_not_flagged(tmp_path):
    from gwlint.model.workspace import Options
    assert lint(tree(nginx=None), tmp_path, Options(fpm_master_user="www-data")).findings == []
