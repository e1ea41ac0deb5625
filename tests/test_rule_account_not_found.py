from functools import partial

from gwlint import testing

# Socket and account rules, tested apart from php-fpm's start-up checks (GW223): these pools omit pm.*
lint = partial(testing.lint, ignore=("GW223",))

PASSWD = "root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/false\nnobody:x:65534:65534::/:/bin/false\n"
GROUP = "root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n"
NGINX = """user {user};  # expect: {expect}
events {{}}
http {{}}
"""
POOL = """[www]
user = nginx  ; expect: GW323
group = www-data
listen = /run/php/php8.2-fpm.sock
listen.owner = www-data
listen.group = nginx  ; expect: GW323
listen.acl_groups = www-data,web  ; expect: GW323
"""


def tree(user="www-data", expect="nothing", pool=POOL, passwd=PASSWD, group=GROUP):
    files = {"etc/nginx/nginx.conf": NGINX.format(user=user, expect=expect),
             "etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
             "etc/php/8.2/fpm/pool.d/www.conf": pool}
    if passwd:
        files["etc/passwd"] = passwd
    if group:
        files["etc/group"] = group
    return files


def test_unknown_pool_accounts_are_flagged(tmp_path):
    r = lint(tree(), tmp_path)
    r.assert_expected()
    f = r.at("etc/php/8.2/fpm/pool.d/www.conf", 2)[0]
    assert "cannot get uid for user 'nginx'" in f.message
    assert [(x.path, x.line) for x in f.related] == [("etc/passwd", 1)]
    assert "group 'web'" in r.at("etc/php/8.2/fpm/pool.d/www.conf", 7)[0].message


def test_nginx_user_without_group_needs_a_same_named_group(tmp_path):
    r = lint(tree("nobody", "GW323", pool="[www]\nuser = www-data\nlisten = 9000\n"), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert 'getgrnam("nobody") failed' in f.message and "group named like the user" in f.message


def test_nginx_user_missing_from_passwd(tmp_path):
    r = lint(tree("nginx nogroup", "GW323", pool="[www]\nuser = www-data\nlisten = 9000\n"), tmp_path)
    (f,) = r.findings
    assert 'getpwnam("nginx") failed' in f.message


def test_existing_and_numeric_accounts_are_clean(tmp_path):
    pool = "[www]\nuser = www-data\ngroup = 33\nlisten = 9000\nlisten.owner = 1000\n"
    assert lint(tree("nobody nogroup", pool=pool), tmp_path).findings == []


def test_without_passwd_and_group_nothing_is_checked(tmp_path):
    pool = POOL.replace("  ; expect: GW323", "")
    assert [f for f in lint(tree("nginx", pool=pool, passwd=None, group=None), tmp_path).findings
            if f.code == "GW323"] == []


def test_group_only_checks_groups(tmp_path):
    pool = POOL.replace("user = nginx  ; expect: GW323", "user = nginx")
    r = lint(tree("nginx nogroup", pool=pool, passwd=None), tmp_path)
    r.codes_only = ("GW323",)
    r.assert_expected()
