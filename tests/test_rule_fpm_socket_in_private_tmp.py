from functools import partial

from gwlint import testing

# Socket and account rules, tested apart from php-fpm's start-up checks (GW223): these pools omit pm.*
lint = partial(testing.lint, ignore=("GW223",))

POOL_PATH = "etc/php-fpm.d/www.conf"
NGINX = """user apache;
events {}
http {
    server {
        location ~ \\.php$ {
            fastcgi_pass unix:/tmp/php-fpm.sock;
        }
    }
}
"""
POOL = """[www]
user = apache
listen = /tmp/php-fpm.sock  ; expect: GW321
listen.owner = apache
listen.group = apache
"""
FPM_UNIT = """[Unit]
Description=The PHP FastCGI Process Manager

[Service]
Type=notify
ExecStart=/usr/sbin/php-fpm --nodaemonize
PrivateTmp=true
"""
NGINX_UNIT = "[Service]\nExecStart=/usr/sbin/nginx\n"


def tree(pool=POOL, fpm_unit=FPM_UNIT, nginx_unit=NGINX_UNIT):
    files = {"etc/nginx/nginx.conf": NGINX, "etc/php-fpm.conf": "[global]\ninclude=/etc/php-fpm.d/*.conf\n",
             POOL_PATH: pool}
    if fpm_unit:
        files["usr/lib/systemd/system/php-fpm.service"] = fpm_unit
    if nginx_unit:
        files["usr/lib/systemd/system/nginx.service"] = nginx_unit
    return files


def test_private_tmp_on_php_fpm_is_flagged(tmp_path):
    r = lint(tree(), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "php-fpm.service runs with PrivateTmp=true" in f.message
    assert "(2: No such file or directory)" in f.message and "502" in f.message
    assert ("usr/lib/systemd/system/php-fpm.service", 7) in [(x.path, x.line) for x in f.related]
    assert f.fix is None


def test_drop_in_can_turn_it_off_and_on(tmp_path):
    files = tree()
    files["etc/systemd/system/php-fpm.service.d/override.conf"] = "[Service]\nPrivateTmp=false\n"
    assert lint(files, tmp_path / "off").findings == []
    files = tree(fpm_unit=FPM_UNIT.replace("PrivateTmp=true\n", ""))
    files["etc/systemd/system/php-fpm.service.d/tmp.conf"] = "[Service]\nPrivateTmp=yes\n"
    r = lint(files, tmp_path / "on")
    assert next((x.path, x.line) for x in r.findings[0].related) == \
        ("etc/systemd/system/php-fpm.service.d/tmp.conf", 2)


def test_private_tmp_on_nginx_is_flagged(tmp_path):
    r = lint(tree(fpm_unit=NGINX_UNIT, nginx_unit=NGINX_UNIT + "PrivateTmp=on\n"), tmp_path)
    (f,) = r.findings
    assert "nginx.service runs with PrivateTmp=true" in f.message


def test_units_without_private_tmp_are_clean(tmp_path):
    assert lint(tree(fpm_unit=NGINX_UNIT), tmp_path).findings == []


def test_socket_outside_tmp_is_clean(tmp_path):
    files = tree(POOL.replace("/tmp/", "/run/php-fpm/").replace("  ; expect: GW321", ""))
    files["etc/nginx/nginx.conf"] = NGINX.replace("/tmp/", "/run/php-fpm/")
    assert lint(files, tmp_path).findings == []


def test_masked_unit_counts_as_absent(tmp_path):
    import os
    root = tmp_path
    (root / "etc/systemd/system").mkdir(parents=True)
    os.symlink("/dev/null", root / "etc/systemd/system/php-fpm.service")
    assert [f.code for f in lint(tree(), root).findings] == ["GW322"]
