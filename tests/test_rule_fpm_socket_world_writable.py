from functools import partial

from gwlint import testing

# Socket and account rules, tested apart from php-fpm's start-up checks (GW223): these pools omit pm.*
lint = partial(testing.lint, ignore=("GW223",))

PATH = "etc/php/8.2/fpm/pool.d/www.conf"
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
listen = /run/php/php8.2-fpm.sock
listen.owner = {owner}
listen.group = {owner}
listen.mode = 0666  ; expect: GW203
"""


def tree(owner="www-data", nginx=NGINX, accounts=True):
    files = {"etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
             PATH: POOL.format(owner=owner)}
    if nginx:
        files["etc/nginx/nginx.conf"] = nginx
    if accounts:
        files |= {"etc/passwd": "root:x:0:0::/:/bin/sh\nwww-data:x:33:33::/:/bin/false\n",
                  "etc/group": "root:x:0:\nwww-data:x:33:\n"}
    return files


def test_world_writable_socket_is_flagged_and_tightened(tmp_path):
    r = lint(tree(), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "www-data:www-data 0666" in f.message and "every local account" in f.message
    assert f.fix.safe
    assert r.fixed_line(PATH, 6) == "listen.mode = 0660  ; expect: GW203"
    assert r.relint().findings == []


def test_fix_is_unsafe_when_nginx_relies_on_the_other_bits(tmp_path):
    r = lint(tree(owner="root"), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert not f.fix.safe
    # applying it lets GW320 fix owner and group: the loop ends clean
    assert r.relint(unsafe=True).findings == []


def test_fix_is_unsafe_without_an_nginx_or_without_accounts(tmp_path):
    assert not lint(tree(nginx=None), tmp_path / "a").findings[0].fix.safe
    assert not lint(tree(accounts=False), tmp_path / "b").findings[0].fix.safe


def test_group_writable_mode_is_clean(tmp_path):
    files = tree()
    files[PATH] = files[PATH].replace("0666  ; expect: GW203", "0660")
    assert lint(files, tmp_path).findings == []


def test_invalid_world_writable_mode_has_no_fix_here(tmp_path):
    files = tree(nginx=None)
    files[PATH] = files[PATH].replace("0666  ; expect: GW203", "0668  ; expect: GW202, GW203")
    r = lint(files, tmp_path)
    r.assert_expected()
    assert [f.fix for f in r.findings if f.code == "GW203"] == [None]
