from functools import partial

from gwlint import testing

# Socket and account rules, tested apart from php-fpm's start-up checks (GW223): these pools omit pm.*
lint = partial(testing.lint, ignore=("GW223",))

POOL = """[www]
user = www-data
listen = /var/tmp/php.sock  ; expect: GW322
listen.owner = www-data
listen.group = www-data
"""


def tree(pool=POOL, unit=None):
    files = {"etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
             "etc/php/8.2/fpm/pool.d/www.conf": pool}
    if unit:
        files["lib/systemd/system/php8.2-fpm.service"] = unit
    return files


def test_tmp_socket_without_units_is_a_warning(tmp_path):
    r = lint(tree(), tmp_path)
    r.assert_expected()
    (f,) = r.findings
    assert "no php-fpm systemd unit" in f.message and "PrivateTmp=true" in f.message


def test_unit_present_leaves_it_to_gw321(tmp_path):
    unit = "[Service]\nExecStart=/usr/sbin/php-fpm8.2 --fpm-config /etc/php/8.2/fpm/php-fpm.conf\n"
    assert lint(tree(unit=unit), tmp_path).findings == []


def test_socket_in_run_is_clean(tmp_path):
    pool = POOL.replace("/var/tmp/", "/run/php/").replace("  ; expect: GW322", "")
    assert lint(tree(pool), tmp_path).findings == []
