import os
from functools import partial

from gwlint import testing

# Socket and account rules, tested apart from php-fpm's start-up checks (GW223): these pools omit pm.*
lint = partial(testing.lint, ignore=("GW223",))

PASSWD = "root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/false\nnobody:x:65534:65534::/:/bin/false\n"
GROUP = "root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n"

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
user = www-data
group = www-data
listen = /run/php/php8.2-fpm.sock  ; expect: GW320
listen.owner = root
listen.group = root
pm = static
"""


def tree(pool=POOL, nginx=NGINX, accounts=True):
    files = {"etc/nginx/nginx.conf": nginx,
             "etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
             "etc/php/8.2/fpm/pool.d/www.conf": pool}
    if accounts:
        files.update({"etc/passwd": PASSWD, "etc/group": GROUP})
    return files


def only(r):
    return [f for f in r.findings if f.code == "GW320"]


def test_root_owned_socket_is_flagged_with_computed_identity(tmp_path):
    r = lint(tree(), tmp_path)
    r.assert_expected()
    (f,) = only(r)
    assert "root:root 0660" in f.message and "www-data:www-data" in f.message
    assert "(13: Permission denied)" in f.message and "502" in f.message
    assert {x.line for x in f.related if x.path.endswith("nginx.conf")} == {1, 6}
    assert {x.line for x in f.related if x.path.endswith("www.conf")} == {5, 6}


def test_fix_sets_owner_and_group_to_the_worker(tmp_path):
    r = lint(tree(), tmp_path)
    path = "etc/php/8.2/fpm/pool.d/www.conf"
    assert r.fixed_line(path, 5) == "listen.owner = www-data"
    assert r.fixed_line(path, 6) == "listen.group = www-data"
    assert r.relint().codes() == []


def test_missing_listen_owner_is_one_finding_gw201s(tmp_path):
    pool = "[www]\nuser = www-data  ; expect: GW201\nlisten = /run/php/php8.2-fpm.sock\n"
    r = lint(tree(pool), tmp_path)
    r.assert_expected()  # one cause, one finding: GW320 does not repeat it
    assert only(r) == []
    assert "root:root 0660" in r.findings[0].message
    assert r.fixed_text("etc/php/8.2/fpm/pool.d/www.conf").splitlines()[3:] == \
        ["listen.owner = www-data", "listen.group = www-data"]


def test_pool_without_user_means_a_master_that_is_not_root(tmp_path):
    # php-fpm refuses a user-less pool under root: its master is some other user, unknown here
    pool = "[www]\nlisten = /run/php/php8.2-fpm.sock  ; expect: GW320\nlisten.mode = 0660\n"
    r = lint(tree(pool), tmp_path)
    (f,) = only(r)
    assert f.severity.value == "warning" and f.fix is None
    assert "sets no user" in f.message and "0660" in f.message and "fpm-master-user" in f.message


def test_master_user_option_changes_the_default_owner(tmp_path):
    from gwlint.model.workspace import Options
    pool = "[www]\nlisten = /run/php/php8.2-fpm.sock\n"
    assert only(lint(tree(pool), tmp_path, Options(fpm_master_user="www-data"))) == []


def test_worker_without_user_directive_is_nobody(tmp_path):
    pool = POOL.replace("= root", "= www-data")
    r = lint(tree(pool, NGINX.replace("user www-data;\n", "")), tmp_path)
    (f,) = only(r)
    assert "nobody:nogroup" in f.message


def test_worker_in_socket_group_by_supplementary_membership_is_clean(tmp_path):
    files = tree(POOL.replace("listen.group = root", "listen.group = web").replace("  ; expect: GW320", ""),
                 NGINX.replace("user www-data;", "user nobody nogroup;"))
    files["etc/group"] += "web:x:1000:nobody,someone\n"
    assert only(lint(files, tmp_path)) == []


def test_without_passwd_and_group_the_message_says_what_is_assumed(tmp_path):
    r = lint(tree(accounts=False), tmp_path)
    (f,) = only(r)
    assert "no etc/passwd and etc/group under the root" in f.message
    assert f.fix is not None and f.fix.safe  # `user www-data;` names the group: www-data


def test_guessed_worker_group_makes_the_fix_unsafe(tmp_path):
    r = lint(tree(accounts=False, nginx=NGINX.replace("user www-data;\n", "")), tmp_path)
    (f,) = only(r)
    assert f.fix is not None and not f.fix.safe


def test_acl_pool_fix_adds_the_worker_to_acl_users(tmp_path):
    pool = POOL.replace("listen.owner = root", "listen.acl_users = alice")
    r = lint(tree(pool), tmp_path)
    (f,) = only(r)
    assert "ACL users alice" in f.message
    assert r.fixed_line("etc/php/8.2/fpm/pool.d/www.conf", 5) == "listen.acl_users = alice,www-data"


def test_pool_shared_by_two_nginx_instances_gets_an_unsafe_fix(tmp_path):
    files = tree()
    files["opt/other/nginx.conf"] = NGINX
    r = lint(files, tmp_path)
    fixes = [f.fix for f in only(r)]
    assert len(fixes) == 2 and all(fix is not None and not fix.safe for fix in fixes)


def test_debian_layout_is_clean(tmp_path):
    pool = POOL.replace("= root", "= www-data").replace("  ; expect: GW320", "")
    assert lint(tree(pool), tmp_path).findings == []


def test_unsearchable_parent_directory_is_flagged(tmp_path):
    pool = POOL.replace("= root", "= www-data")
    files = tree(pool)
    (tmp_path / "run/php").mkdir(parents=True)
    os.chmod(tmp_path / "run/php", 0o700)
    r = lint(files, tmp_path)
    (f,) = only(r)
    assert "cannot search directory /run/php" in f.message and "0700" in f.message
    assert f.fix is None
    os.chmod(tmp_path / "run/php", 0o755)
    assert only(lint(files, tmp_path)) == []


def test_worker_missing_from_passwd_is_left_to_gw323(tmp_path):
    pool = POOL.replace("= root", "= www-data").replace("  ; expect: GW320", "")
    r = lint(tree(pool, NGINX.replace("user www-data;", "user nginx;  # expect: GW323")), tmp_path)
    r.assert_expected()
