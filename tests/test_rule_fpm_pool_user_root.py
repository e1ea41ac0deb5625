from functools import partial

from gwlint import testing

# Socket and account rules, tested apart from php-fpm's start-up checks (GW223): these pools omit pm.*
lint = partial(testing.lint, ignore=("GW223",))

POOL = """[www]
user = {user}  ; expect: GW204
listen = 127.0.0.1:9000
"""


def tree(user, expect="GW204"):
    return {"etc/php/8.2/fpm/php-fpm.conf": "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
            "etc/php/8.2/fpm/pool.d/www.conf": POOL.format(user=user).replace("GW204", expect)}


def test_root_pool_is_flagged(tmp_path):
    for user in ("root", "0"):
        r = lint(tree(user), tmp_path)
        r.assert_expected()
        assert "refuses to start" in r.findings[0].message and "-R" in r.findings[0].message


def test_unprivileged_pool_is_clean(tmp_path):
    assert lint(tree("www-data", "nothing"), tmp_path).findings == []


def test_non_root_master_ignores_user(tmp_path):
    from gwlint.model.workspace import Options
    assert lint(tree("root", "nothing"), tmp_path, Options(fpm_master_user="www-data")).findings == []
